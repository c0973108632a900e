import pg from 'pg';
import { KizunaError } from '../util/errors.js';
import { appendThrough, WriteCoalescer, type CoalescerOptions } from './coalescer.js';
import {
  DEFAULT_LATEST_LIMIT,
  DEFAULT_LIST_LIMIT,
  chainRows,
  checkLimit,
  checkSeq,
  checkDocQuery,
  eventKey,
  newestPerUid,
  storeError,
  TOMBSTONE_TYPE,
  validateCommit,
} from './common.js';
import { EVENT_COLS, toAudit, toDoc, toEvent, type AuditDbRow, type DocRow, type EventRow } from './rows.js';
import {
  EVENT_UNNEST,
  LATEST_UPSERT,
  SCHEMA_RE,
  eventColumns,
  migrate,
  type Client,
} from './postgres-schema.js';
import { postgresOutboxStore } from './postgres-outbox.js';
import { postgresMissionStore } from './missions-postgres.js';
import type { MissionStore } from './missions-types.js';
import { checkSampleQuery, sampleParams, sampleSql } from './history-sample.js';
import type { AuditRow, Doc, DocQuery, EventStore, OutboxStore, Store, StoredEvent } from './types.js';

export interface PostgresStoreOptions {
  /** Schema holding the tables (default "kizuna"); tests use a fresh one per run. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /** Group commit of concurrent appendEvents calls (default: 2 ms window, 5000 events). */
  coalesce?: Partial<CoalescerOptions>;
}

/** Opens (creating and migrating if needed) a PostgreSQL store: the scale-out backend for one node. */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const schema = opts.schema ?? 'kizuna';
  if (!SCHEMA_RE.test(schema)) throw new KizunaError('CONFIG_INVALID', 'postgres schema must be a lower-case identifier');
  // search_path per connection keeps every statement schema-agnostic.
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, options: `-c search_path=${schema}` });
  pool.on('error', () => {
    // Idle-client errors (server restart) surface on the next query as STORE_FAILED; never crash the process.
  });
  try {
    await migrate(pool, schema);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw storeError(e, 'cannot open postgres store');
  }
  return new PostgresStore(pool, schema, opts);
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly events: EventStore;
  readonly outbox: OutboxStore;
  readonly missions: MissionStore;
  private readonly coalescer: WriteCoalescer;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    opts: PostgresStoreOptions,
  ) {
    this.coalescer = new WriteCoalescer((events, latestOnly) => this.writeEvents(events, latestOnly), {
      maxDelayMs: opts.coalesce?.maxDelayMs ?? 2,
      maxEvents: opts.coalesce?.maxEvents ?? 5000,
    });
    this.events = this.makeEventStore();
    this.missions = postgresMissionStore(pool);
    this.outbox = postgresOutboxStore({
      run: (what, fn) => this.run(what, fn),
      tx: (fn) => this.tx(fn),
      q: (sql, params) => this.q(sql, params),
    });
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new KizunaError('STORE_FAILED', 'store is closed');
    try {
      return await fn();
    } catch (e) {
      throw storeError(e, what);
    }
  }

  private async tx<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  private async q<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /**
   * One transaction: history rows, then the latest-only events, then latest for the newest new history
   * event per uid (sorted by key / uid: stable lock order). Latest-only events before the history events'
   * latest update, as SQLite does them: a feed's two ticks in one group (the older one latest-only, the
   * newer one with a history row) both count as new, as they would apart.
   */
  private writeEvents(events: StoredEvent[], latestOnly: ReadonlySet<StoredEvent>): Promise<Set<string>> {
    return this.tx(async (c) => {
      const onlyLatest = (e: StoredEvent): boolean => latestOnly.has(e) && e.type !== TOMBSTONE_TYPE;
      const toHistory = latestOnly.size === 0 ? events : events.filter((e) => !onlyLatest(e));
      const fresh = new Set<string>();
      if (toHistory.length > 0) {
        const sorted = [...toHistory].sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : 1));
        const inserted = await c.query<{ origin: string; id: string }>(
          `INSERT INTO event_history (${EVENT_COLS}) SELECT * FROM ${EVENT_UNNEST}
           ON CONFLICT (origin, id) DO NOTHING RETURNING origin, id`,
          eventColumns(sorted),
        );
        for (const r of inserted.rows) fresh.add(eventKey(r));
      }
      if (toHistory.length < events.length) await this.upsertLatestOnly(c, events.filter(onlyLatest), fresh);
      const added = newestPerUid(toHistory.filter((e) => fresh.has(eventKey(e))));
      if (added.length > 0) await c.query(LATEST_UPSERT, eventColumns(byUid(added)));
      return fresh;
    });
  }

  /**
   * Latest-only events, each new when it changed its uid's latest row. One statement per round, a uid at
   * most once a round (in batch order): two updates of a uid in one group count as they would apart.
   */
  private async upsertLatestOnly(c: Client, events: StoredEvent[], fresh: Set<string>): Promise<void> {
    let rest = events;
    while (rest.length > 0) {
      const round = new Map<string, StoredEvent>();
      const later: StoredEvent[] = [];
      for (const e of rest) {
        if (round.has(e.uid)) later.push(e);
        else round.set(e.uid, e);
      }
      const changed = await c.query<{ origin: string; id: string }>(LATEST_UPSERT, eventColumns(byUid([...round.values()])));
      for (const r of changed.rows) fresh.add(eventKey(r));
      rest = later;
    }
  }

  private makeEventStore(): EventStore {
    return {
      appendEvents: (events, opts) => appendThrough(this.coalescer, events, this.closed, opts),
      deleteUid: (uid) =>
        this.run('deleteUid failed', async () => {
          await this.q('UPDATE event_latest SET deleted = TRUE WHERE uid = $1', [uid]);
        }),
      getLatest: (uid) =>
        this.run('getLatest failed', async () => {
          const [r] = await this.q<EventRow>(`SELECT ${EVENT_COLS} FROM event_latest WHERE uid = $1 AND NOT deleted`, [uid]);
          return r ? toEvent(r) : undefined;
        }),
      latest: (opts) =>
        this.run('latest failed', async () => {
          const limit = checkLimit(opts.limit, DEFAULT_LATEST_LIMIT);
          const rows = await this.q<EventRow>(
            `SELECT ${EVENT_COLS} FROM event_latest WHERE ($4 OR NOT deleted) AND ($1 OR stale > $2)
             ORDER BY time, uid LIMIT $3`,
            [opts.includeStale === true, Math.trunc(opts.now), limit, opts.includeDeleted === true],
          );
          return rows.map(toEvent);
        }),
      history: (uid, opts = {}) =>
        this.run('history failed', async () => {
          const limit = checkLimit(opts.limit, DEFAULT_LIST_LIMIT);
          const rows = await this.q<EventRow>(
            `SELECT ${EVENT_COLS} FROM event_history
             WHERE uid = $1 AND ($2::bigint IS NULL OR time >= $2) AND ($3::bigint IS NULL OR time < $3)
             ORDER BY time, received_at, origin, id LIMIT $4`,
            [uid, opts.since === undefined ? null : Math.trunc(opts.since), opts.until === undefined ? null : Math.trunc(opts.until), limit],
          );
          return rows.map(toEvent);
        }),
      historyFromLatest: (uids, originator) =>
        this.run('historyFromLatest failed', async () => {
          const r = await this.pool.query(
            `INSERT INTO event_history (${EVENT_COLS}) SELECT ${EVENT_COLS} FROM event_latest
             WHERE uid = ANY($1::text[]) AND NOT deleted AND originator = $2 ON CONFLICT (origin, id) DO NOTHING`,
            [[...uids], originator],
          );
          return r.rowCount ?? 0;
        }),
      pruneHistory: (before) =>
        this.run('pruneHistory failed', async () => {
          const r = await this.pool.query('DELETE FROM event_history WHERE time < $1', [Math.trunc(before)]);
          return r.rowCount ?? 0;
        }),
      sampledHistory: (q) =>
        this.run('sampledHistory failed', async () => {
          const params = sampleParams(checkSampleQuery(q));
          const rows = await this.q<EventRow>(sampleSql(EVENT_COLS, (i) => `$${i}::bigint`), params);
          return rows.map(toEvent);
        }),
    };
  }

  getDoc<B>(collection: string, id: string): Promise<Doc<B> | undefined> {
    return this.run('getDoc failed', async () => {
      const [r] = await this.q<DocRow>(
        'SELECT collection, id, version, label, body, updated_at FROM doc WHERE collection = $1 AND id = $2',
        [collection, id],
      );
      return r ? toDoc<B>(r) : undefined;
    });
  }

  listDocs<B>(collection: string, query: DocQuery = {}): Promise<Doc<B>[]> {
    return this.run('listDocs failed', async () => {
      const { where, limit } = checkDocQuery(query);
      const params: unknown[] = [collection];
      let sql = 'SELECT collection, id, version, label, body, updated_at FROM doc WHERE collection = $1';
      if (query.after !== undefined) {
        params.push(query.after);
        sql += ` AND id > $${params.length}`;
      }
      for (const [field, value] of where) {
        // jsonb equality is type-aware: true ≠ 1, "1" ≠ 1, while 1 = 1.0.
        params.push(field, JSON.stringify(value));
        sql += ` AND (body::jsonb) -> $${params.length - 1} = $${params.length}::jsonb`;
      }
      params.push(limit);
      sql += ` ORDER BY id LIMIT $${params.length}`;
      return (await this.q<DocRow>(sql, params)).map((r) => toDoc<B>(r));
    });
  }

  commit(ops: Parameters<Store['commit']>[0]): ReturnType<Store['commit']> {
    return this.run('commit failed', async () => {
      const { docs, audit } = validateCommit(ops);
      return this.tx(async (c) => {
        const now = Date.now();
        const versions: number[] = [];
        for (const { d, label, body } of docs) {
          let res: pg.QueryResult<{ version: number }>;
          if (d.expectedVersion === undefined) {
            res = await c.query(
              `INSERT INTO doc (collection, id, version, label, body, updated_at) VALUES ($1, $2, 1, $3, $4, $5)
               ON CONFLICT (collection, id) DO UPDATE SET version = doc.version + 1, label = excluded.label,
                 body = excluded.body, updated_at = excluded.updated_at RETURNING version`,
              [d.collection, d.id, label, body, now],
            );
          } else if (d.expectedVersion === 0) {
            res = await c.query(
              `INSERT INTO doc (collection, id, version, label, body, updated_at) VALUES ($1, $2, 1, $3, $4, $5)
               ON CONFLICT (collection, id) DO NOTHING RETURNING version`,
              [d.collection, d.id, label, body, now],
            );
          } else {
            // Under READ COMMITTED a concurrent winner's commit is re-checked here, so the loser sees 0 rows.
            res = await c.query(
              `UPDATE doc SET version = version + 1, label = $3, body = $4, updated_at = $5
               WHERE collection = $1 AND id = $2 AND version = $6 RETURNING version`,
              [d.collection, d.id, label, body, now, d.expectedVersion],
            );
          }
          const row = res.rows[0];
          if (!row) throw new KizunaError('CONFLICT', `doc ${d.collection}/${d.id} is not at version ${d.expectedVersion}`);
          versions.push(Number(row.version));
        }
        let rows: AuditRow[] = [];
        if (audit.length > 0) {
          // Transaction-scoped lock on this schema's audit head: appends from many processes stay one chain.
          await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kizuna.audit.${this.schema}`]);
          const head = await c.query<AuditDbRow>(
            'SELECT seq, ts, kind, actor, body, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT 1',
          );
          rows = chainRows(head.rows[0] ? toAudit(head.rows[0]) : undefined, audit, ops.chain!);
          for (const row of rows) {
            await c.query('INSERT INTO audit (seq, ts, kind, actor, body, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
              row.seq,
              row.ts,
              row.kind,
              row.actor,
              row.body,
              row.prevHash,
              row.hash,
            ]);
          }
        }
        return { versions, audit: rows };
      });
    });
  }

  auditRange(fromSeq: number, limit: number): Promise<AuditRow[]> {
    return this.run('auditRange failed', async () =>
      (
        await this.q<AuditDbRow>(
          'SELECT seq, ts, kind, actor, body, prev_hash, hash FROM audit WHERE seq >= $1 ORDER BY seq LIMIT $2',
          [checkSeq(fromSeq, 'fromSeq'), checkLimit(limit, 0)],
        )
      ).map(toAudit),
    );
  }

  auditHead(): Promise<AuditRow | undefined> {
    return this.run('auditHead failed', async () => {
      const [r] = await this.q<AuditDbRow>('SELECT seq, ts, kind, actor, body, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT 1');
      return r ? toAudit(r) : undefined;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.coalescer.close();
    this.closed = true;
    await this.pool.end();
  }
}

function byUid(events: StoredEvent[]): StoredEvent[] {
  return events.sort((a, b) => (a.uid < b.uid ? -1 : 1));
}
