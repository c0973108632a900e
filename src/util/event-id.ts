/**
 * Event ids: UUID version 7 (RFC 9562), time-ordered. The stores key event history on (origin, id), so ids
 * that grow with time are appended at the right edge of that index instead of landing on a random page per
 * insert (random v4 ids); the id is still a plain lowercase UUID string, valid wherever one is expected.
 *
 * Layout: 48-bit Unix ms | version 7 | 12 random bits | variant 10 | 62 random bits. No sequence counter
 * (RFC 9562 §6.2 method 1) on purpose: ids travel to partner nodes, and a counter shared by every event of
 * the process would tell a partner how many events it was not sent between two it was. The ms prefix is
 * what keeps the index local; within one ms the order is random, which nothing relies on.
 * Randomness comes from a pooled `randomFillSync`, and the 13-character time prefix is built once per ms.
 */
import { randomFillSync } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const DIGIT = '0123456789abcdef';
const ID_BYTES = 10;
const POOL_BYTES = ID_BYTES * 512;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;

let lastMs = -1;
/** `tttttttt-tttt-7` for lastMs */
let prefix = '';

function setPrefix(ms: number): void {
  const hi = Math.floor(ms / 0x10000);
  const lo = ms % 0x10000;
  prefix =
    HEX[(hi >>> 24) & 0xff]! + HEX[(hi >>> 16) & 0xff]! + HEX[(hi >>> 8) & 0xff]! + HEX[hi & 0xff]! + '-' + HEX[lo >>> 8]! + HEX[lo & 0xff]! + '-7';
}

/** A new event id (UUIDv7) at `nowMs` (default: the wall clock). */
export function newEventId(nowMs: number = Date.now()): string {
  const ms = Math.max(0, Math.min(Math.floor(nowMs), 0xffffffffffff));
  if (ms !== lastMs) {
    lastMs = ms;
    setPrefix(ms);
  }
  if (poolAt + ID_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const r = pool;
  const i = poolAt;
  poolAt += ID_BYTES;
  return (
    prefix +
    DIGIT[r[i]! & 0x0f]! +
    HEX[r[i + 1]!]! +
    '-' +
    HEX[(r[i + 2]! & 0x3f) | 0x80]! +
    HEX[r[i + 3]!]! +
    '-' +
    HEX[r[i + 4]!]! +
    HEX[r[i + 5]!]! +
    HEX[r[i + 6]!]! +
    HEX[r[i + 7]!]! +
    HEX[r[i + 8]!]! +
    HEX[r[i + 9]!]!
  );
}
