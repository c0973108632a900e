import type { SecurityLabel } from '../labels/types.js';
import type { Admitted } from '../labels/admitted.js';
import type { MissionStore } from './missions-types.js';
import type { HistorySampleQuery } from './history-sample.js';

/**
 * The one store interface. SQLite (embedded default) and PostgreSQL (scale-out) both implement it and
 * pass the same contract suite (src/store/contract.ts). Every stored object carries its label.
 */

/** A CoT event as stored. `xml` is the event as received (with its 4774 label element), re-emitted verbatim. */
export interface StoredEvent {
  /** Globally unique event id; with `origin` the dedupe key across federation. */
  id: string;
  /** Origin node id (e.g. "JPN", "USA"). */
  origin: string;
  uid: string;
  type: string;
  callsign?: string;
  /** ms since epoch */
  time: number;
  /** ms since epoch; events past stale are never replayed */
  stale: number;
  /** ms since epoch */
  receivedAt: number;
  label: SecurityLabel;
  xml: string;
  /**
   * Identity that created the object (write authority: only it, or a moderator of the owning nation, may
   * change it): 'cert:<serial>', 'anon:<nation>', 'user:<name>', 'node:<id>', 'feed:<id>'. Absent on rows
   * written before the write authority existed.
   */
  originator?: string;
}

/** How `appendEvents` stores a batch. */
export interface AppendOptions {
  /**
   * Events of the batch (by identity) kept as their uid's latest state only, without a history row: a
   * node's own sensor feed samples its track history (src/feeds/history.ts) while the live picture takes
   * every update. Such an event counts as new (is returned) when it becomes the uid's latest row: newer
   * than the stored latest, or as new and not that very event (same origin + id); otherwise nothing is
   * written for it. It is remembered only while it is the latest, which is enough for the one writer that
   * uses it (a feed never hands the same event over twice). A tombstone is always written to history.
   */
  latestOnly?: ReadonlySet<StoredEvent>;
}

export interface EventStore {
  /** Atomically appends a batch (history) and updates latest-per-uid. Resolves once durable
   * (survives kill -9). Ids already stored (same origin+id) are skipped; returns the ids that were new.
   * `opts.latestOnly`: events that update latest-per-uid without a history row (see AppendOptions). */
  appendEvents(events: readonly Admitted<StoredEvent>[], opts?: AppendOptions): Promise<string[]>;
  /** Removes the latest state of a uid (t-x-d-d); history is kept. */
  deleteUid(uid: string): Promise<void>;
  getLatest(uid: string): Promise<StoredEvent | undefined>;
  /**
   * Latest state per uid, non-stale at `now` unless includeStale; ordered by time ascending. A stored
   * t-x-d-d is its target's tombstone: it ends the uid's latest state (getLatest/latest skip it) but is kept,
   * with its label and originator, for `includeDeleted` (the write authority's holder index).
   */
  latest(opts: { now: number; includeStale?: boolean; includeDeleted?: boolean; limit?: number }): Promise<StoredEvent[]>;
  history(uid: string, opts?: { since?: number; until?: number; limit?: number }): Promise<StoredEvent[]>;
  /** All uids' history in [since, until), at most one event (the newest) per uid per `step` ms; no tombstones (history-sample.ts). */
  sampledHistory(q: HistorySampleQuery): Promise<StoredEvent[]>;
  /**
   * A sampled track's last update into history: copies each uid's latest row (not a tombstone, written by
   * `originator`) into history unless history has it already. A feed calls it for the tracks it forgets,
   * so a track's history ends where the track was last seen. Returns rows added.
   */
  historyFromLatest(uids: readonly string[], originator: string): Promise<number>;
  /** Retention bound: deletes history rows older than `before` (ms). Returns rows removed. */
  pruneHistory(before: number): Promise<number>;
}

/** Per-peer persistent federation outbox (store-and-forward) and inbound dedupe. */
export interface OutboxItem {
  seq: number;
  /** origin + id of the carried object, for dedupe on the far side */
  key: string;
  payload: Uint8Array;
}
export interface OutboxEntry {
  key: string;
  payload: Uint8Array;
  /** set only for items a newer one may replace (a position, keyed by origin + uid) */
  conflate?: string;
}
export interface OutboxStore {
  /**
   * Appends items for one peer; returns assigned sequence numbers (monotonic per peer, from 1). An item
   * with a `conflate` key supersedes (removes) every unacknowledged item of that peer with the same key,
   * earlier ones in the same call included; it takes a new seq, so it goes after everything queued before
   * it. Seqs of superseded items are never sent: the sender sees gaps.
   */
  enqueue(peer: string, items: OutboxEntry[]): Promise<number[]>;
  /** Items with seq > afterSeq, ascending, at most `limit`. */
  pending(peer: string, afterSeq: number, limit: number): Promise<OutboxItem[]>;
  /** Peer acknowledged everything up to and including `seq`: those rows may be dropped. */
  ack(peer: string, seq: number): Promise<void>;
  /** Highest acknowledged seq (0 when none). */
  acked(peer: string): Promise<number>;
  /** Items waiting (enqueued, neither acknowledged nor superseded). */
  depth(peer: string): Promise<number>;
  /** Inbound dedupe: records keys; returns the subset that had not been seen before. Atomic. */
  markSeen(keys: string[]): Promise<string[]>;
}

/** A hash-chained audit row. The chain logic lives in src/coordination/audit.ts; the store persists rows. */
export interface AuditRow {
  seq: number;
  /** ISO 8601 UTC */
  ts: string;
  kind: string;
  actor: string;
  /** canonical JSON string of the entry body */
  body: string;
  prevHash: string;
  hash: string;
}

/** A labelled JSON document (coordination objects, users, sessions, file metadata, ...). */
export interface Doc<B = unknown> {
  collection: string;
  id: string;
  /** optimistic concurrency: 1 on first write, +1 per update */
  version: number;
  label: SecurityLabel;
  body: B;
  updatedAt: number;
}

export interface DocPut<B = unknown> {
  collection: string;
  id: string;
  label: SecurityLabel;
  body: B;
  /** when set, the write fails with CONFLICT unless the stored version equals it (0 = must not exist) */
  expectedVersion?: number;
}

/** An audit entry before chaining; `commit` chains it atomically after the current head. */
export interface AuditDraft {
  ts: string;
  kind: string;
  actor: string;
  body: unknown;
}

export interface DocQuery {
  /** equality on top-level body fields */
  where?: Record<string, string | number | boolean>;
  /** ids strictly greater than `after` (cursor pagination, ascending by id) */
  after?: string;
  limit?: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly events: EventStore;
  readonly outbox: OutboxStore;
  /** TAK missions (Data Sync), labelled row by row */
  readonly missions: MissionStore;
  getDoc<B>(collection: string, id: string): Promise<Doc<B> | undefined>;
  listDocs<B>(collection: string, query?: DocQuery): Promise<Doc<B>[]>;
  /**
   * One atomic write: document puts (with optimistic checks) and audit appends, all or nothing. Puts are
   * only what the write authority admitted (`admit`, or `admitNodeRecord` for the node's own bookkeeping).
   * Audit rows are chained with `chain(prev, draft)`, supplied by the audit module, so the store stays
   * ignorant of hashing. Returns the new doc versions and the audit rows written.
   */
  commit(ops: {
    docs?: readonly Admitted<DocPut>[];
    audit?: AuditDraft[];
    chain?: (prev: AuditRow | undefined, draft: AuditDraft) => AuditRow;
  }): Promise<{ versions: number[]; audit: AuditRow[] }>;
  auditRange(fromSeq: number, limit: number): Promise<AuditRow[]>;
  auditHead(): Promise<AuditRow | undefined>;
  close(): Promise<void>;
}
