import { randomUUID } from 'node:crypto';
import type { CotEvent } from './model.js';
import { cotTime } from './time.js';
import { decodeAttr, escapeAttr, readAttributes, scanXml } from './xml-scan.js';

/**
 * Control messages of the TAK streaming protocol (docs/tak-protocol.md §2.6 ping/pong, §3.2 negotiation), built
 * as CotEvents so the connection can encode them in its current wire format. Shapes follow TAK
 * Server: takp-* use how="m-g", a zero point with ce=le=999999 and a 60 s stale; the pong uses
 * how="h-g-i-g-o", ce=le=9999999 and a 20 s stale, no detail.
 */

export const CONTROL_TYPES = {
  PING: 't-x-c-t',
  PONG: 't-x-c-t-r',
  TAKP_OFFER: 't-x-takp-v',
  TAKP_REQUEST: 't-x-takp-q',
  TAKP_RESPONSE: 't-x-takp-r',
} as const;

export interface ControlOptions {
  /** Event uid; the negotiation reuses the offer's uid ("protouid"). Default: a random UUID. */
  uid?: string;
  /** Clock for time/start/stale (ms since epoch); default Date.now(). */
  nowMs?: number;
}

function controlEvent(type: string, how: string, uid: string, nowMs: number, staleMs: number, unknown: number, detailXml: string): CotEvent {
  const t = cotTime(nowMs);
  return {
    version: '2.0',
    uid,
    type,
    how,
    time: t,
    start: t,
    stale: cotTime(nowMs + staleMs),
    point: { lat: 0, lon: 0, hae: 0, ce: unknown, le: unknown },
    detailXml,
  };
}

/** A takp-* negotiation message: how="m-g", ce=le=999999, a 60 s stale. */
function takpEvent(type: string, opts: ControlOptions, detailXml: string): CotEvent {
  return controlEvent(type, 'm-g', opts.uid ?? randomUUID(), opts.nowMs ?? Date.now(), 60_000, 999999, detailXml);
}

/** t-x-takp-v: the server offers TAK protocol version 1. */
export function takControlOffer(opts: ControlOptions & { serverVersion?: string } = {}): CotEvent {
  const info = opts.serverVersion
    ? `<TakServerVersionInfo serverVersion="${escapeAttr(opts.serverVersion)}" apiVersion="3"/>`
    : '';
  return takpEvent(CONTROL_TYPES.TAKP_OFFER, opts, `<TakControl><TakProtocolSupport version="1"/>${info}</TakControl>`);
}

/**
 * The protocol version requested by a t-x-takp-q (`<TakControl><TakRequest version="N"/>`), or
 * undefined if `ev` is not a request or carries no valid version.
 */
export function parseTakRequest(ev: CotEvent): number | undefined {
  if (ev.type !== CONTROL_TYPES.TAKP_REQUEST || !ev.detailXml) return undefined;
  const { records } = scanXml(ev.detailXml, 'fragment', 1);
  const control = records.findIndex((r) => r.depth === 0 && r.name === 'TakControl');
  const req = control === -1 ? undefined : records.find((r) => r.parent === control && r.name === 'TakRequest');
  if (!req) return undefined;
  const raw = readAttributes(ev.detailXml, req.start).get('version');
  const v = raw === undefined ? '' : decodeAttr(raw).trim();
  return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

/** t-x-takp-r: accept (true) or refuse (false) the client's request; sent as XML. */
export function takControlResponse(ok: boolean, opts: ControlOptions = {}): CotEvent {
  return takpEvent(CONTROL_TYPES.TAKP_RESPONSE, opts, `<TakControl><TakResponse status="${ok ? 'true' : 'false'}"/></TakControl>`);
}

/** t-x-c-t-r answer to a t-x-c-t ping (to the pinging connection only). */
export function pong(uid = 'takPong', nowMs: number = Date.now()): CotEvent {
  return controlEvent(CONTROL_TYPES.PONG, 'h-g-i-g-o', uid, nowMs, 20_000, 9999999, '');
}
