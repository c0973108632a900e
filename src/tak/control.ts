/**
 * CoT types the server consumes and never brokers (tak-protocol.md §2.6, §3.2).
 */
export const PING = 't-x-c-t';
export const PONG = 't-x-c-t-r';
export const DELETE = 't-x-d-d';
export const TAKP_VERSION = 't-x-takp-v';
export const TAKP_REQUEST = 't-x-takp-q';
export const TAKP_RESPONSE = 't-x-takp-r';

export function isControlType(type: string): boolean {
  return (
    type === PING ||
    type === PONG ||
    type.startsWith('t-x-takp') ||
    type.startsWith('t-b') ||
    type === 't-x-c-f' ||
    type === 't-x-c-m' ||
    type.startsWith('t-x-c-i-')
  );
}

/** SA / own-position events (tak-protocol.md §1.4): atoms "a-…" with a contact endpoint are contacts. */
export function isSituationalAwareness(type: string): boolean {
  return type.startsWith('a-');
}

import type { CotEvent } from '../cot/model.js';

function controlEvent(type: string, uid: string, staleMs: number, detailXml: string): CotEvent {
  const now = Date.now();
  const t = new Date(now).toISOString();
  return {
    version: '2.0',
    uid,
    type,
    how: type === PONG ? 'h-g-i-g-o' : 'm-g',
    time: t,
    start: t,
    stale: new Date(now + staleMs).toISOString(),
    point: { lat: 0, lon: 0, hae: 0, ce: 999999, le: 999999 },
    detailXml,
  };
}

const PROTO_UID = 'protouid';

/** Step 1 of §3.2: the server offers TAK protocol v1. */
export function takOffer(): CotEvent {
  return controlEvent(TAKP_VERSION, PROTO_UID, 60_000, '<TakControl><TakProtocolSupport version="1"/></TakControl>');
}

/** Step 3 of §3.2: sent as XML; when true both directions switch to protobuf right after it. */
export function takResponse(ok: boolean): CotEvent {
  return controlEvent(TAKP_RESPONSE, PROTO_UID, 60_000, `<TakControl><TakResponse status="${ok}"/></TakControl>`);
}

/** The version a t-x-takp-q asks for, or undefined when it asks for none. */
export function requestedVersion(ev: CotEvent): number | undefined {
  const m = /<TakRequest\b[^>]*\bversion\s*=\s*["'](\d+)["']/.exec(ev.detailXml);
  return m ? Number(m[1]) : undefined;
}

/** Pong goes to the pinging connection only (§2.6). */
export function pongEvent(): CotEvent {
  return controlEvent(PONG, 'takPong', 20_000, '');
}
