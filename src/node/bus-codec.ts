import type { CotEvent } from '../cot/model.js';
import type { StoredEvent } from '../store/types.js';
import type { RouteInfo } from '../tak/routing.js';

/** What travels on the node's bus for each stored event: encoded once, decoded once per process. */
export interface BusEvent {
  stored: StoredEvent;
  cot: CotEvent;
  route: RouteInfo;
  hops: string[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

// JSON has no NaN/INF, but CoT points carry them (le="NaN" from real clients): tag them on the way.
const NON_FINITE = '\u0000num:';
const replacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? NON_FINITE + String(v) : v);
const reviver = (_k: string, v: unknown) => (typeof v === 'string' && v.startsWith(NON_FINITE) ? Number(v.slice(NON_FINITE.length)) : v);

export function encodeBusEvent(e: BusEvent): Uint8Array {
  return enc.encode(JSON.stringify(e, replacer));
}

export function decodeBusEvent(b: Uint8Array): BusEvent {
  return JSON.parse(dec.decode(b), reviver) as BusEvent;
}
