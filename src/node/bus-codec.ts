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

/**
 * Wire form: `<publishing process id>\n<JSON>`. The prefix lets a process recognise (and skip) its
 * own events without decoding them: it has already delivered those from memory.
 */
export function encodeBusEvent(e: BusEvent, processId = ''): Uint8Array {
  return enc.encode(processId + '\n' + JSON.stringify(e, replacer));
}

/** True when `b` was published by `processId` (compares the prefix bytes only). */
export function isFromProcess(b: Uint8Array, processId: string): boolean {
  if (processId === '' || b.length <= processId.length || b[processId.length] !== 0x0a) return false;
  for (let i = 0; i < processId.length; i++) if (b[i] !== processId.charCodeAt(i)) return false;
  return true;
}

export function decodeBusEvent(b: Uint8Array): BusEvent {
  const nl = b.indexOf(0x0a);
  return JSON.parse(dec.decode(nl >= 0 ? b.subarray(nl + 1) : b), reviver) as BusEvent;
}
