/**
 * Event ids: UUID version 7 (RFC 9562), time-ordered. The stores key event history on (origin, id), so ids
 * that grow with time are appended at the right edge of that index instead of landing on a random page per
 * insert (random v4 ids); the id is still a plain lowercase UUID string, valid wherever one is expected.
 *
 * Layout: 48-bit Unix ms | version 7 | 12-bit counter (RFC 9562 §6.2 method 1: ids of one process stay
 * strictly increasing within a millisecond, and across a clock step back) | variant 10 | 62 random bits.
 * Randomness comes from a pooled `randomFillSync`, and the 13-character time prefix is built once per ms.
 */
import { randomFillSync } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_BYTES = 8 * 512;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;

let lastMs = -1;
let counter = 0;
/** `tttttttt-tttt-7` for lastMs */
let prefix = '';

const DIGIT = '0123456789abcdef';
/** 12 bits as 3 hex digits */
const hex12 = (n: number): string => DIGIT[n >> 8]! + HEX[n & 0xff]!;

function setPrefix(ms: number): void {
  const hi = Math.floor(ms / 0x10000);
  const lo = ms % 0x10000;
  prefix =
    HEX[(hi >>> 24) & 0xff]! + HEX[(hi >>> 16) & 0xff]! + HEX[(hi >>> 8) & 0xff]! + HEX[hi & 0xff]! + '-' + HEX[lo >>> 8]! + HEX[lo & 0xff]! + '-7';
}

/** A new event id (UUIDv7) at `nowMs` (default: the wall clock). */
export function newEventId(nowMs: number = Date.now()): string {
  const ms = Math.max(0, Math.min(Math.floor(nowMs), 0xffffffffffff));
  if (ms > lastMs) {
    lastMs = ms;
    counter = 0;
    setPrefix(ms);
  } else if (++counter > 0xfff) {
    // 4,096 ids within one millisecond (or the clock went back): borrow the next millisecond
    lastMs++;
    counter = 0;
    setPrefix(lastMs);
  }
  if (poolAt + 8 > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const r = pool;
  const i = poolAt;
  poolAt += 8;
  return (
    prefix +
    hex12(counter) +
    '-' +
    HEX[(r[i]! & 0x3f) | 0x80]! +
    HEX[r[i + 1]!]! +
    '-' +
    HEX[r[i + 2]!]! +
    HEX[r[i + 3]!]! +
    HEX[r[i + 4]!]! +
    HEX[r[i + 5]!]! +
    HEX[r[i + 6]!]! +
    HEX[r[i + 7]!]!
  );
}
