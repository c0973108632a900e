import Database from 'better-sqlite3';
import { KizunaError } from '../util/errors.js';
import type { SecurityLabel } from '../labels/types.js';
import { WriteCoalescer, type CoalescerOptions } from './coalescer.js';
import {
  DEFAULT_LATEST_LIMIT,
  DEFAULT_LIST_LIMIT,
  checkChainedRow,
  checkKeys,
  checkLimit,
  checkOutboxItems,
  checkPeer,
  checkSeq,
  checkWhere,
  encodeBody,
  eventKey,
  newestPerUid,
  parseEventLabel,
  parseJson,
  storeError,
  TOMBSTONE_TYPE,
  survivingItems,
  validateCommit,
  validateEvents,
} from './common.js';
import { checkSampleQuery, sampleParams, sampleSql } from './history-sample.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import type { AuditRow, Doc, DocQuery, EventStore, OutboxEntry, OutboxItem, OutboxStore, Store, StoredEvent } from './types.js';

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

interface EventRow {
  origin: string;
  id: string;
  uid: string;
  type: string;
  callsign: string | null;
  time: number;
  stale: number;
  received_at: number;
  label: string;
  xml: string;
  originator: string | null;
}

const EVENT_COLS = 'origin, id, uid, type, callsign, time, stale, received_at, label, xml, originator';
const FAR_PAST = -8.64e15;
const FAR_FUTURE = 8.64e15;

function toEvent(r: EventRow): StoredEvent {
  const e: StoredEvent = {
    id: r.id,
    origin: r.origin,
    uid: r.uid,
    type: r.type,
    time: r.time,
    stale: r.stale,
    receivedAt: r.received_at,
    label: parseEventLabel(r.label),
    xml: r.xml,
  };
  if (r.callsign !== null) e.callsign = r.callsign;
  if (r.originator !== null) e.originator = r.originator;
  return e;
}

function eventParams(e: StoredEvent): unknown[] {
  return [e.origin, e.id, e.uid, e.type, e.callsign ?? null, e.time, e.stale, e.receivedAt, JSON.stringify(e.label), e.xml, e.originator ?? null];
}

interface DocRow {
  collection: string;
  id: string;
  version: number;
  label: string;
  body: string;
  updated_at: number;
}

function toDoc<B>(r: DocRow): Doc<B> {
  return {
    collection: r.collection,
    id: r.id,
    version: r.version,
    label: parseJson<SecurityLabel>(r.label, 'doc label'),
    body: parseJson<B>(r.body, 'doc body'),
    updatedAt: r.updated_at,
  };
}

interface AuditDbRow {
  seq: number;
  ts: string;
  kind: string;
  actor: string;
  body: string;
  prev_hash: string;
  hash: string;
}

function toAudit(r: AuditDbRow): AuditRow {
  return { seq: r.seq, ts: r.ts, kind: r.kind, actor: r.actor, body: r.body, prevHash: r.prev_hash, hash: r.hash };
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  // IMMEDIATE: two processes opening a fresh file at once must not both apply a migration.
  db.transaction(() => {
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const m of sqliteMigrations) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }
  }).immediate();
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

/** Prepared once, reused for the life of the connection. */
function prepareStatements(db: Database.Database) {
return {
    insertHistory: db.prepare(
      `INSERT INTO event_history (${EVENT_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (origin, id) DO NOTHING`,
    ),
    // An older event never replaces a newer latest; a tombstone is only replaced by a strictly newer event.
    upsertLatest: db.prepare(
      `INSERT INTO event_latest (${EVENT_COLS}, deleted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT (uid) DO UPDATE SET origin = excluded.origin, id = excluded.id, type = excluded.type,
         callsign = excluded.callsign, time = excluded.time, stale = excluded.stale,
         received_at = excluded.received_at, label = excluded.label, xml = excluded.xml,
         originator = excluded.originator, deleted = excluded.deleted
       WHERE excluded.time > event_latest.time OR (event_latest.deleted = 0 AND excluded.time = event_latest.time)`,
    ),
    deleteLatest: db.prepare('UPDATE event_latest SET deleted = 1 WHERE uid = ?'),
    getLatest: db.prepare(`SELECT ${EVENT_COLS} FROM event_latest WHERE uid = ? AND deleted = 0`),
    latest: db.prepare(
      `SELECT ${EVENT_COLS} FROM event_latest WHERE (? = 1 OR deleted = 0) AND (? = 1 OR stale > ?) ORDER BY time, uid LIMIT ?`,
    ),
    history: db.prepare(
      `SELECT ${EVENT_COLS} FROM event_history WHERE uid = ? AND time >= ? AND time < ?
       ORDER BY time, received_at, origin, id LIMIT ?`,
    ),
    prune: db.prepare('DELETE FROM event_history WHERE time < ?'),
    peerInit: db.prepare('INSERT INTO outbox_peer (peer, last_seq, acked) VALUES (?, 0, 0) ON CONFLICT (peer) DO NOTHING'),
    peerGet: db.prepare('SELECT last_seq, acked, live FROM outbox_peer WHERE peer = ?'),
    peerSetLast: db.prepare('UPDATE outbox_peer SET last_seq = ?, live = live + ? WHERE peer = ?'),
    peerSetAcked: db.prepare('UPDATE outbox_peer SET acked = ?, live = live - ? WHERE peer = ?'),
    itemInsert: db.prepare('INSERT INTO outbox_item (peer, seq, key, payload, conflate) VALUES (?, ?, ?, ?, ?)'),
    itemSupersede: db.prepare('DELETE FROM outbox_item WHERE peer = ? AND conflate = ?'),
    itemPending: db.prepare('SELECT seq, key, payload FROM outbox_item WHERE peer = ? AND seq > ? ORDER BY seq LIMIT ?'),
    itemDrop: db.prepare('DELETE FROM outbox_item WHERE peer = ? AND seq <= ?'),
    seenInsert: db.prepare('INSERT INTO inbound_seen (key, seen_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    docGet: db.prepare('SELECT collection, id, version, label, body, updated_at FROM doc WHERE collection = ? AND id = ?'),
    docUpsert: db.prepare(
      `INSERT INTO doc (collection, id, version, label, body, updated_at) VALUES (?, ?, 1, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET version = doc.version + 1, label = excluded.label,
         body = excluded.body, updated_at = excluded.updated_at
       RETURNING version`,
    ),
    docCreate: db.prepare(
      `INSERT INTO doc (collection, id, version, label, body, updated_at) VALUES (?, ?, 1, ?, ?, ?)
       ON CONFLICT (collection, id) DO NOTHING RETURNING version`,
    ),
    docUpdate: db.prepare(
      `UPDATE doc SET version = version + 1, label = ?, body = ?, updated_at = ?
       WHERE collection = ? AND id = ? AND version = ? RETURNING version`,
    ),
    auditHead: db.prepare('SELECT seq, ts, kind, actor, body, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT 1'),
    auditInsert: db.prepare(
      'INSERT INTO audit (seq, ts, kind, actor, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    auditRange: db.prepare(
      'SELECT seq, ts, kind, actor, body, prev_hash, hash FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?',
    ),
  };
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly events: EventStore;
  readonly outbox: OutboxStore;
  private readonly coalescer: WriteCoalescer;
  private readonly dynamic = new Map<string, Database.Statement>();
  private sampleStmt: Database.Statement | undefined;
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly writeEvents: Database.Transaction<(events: StoredEvent[]) => Set<string>>;
  private readonly commitTx: Database.Transaction<
    (ops: Parameters<Store['commit']>[0]) => { versions: number[]; audit: AuditRow[] }
  >;

  constructor(
    private readonly db: Database.Database,
    opts: SqliteStoreOptions,
  ) {
    this.s = prepareStatements(db);
    const s = this.s;

    this.writeEvents = db.transaction((events: StoredEvent[]) => {
      const fresh = new Set<string>();
      const added: StoredEvent[] = [];
      for (const e of events) {
        if (s.insertHistory.run(...eventParams(e)).changes === 1) {
          fresh.add(eventKey(e));
          added.push(e);
        }
      }
      for (const e of newestPerUid(added)) s.upsertLatest.run(...eventParams(e), e.type === TOMBSTONE_TYPE ? 1 : 0);
      return fresh;
    });

    this.commitTx = db.transaction((ops: Parameters<Store['commit']>[0]) => {
      const { docs, audit } = validateCommit(ops);
      const now = Date.now();
      const versions = docs.map((d, i) => {
        const label = JSON.stringify(d.label);
        const body = encodeBody(d.body, i);
        let row: { version: number } | undefined;
        if (d.expectedVersion === undefined) row = s.docUpsert.get(d.collection, d.id, label, body, now) as typeof row;
        else if (d.expectedVersion === 0) row = s.docCreate.get(d.collection, d.id, label, body, now) as typeof row;
        else row = s.docUpdate.get(label, body, now, d.collection, d.id, d.expectedVersion) as typeof row;
        if (!row) throw new KizunaError('CONFLICT', `doc ${d.collection}/${d.id} is not at version ${d.expectedVersion}`);
        return row.version;
      });
      const rows: AuditRow[] = [];
      const head = s.auditHead.get() as AuditDbRow | undefined;
      let prev = head ? toAudit(head) : undefined;
      for (const draft of audit) {
        const row = checkChainedRow(prev, ops.chain!(prev, draft));
        s.auditInsert.run(row.seq, row.ts, row.kind, row.actor, row.body, row.prevHash, row.hash);
        rows.push(row);
        prev = row;
      }
      return { versions, audit: rows };
    });

    this.coalescer = new WriteCoalescer(async (events) => this.writeEvents.immediate(events), {
      maxDelayMs: opts.coalesce?.maxDelayMs ?? 2,
      maxEvents: opts.coalesce?.maxEvents ?? 2000,
    });
    this.events = this.makeEventStore();
    this.outbox = this.makeOutboxStore();
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
      appendEvents: async (events) => {
        const valid = validateEvents(events);
        if (this.coalescer.isClosed || !this.db.open) throw new KizunaError('STORE_FAILED', 'store is closed');
        try {
          return await this.coalescer.submit(valid);
        } catch (e) {
          throw storeError(e, 'appendEvents failed');
        }
      },
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
      pruneHistory: (before) => this.run('pruneHistory failed', () => s.prune.run(before).changes),
      sampledHistory: (q) =>
        this.run('sampledHistory failed', () => {
          const stmt = (this.sampleStmt ??= this.db.prepare(sampleSql(EVENT_COLS, () => 'CAST(? AS INTEGER)')));
          return (stmt.all(...sampleParams(checkSampleQuery(q))) as EventRow[]).map(toEvent);
        }),
    };
  }

  private makeOutboxStore(): OutboxStore {
    const s = this.s;
    const db = this.db;
    const enqueueTx = db.transaction((peer: string, items: OutboxEntry[]) => {
      s.peerInit.run(peer);
      const { last_seq } = s.peerGet.get(peer) as { last_seq: number };
      const keep = survivingItems(items);
      let live = 0;
      const seqs = items.map((it, i) => {
        const seq = last_seq + i + 1;
        if (!keep[i]) return seq;
        if (it.conflate !== undefined) live -= s.itemSupersede.run(peer, it.conflate).changes;
        s.itemInsert.run(peer, seq, it.key, it.payload, it.conflate ?? null);
        live++;
        return seq;
      });
      s.peerSetLast.run(last_seq + items.length, live, peer);
      return seqs;
    });
    const ackTx = db.transaction((peer: string, seq: number) => {
      const row = s.peerGet.get(peer) as { last_seq: number; acked: number } | undefined;
      if (!row) return;
      // A peer cannot acknowledge what was never assigned; clamp so depth never goes negative.
      const acked = Math.max(row.acked, Math.min(seq, row.last_seq));
      if (acked === row.acked) return;
      const dropped = s.itemDrop.run(peer, acked).changes;
      s.peerSetAcked.run(acked, dropped, peer);
    });
    const seenTx = db.transaction((keys: string[]) => {
      const now = Date.now();
      return keys.filter((k) => s.seenInsert.run(k, now).changes === 1);
    });
    return {
      enqueue: (peer, items) =>
        this.run('outbox enqueue failed', () => {
          checkPeer(peer);
          checkOutboxItems(items);
          return items.length === 0 ? [] : enqueueTx.immediate(peer, items);
        }),
      pending: (peer, afterSeq, limit) =>
        this.run('outbox pending failed', () => {
          const rows = s.itemPending.all(checkPeer(peer), checkSeq(afterSeq, 'afterSeq'), checkLimit(limit, 0)) as {
            seq: number;
            key: string;
            payload: Buffer;
          }[];
          return rows.map(
            (r): OutboxItem => ({
              seq: r.seq,
              key: r.key,
              payload: new Uint8Array(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
            }),
          );
        }),
      ack: (peer, seq) => this.run('outbox ack failed', () => ackTx.immediate(checkPeer(peer), checkSeq(seq, 'seq'))),
      acked: (peer) =>
        this.run('outbox acked failed', () => {
          const row = s.peerGet.get(checkPeer(peer)) as { acked: number } | undefined;
          return row?.acked ?? 0;
        }),
      depth: (peer) =>
        this.run('outbox depth failed', () => {
          const row = s.peerGet.get(checkPeer(peer)) as { live: number } | undefined;
          return row?.live ?? 0;
        }),
      markSeen: (keys) => this.run('markSeen failed', () => seenTx.immediate(checkKeys(keys))),
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
      const where = checkWhere(query.where);
      const limit = checkLimit(query.limit, DEFAULT_LIST_LIMIT);
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
