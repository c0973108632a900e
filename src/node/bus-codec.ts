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

export function encodeBusEvent(e: BusEvent): Uint8Array {
  return enc.encode(JSON.stringify(e));
}

export function decodeBusEvent(b: Uint8Array): BusEvent {
  return JSON.parse(dec.decode(b)) as BusEvent;
}
