import Database from 'better-sqlite3';
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
  labelJsonMemo,
  validateCommit,
} from './common.js';
import { EVENT_COLS, toAudit, toDoc, toEvent, type AuditDbRow, type DocRow, type EventRow } from './rows.js';
import {
  FAR_FUTURE,
  FAR_PAST,
  eventParams,
  migrate,
  prepareStatements,
  type SqliteStatements,
} from './sqlite-schema.js';
import { sqliteOutboxStore } from './sqlite-outbox.js';
import { sqliteMissionStore } from './missions-sqlite.js';
import type { MissionStore } from './missions-types.js';
import type { AuditRow, Doc, DocQuery, EventStore, OutboxStore, Store, StoredEvent } from './types.js';
import { checkSampleQuery, sampleParams, sampleSql } from './history-sample.js';

export interface SqliteStoreOptions {
  /**
   * 'normal' (default) survives kill -9 of the process: in WAL mode every commit is written to the
   * WAL file with write(2) before the commit returns, so the data sits in the OS page cache and the
   * kernel writes it out even when the process dies. Only an OS crash or power loss can lose the
   * last commits (never corrupt the file). 'full' fsyncs the WAL on every commit for power-loss
   * durability at a large throughput cost.
   */
  synchronous?: 'normal' | 'full';
  /** How long a writer waits for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Group commit of concurrent appendEvents calls (default: 2 ms window, 2000 events). */
  coalesce?: Partial<CoalescerOptions>;
}

/** Opens (creating and migrating if needed) a SQLite store: the embedded default for one node. */
export async function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Promise<Store> {
  if (typeof file !== 'string' || file.length === 0) throw new KizunaError('CONFIG_INVALID', 'sqlite file path is empty');
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: opts.busyTimeoutMs ?? 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (e) {
    throw storeError(e, `cannot open sqlite store`);
  }
  return new SqliteStore(db, opts);
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly events: EventStore;
  readonly outbox: OutboxStore;
  readonly missions: MissionStore;
  private readonly coalescer: WriteCoalescer;
  private readonly dynamic = new Map<string, Database.Statement>();
  private sampleStmt: Database.Statement | undefined;
  private readonly s: SqliteStatements;
  private readonly writeEvents: Database.Transaction<(events: StoredEvent[], latestOnly: ReadonlySet<StoredEvent>) => Set<string>>;
  /** a forgotten feed track's latest row into history (EventStore.historyFromLatest), prepared once */
  private readonly copyToHistory: Database.Transaction<(uids: readonly string[], originator: string) => number>;
  private readonly commitTx: Database.Transaction<
    (ops: Parameters<Store['commit']>[0]) => { versions: number[]; audit: AuditRow[] }
  >;

  constructor(
    private readonly db: Database.Database,
    opts: SqliteStoreOptions,
  ) {
    this.s = prepareStatements(db);
    this.missions = sqliteMissionStore(db);
    const s = this.s;

    this.writeEvents = db.transaction((events: StoredEvent[], latestOnly: ReadonlySet<StoredEvent>) => {
      const fresh = new Set<string>();
      const added: StoredEvent[] = [];
      // one row's parameters (label JSON included) serve both tables
      const params = new Map<StoredEvent, unknown[]>();
      const labelJson = labelJsonMemo();
      for (const e of events) {
        const p = eventParams(e, labelJson(e.label));
        const tombstone = e.type === TOMBSTONE_TYPE;
        if (latestOnly.has(e) && !tombstone) {
          // in batch order, one upsert each, before the history events' latest update (PostgreSQL does the
          // same): two updates of a uid in one group count as they would apart
          if (s.upsertLatest.run(...p, 0).changes === 1) fresh.add(eventKey(e));
          continue;
        }
        if (s.insertHistory.run(...p).changes === 1) {
          fresh.add(eventKey(e));
          added.push(e);
          params.set(e, p);
        }
      }
      for (const e of newestPerUid(added)) s.upsertLatest.run(...params.get(e)!, e.type === TOMBSTONE_TYPE ? 1 : 0);
      return fresh;
    });

    this.copyToHistory = db.transaction((uids: readonly string[], originator: string) =>
      uids.reduce((n, uid) => n + s.historyFromLatest.run(uid, originator).changes, 0),
    );

    this.commitTx = db.transaction((ops: Parameters<Store['commit']>[0]) => {
      const { docs, audit } = validateCommit(ops);
      const now = Date.now();
      const versions = docs.map(({ d, label, body }) => {
        let row: { version: number } | undefined;
        if (d.expectedVersion === undefined) row = s.docUpsert.get(d.collection, d.id, label, body, now) as typeof row;
        else if (d.expectedVersion === 0) row = s.docCreate.get(d.collection, d.id, label, body, now) as typeof row;
        else row = s.docUpdate.get(label, body, now, d.collection, d.id, d.expectedVersion) as typeof row;
        if (!row) throw new KizunaError('CONFLICT', `doc ${d.collection}/${d.id} is not at version ${d.expectedVersion}`);
        return row.version;
      });
      const head = s.auditHead.get() as AuditDbRow | undefined;
      const rows = chainRows(head ? toAudit(head) : undefined, audit, ops.chain!);
      for (const row of rows) s.auditInsert.run(row.seq, row.ts, row.kind, row.actor, row.body, row.prevHash, row.hash);
      return { versions, audit: rows };
    });

    this.coalescer = new WriteCoalescer(async (events, latestOnly) => this.writeEvents.immediate(events, latestOnly), {
      maxDelayMs: opts.coalesce?.maxDelayMs ?? 2,
      maxEvents: opts.coalesce?.maxEvents ?? 2000,
    });
    this.events = this.makeEventStore();
    this.outbox = sqliteOutboxStore(db, this.s, (what, fn) => this.run(what, fn));
  }

  /** Every public operation: typed errors out, driver errors wrapped, closed store refused. */
  private run<T>(what: string, fn: () => T): Promise<T> {
    try {
      if (!this.db.open || this.coalescer.isClosed) throw new KizunaError('STORE_FAILED', 'store is closed');
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(storeError(e, what));
    }
  }

  private makeEventStore(): EventStore {
    const s = this.s;
    return {
      appendEvents: (events, opts) => appendThrough(this.coalescer, events, this.coalescer.isClosed || !this.db.open, opts),
      deleteUid: (uid) =>
        this.run('deleteUid failed', () => {
          s.deleteLatest.run(uid);
        }),
      getLatest: (uid) =>
        this.run('getLatest failed', () => {
          const r = s.getLatest.get(uid) as EventRow | undefined;
          return r ? toEvent(r) : undefined;
        }),
      latest: (opts) =>
        this.run('latest failed', () => {
          const limit = checkLimit(opts.limit, DEFAULT_LATEST_LIMIT);
          const rows = s.latest.all(opts.includeDeleted ? 1 : 0, opts.includeStale ? 1 : 0, opts.now, limit) as EventRow[];
          return rows.map(toEvent);
        }),
      history: (uid, opts = {}) =>
        this.run('history failed', () => {
          const limit = checkLimit(opts.limit, DEFAULT_LIST_LIMIT);
          const rows = s.history.all(uid, opts.since ?? FAR_PAST, opts.until ?? FAR_FUTURE, limit) as EventRow[];
          return rows.map(toEvent);
        }),
      historyFromLatest: (uids, originator) =>
        this.run('historyFromLatest failed', () => this.copyToHistory.immediate(uids, originator)),
      pruneHistory: (before) => this.run('pruneHistory failed', () => s.prune.run(before).changes),
      sampledHistory: (q) =>
        this.run('sampledHistory failed', () => {
          const stmt = (this.sampleStmt ??= this.db.prepare(sampleSql(EVENT_COLS, () => 'CAST(? AS INTEGER)')));
          return (stmt.all(...sampleParams(checkSampleQuery(q))) as EventRow[]).map(toEvent);
        }),
    };
  }

  getDoc<B>(collection: string, id: string): Promise<Doc<B> | undefined> {
    return this.run('getDoc failed', () => {
      const r = this.s.docGet.get(collection, id) as DocRow | undefined;
      return r ? toDoc<B>(r) : undefined;
    });
  }

  listDocs<B>(collection: string, query: DocQuery = {}): Promise<Doc<B>[]> {
    return this.run('listDocs failed', () => {
      const { where, limit } = checkDocQuery(query);
      let sql = 'SELECT collection, id, version, label, body, updated_at FROM doc WHERE collection = ?';
      const params: unknown[] = [collection];
      if (query.after !== undefined) {
        sql += ' AND id > ?';
        params.push(query.after);
      }
      for (const [field, value] of where) {
        const path = `$.${field}`;
        // json_type keeps types apart: true must not match 1, "1" must not match 1.
        if (typeof value === 'boolean') {
          sql += ' AND json_type(body, ?) = ?';
          params.push(path, value ? 'true' : 'false');
        } else if (typeof value === 'number') {
          sql += " AND json_type(body, ?) IN ('integer', 'real') AND json_extract(body, ?) = ?";
          params.push(path, path, value);
        } else {
          sql += " AND json_type(body, ?) = 'text' AND json_extract(body, ?) = ?";
          params.push(path, path, value);
        }
      }
      sql += ' ORDER BY id LIMIT ?';
      params.push(limit);
      let stmt = this.dynamic.get(sql);
      if (!stmt) {
        stmt = this.db.prepare(sql);
        if (this.dynamic.size < 256) this.dynamic.set(sql, stmt);
      }
      return (stmt.all(...params) as DocRow[]).map((r) => toDoc<B>(r));
    });
  }

  commit(ops: Parameters<Store['commit']>[0]): ReturnType<Store['commit']> {
    // IMMEDIATE takes the write lock before reading the audit head, so two connections cannot fork the chain.
    return this.run('commit failed', () => this.commitTx.immediate(ops));
  }

  auditRange(fromSeq: number, limit: number): Promise<AuditRow[]> {
    return this.run('auditRange failed', () =>
      (this.s.auditRange.all(checkSeq(fromSeq, 'fromSeq'), checkLimit(limit, 0)) as AuditDbRow[]).map(toAudit),
    );
  }

  auditHead(): Promise<AuditRow | undefined> {
    return this.run('auditHead failed', () => {
      const r = this.s.auditHead.get() as AuditDbRow | undefined;
      return r ? toAudit(r) : undefined;
    });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    await this.coalescer.close();
    this.db.close();
  }
}
