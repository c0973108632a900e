import type pg from 'pg';
import { postgresMigrations } from './migrations/index.js';
import type { StoredEvent } from './types.js';
import { EVENT_COLS } from './rows.js';
import { labelJsonMemo, TOMBSTONE_TYPE } from './common.js';

// The PostgreSQL schema as the store sees it: the batch insert and migrations (row shapes: rows.ts).

export type Client = pg.PoolClient;

/** unnest() of one array per column: one statement and one round trip per batch, no parameter-count limit. */
export const EVENT_UNNEST =
  'unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[])';

/** Column arrays for EVENT_UNNEST. bigint columns take integers: fractional ms are truncated. */
export function eventColumns(events: StoredEvent[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 11 }, () => []);
  const labelJson = labelJsonMemo();
  for (const e of events) {
    const v = [e.origin, e.id, e.uid, e.type, e.callsign ?? null, Math.trunc(e.time), Math.trunc(e.stale),
      Math.trunc(e.receivedAt), labelJson(e.label), e.xml, e.originator ?? null];
    v.forEach((x, i) => cols[i]!.push(x));
  }
  return cols;
}

/**
 * Latest-per-uid from EVENT_UNNEST rows (at most one row per uid per statement: PostgreSQL refuses to
 * update a row twice in one). An older event never replaces a newer latest; a tombstone is only replaced
 * by a strictly newer event; the latest event itself again changes nothing. RETURNING names the rows that
 * changed (inserted or updated): what a latest-only event needs to know whether it was new.
 */
export const LATEST_UPSERT = `INSERT INTO event_latest (${EVENT_COLS}, deleted)
  SELECT u.*, u.type = '${TOMBSTONE_TYPE}' FROM ${EVENT_UNNEST} AS u(${EVENT_COLS})
  ON CONFLICT (uid) DO UPDATE SET origin = excluded.origin, id = excluded.id, type = excluded.type,
    callsign = excluded.callsign, time = excluded.time, stale = excluded.stale,
    received_at = excluded.received_at, label = excluded.label, xml = excluded.xml,
    originator = excluded.originator, deleted = excluded.deleted
  WHERE (excluded.time > event_latest.time OR (NOT event_latest.deleted AND excluded.time = event_latest.time))
    AND NOT (event_latest.origin = excluded.origin AND event_latest.id = excluded.id)
  RETURNING origin, id`;

export const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const c = await pool.connect();
  try {
    // Session advisory lock: several processes starting at once apply each migration exactly once.
    await c.query('SELECT pg_advisory_lock(hashtext($1))', [`kizuna.migrate.${schema}`]);
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const applied = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const m of postgresMigrations) {
        if (applied.has(m.version)) continue;
        await c.query('BEGIN');
        try {
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw e;
        }
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock(hashtext($1))', [`kizuna.migrate.${schema}`]);
    }
  } finally {
    c.release();
  }
}

