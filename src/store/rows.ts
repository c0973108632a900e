import type { SecurityLabel } from '../labels/types.js';
import { parseEventLabel, parseJson } from './common.js';
import type { AuditRow, Doc, StoredEvent } from './types.js';

// Row shapes and their mapping to store types, shared by both dialects. An integer column is `Int`:
// PostgreSQL returns bigint as a string, SQLite as a number; Number() reads both (and is the identity on a number).

export type Int = number | string;

export const EVENT_COLS = 'origin, id, uid, type, callsign, time, stale, received_at, label, xml, originator';

export interface EventRow {
  origin: string;
  id: string;
  uid: string;
  type: string;
  callsign: string | null;
  time: Int;
  stale: Int;
  received_at: Int;
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

export interface DocRow {
  collection: string;
  id: string;
  version: Int;
  label: string;
  body: string;
  updated_at: Int;
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
  seq: Int;
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
