import type pg from 'pg';
import type { SecurityLabel } from '../labels/types.js';
import { parseEventLabel, parseJson } from './common.js';
import { postgresMigrations } from './migrations/postgres/index.js';
import type { AuditRow, Doc, StoredEvent } from './types.js';

// The PostgreSQL schema as the store sees it: row shapes (bigints arrive as strings), their mapping
// to store types, and migrations.

export type Client = pg.PoolClient;

export const EVENT_COLS = 'origin, id, uid, type, callsign, time, stale, received_at, label, xml, originator';
/** unnest() of one array per column: one statement and one round trip per batch, no parameter-count limit. */
export const EVENT_UNNEST =
  'unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[])';

export interface EventRow {
  origin: string;
  id: string;
  uid: string;
  type: string;
  callsign: string | null;
  time: string;
  stale: string;
  received_at: string;
  label: string;
  xml: string;
  originator: string | null;
}

export function toEvent(r: EventRow): StoredEvent {
  const e: StoredEvent = {
    id: r.id,
    origin: r.origin,
    uid: r.uid,
    type: r.type,
    time: Number(r.time),
    stale: Number(r.stale),
    receivedAt: Number(r.received_at),
    label: parseEventLabel(r.label),
    xml: r.xml,
  };
  if (r.callsign !== null) e.callsign = r.callsign;
  if (r.originator !== null) e.originator = r.originator;
  return e;
}

/** Column arrays for EVENT_UNNEST. bigint columns take integers: fractional ms are truncated. */
export function eventColumns(events: StoredEvent[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 11 }, () => []);
  for (const e of events) {
    const v = [e.origin, e.id, e.uid, e.type, e.callsign ?? null, Math.trunc(e.time), Math.trunc(e.stale),
      Math.trunc(e.receivedAt), JSON.stringify(e.label), e.xml, e.originator ?? null];
    v.forEach((x, i) => cols[i]!.push(x));
  }
  return cols;
}

export interface DocRow {
  collection: string;
  id: string;
  version: number;
  label: string;
  body: string;
  updated_at: string;
}

export function toDoc<B>(r: DocRow): Doc<B> {
  return {
    collection: r.collection,
    id: r.id,
    version: Number(r.version),
    label: parseJson<SecurityLabel>(r.label, 'doc label'),
    body: parseJson<B>(r.body, 'doc body'),
    updatedAt: Number(r.updated_at),
  };
}

export interface AuditDbRow {
  seq: string;
  ts: string;
  kind: string;
  actor: string;
  body: string;
  prev_hash: string;
  hash: string;
}

export function toAudit(r: AuditDbRow): AuditRow {
  return { seq: Number(r.seq), ts: r.ts, kind: r.kind, actor: r.actor, body: r.body, prevHash: r.prev_hash, hash: r.hash };
}

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

