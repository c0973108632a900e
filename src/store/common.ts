import { memoLast } from '../util/memo.js';
import type { SecurityLabel } from '../labels/types.js';
import { createLabelInterner } from '../labels/index.js';
import { KizunaError } from '../util/errors.js';
import type { AuditDraft, AuditRow, DocPut, DocQuery, OutboxEntry, StoredEvent } from './types.js';

/**
 * Helpers shared by the SQLite and PostgreSQL adapters: input validation (bad input is a typed
 * error before anything is written), row decoding, and the small pieces of logic both must agree on.
 */

/** A stored t-x-d-d is its target's tombstone (the pipeline stores it under the target's uid). */
export const TOMBSTONE_TYPE = 't-x-d-d';

/**
 * The label column's JSON for one batch of events. A batch from one source (a feed's tick) carries one
 * label object for every event, so it is written out once per batch instead of once per row. The memo lives
 * only as long as the batch (created per write), so a label object changed between writes is never stale.
 */
export function labelJsonMemo(): (label: SecurityLabel) => string {
  return memoLast((label: SecurityLabel) => JSON.stringify(label));
}

/** Dedupe key across federation: the same event id from two origins are different events. */
export function eventKey(e: { origin: string; id: string }): string {
  return `${e.origin}\u0000${e.id}`;
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function isMs(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Number.isSafeInteger(Math.trunc(v));
}

function isLabel(v: unknown): v is SecurityLabel {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Partial<SecurityLabel>;
  return typeof l.policy === 'string' && typeof l.classification === 'string' && Array.isArray(l.categories);
}

/** Checks one input record's fields: `bad(field)` throws BAD_REQUEST naming `list[index].field`. */
function fieldsOf<T>(v: unknown, list: string, index: number, self: string): { x: Partial<T>; bad: (field: string) => never } {
  const bad = (field: string): never => {
    throw new KizunaError('BAD_REQUEST', `${list}[${index}].${field} is invalid`);
  };
  if (typeof v !== 'object' || v === null) bad(self);
  return { x: v as Partial<T>, bad };
}

export function validateEvent(e: unknown, index: number): StoredEvent {
  const { x, bad } = fieldsOf<StoredEvent>(e, 'event', index, '(event)');
  if (!isNonEmptyString(x.id)) bad('id');
  if (!isNonEmptyString(x.origin)) bad('origin');
  if (!isNonEmptyString(x.uid)) bad('uid');
  if (typeof x.type !== 'string') bad('type');
  if (x.callsign !== undefined && x.callsign !== null && typeof x.callsign !== 'string') bad('callsign');
  if (!isMs(x.time)) bad('time');
  if (!isMs(x.stale)) bad('stale');
  if (!isMs(x.receivedAt)) bad('receivedAt');
  if (!isLabel(x.label)) bad('label');
  if (typeof x.xml !== 'string') bad('xml');
  if (x.originator !== undefined && x.originator !== null && typeof x.originator !== 'string') bad('originator');
  return x as StoredEvent;
}

export function validateEvents(events: unknown): StoredEvent[] {
  if (!Array.isArray(events)) throw new KizunaError('BAD_REQUEST', 'events must be an array');
  return events.map((e, i) => validateEvent(e, i));
}

/** Dedupe inside one batch (first occurrence wins) so one statement never touches a key twice. */
export function uniqueByKey(events: StoredEvent[]): StoredEvent[] {
  const seen = new Set<string>();
  const out: StoredEvent[] = [];
  for (const e of events) {
    const k = eventKey(e);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

/** The newest event per uid among `events` (later position wins on equal time, like arrival order). */
export function newestPerUid(events: StoredEvent[]): StoredEvent[] {
  const best = new Map<string, StoredEvent>();
  for (const e of events) {
    const cur = best.get(e.uid);
    if (!cur || e.time >= cur.time) best.set(e.uid, e);
  }
  return [...best.values()];
}

export function validateDocPut(p: unknown, index: number): DocPut {
  const { x, bad } = fieldsOf<DocPut>(p, 'docs', index, '(doc)');
  if (!isNonEmptyString(x.collection)) bad('collection');
  if (!isNonEmptyString(x.id)) bad('id');
  if (!isLabel(x.label)) bad('label');
  if (x.body === undefined) bad('body');
  if (x.expectedVersion !== undefined && !(Number.isSafeInteger(x.expectedVersion) && x.expectedVersion >= 0)) {
    bad('expectedVersion');
  }
  return x as DocPut;
}

/** A validated doc put with its label and body as the text the store keeps. */
export interface EncodedPut {
  d: DocPut;
  label: string;
  body: string;
}

/** Validates a commit's docs and audit drafts and encodes the docs, so nothing is written on bad input. */
export function validateCommit(ops: {
  docs?: readonly DocPut[];
  audit?: AuditDraft[];
  chain?: (prev: AuditRow | undefined, draft: AuditDraft) => AuditRow;
}): { docs: EncodedPut[]; audit: AuditDraft[] } {
  if (typeof ops !== 'object' || ops === null) throw new KizunaError('BAD_REQUEST', 'commit ops must be an object');
  const docs = ops.docs ?? [];
  const audit = ops.audit ?? [];
  if (!Array.isArray(docs) || !Array.isArray(audit)) throw new KizunaError('BAD_REQUEST', 'docs/audit must be arrays');
  docs.forEach((d, i) => validateDocPut(d, i));
  if (audit.length > 0 && typeof ops.chain !== 'function') {
    throw new KizunaError('BAD_REQUEST', 'audit entries need a chain function');
  }
  return { docs: docs.map((d, i) => ({ d, label: JSON.stringify(d.label), body: encodeBody(d.body, i) })), audit };
}

/** Serialises a doc body; undefined / functions / cycles are rejected rather than stored lossy. */
export function encodeBody(body: unknown, index: number): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(body);
  } catch (cause) {
    throw new KizunaError('BAD_REQUEST', `docs[${index}].body is not JSON`, { cause });
  }
  if (s === undefined) throw new KizunaError('BAD_REQUEST', `docs[${index}].body is not JSON`);
  return s;
}

/** The chain function is the audit module's; the store still refuses rows that would break the sequence. */
export function checkChainedRow(prev: AuditRow | undefined, row: AuditRow): AuditRow {
  const expectedSeq = (prev?.seq ?? 0) + 1;
  if (!row || row.seq !== expectedSeq) {
    throw new KizunaError('AUDIT_BROKEN', `chain produced seq ${String(row?.seq)}, expected ${expectedSeq}`);
  }
  if (prev && row.prevHash !== prev.hash) throw new KizunaError('AUDIT_BROKEN', 'chain produced a wrong prevHash');
  for (const f of ['ts', 'kind', 'actor', 'body', 'prevHash', 'hash'] as const) {
    if (typeof row[f] !== 'string') throw new KizunaError('AUDIT_BROKEN', `chain produced a non-string ${f}`);
  }
  return row;
}

/** The audit rows a commit appends after `head`, in order, each checked against the one before it. */
export function chainRows(
  head: AuditRow | undefined,
  drafts: AuditDraft[],
  chain: (prev: AuditRow | undefined, draft: AuditDraft) => AuditRow,
): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = head;
  for (const draft of drafts) {
    const row = checkChainedRow(prev, chain(prev, draft));
    rows.push(row);
    prev = row;
  }
  return rows;
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new KizunaError('STORE_FAILED', `stored ${what} is not valid JSON`, { cause });
  }
}

const eventLabels = createLabelInterner();
const parseLabelText = (text: string) => parseJson<SecurityLabel>(text, 'event label');

/**
 * Event labels repeat: equal stored text yields the same object, so the release guard's caches hit on
 * replay and history instead of hashing every row's label again (see src/labels/intern.ts).
 */
export function parseEventLabel(text: string): SecurityLabel {
  return eventLabels.byText(text, parseLabelText);
}

/** A where-clause field name becomes part of a JSON path; only plain identifiers are accepted. */
export function checkWhere(where: DocQuery['where']): [string, string | number | boolean][] {
  if (where === undefined) return [];
  if (typeof where !== 'object' || where === null) throw new KizunaError('BAD_REQUEST', 'where must be an object');
  const out: [string, string | number | boolean][] = [];
  for (const [k, v] of Object.entries(where)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k)) throw new KizunaError('BAD_REQUEST', 'where field name is invalid');
    if (!['string', 'number', 'boolean'].includes(typeof v) || (typeof v === 'number' && !Number.isFinite(v))) {
      throw new KizunaError('BAD_REQUEST', 'where value must be a string, finite number or boolean');
    }
    out.push([k, v]);
  }
  return out;
}

/** A doc listing's where-clause and page size, checked. */
export function checkDocQuery(query: DocQuery): { where: [string, string | number | boolean][]; limit: number } {
  return { where: checkWhere(query.where), limit: checkLimit(query.limit, DEFAULT_LIST_LIMIT) };
}

export function checkLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new KizunaError('BAD_REQUEST', 'limit must be a non-negative integer');
  return limit;
}

export function checkSeq(seq: unknown, what: string): number {
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new KizunaError('BAD_REQUEST', `${what} must be a non-negative integer`);
  }
  return seq;
}

export function checkPeer(peer: unknown): string {
  if (!isNonEmptyString(peer)) throw new KizunaError('BAD_REQUEST', 'peer must be a non-empty string');
  return peer;
}

export function checkKeys(keys: unknown): string[] {
  if (!Array.isArray(keys) || !keys.every(isNonEmptyString)) {
    throw new KizunaError('BAD_REQUEST', 'keys must be non-empty strings');
  }
  return keys;
}

export function checkOutboxItems(items: unknown): OutboxEntry[] {
  if (!Array.isArray(items)) throw new KizunaError('BAD_REQUEST', 'items must be an array');
  for (const it of items) {
    const x = it as { key?: unknown; payload?: unknown; conflate?: unknown } | null;
    if (!x || !isNonEmptyString(x.key) || !(x.payload instanceof Uint8Array)) {
      throw new KizunaError('BAD_REQUEST', 'outbox item needs a key and a Uint8Array payload');
    }
    if (x.conflate !== undefined && !isNonEmptyString(x.conflate)) {
      throw new KizunaError('BAD_REQUEST', 'outbox conflate key must be a non-empty string');
    }
  }
  return items as OutboxEntry[];
}

/** Indexes of the items an enqueue writes: an item superseded by a later one in the same call is not. */
export function survivingItems(items: OutboxEntry[]): boolean[] {
  const last = new Map<string, number>();
  items.forEach((it, i) => it.conflate !== undefined && last.set(it.conflate, i));
  return items.map((it, i) => it.conflate === undefined || last.get(it.conflate) === i);
}

/** Wraps driver errors once, keeping our own typed errors as they are. */
export function storeError(e: unknown, what: string): KizunaError {
  if (e instanceof KizunaError) return e;
  return new KizunaError('STORE_FAILED', what, { cause: e });
}

export const DEFAULT_LIST_LIMIT = 1000;
export const DEFAULT_LATEST_LIMIT = 100_000;
