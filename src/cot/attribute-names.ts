import { randomBytes } from 'node:crypto';
import { fail, isNameChar, isNameStart, readName } from './xml-chars.js';

/**
 * Duplicate-attribute check for the scanner without making a string per name: the names of the
 * current start tag are kept as spans [start, end) of the input; a handful are compared pairwise,
 * beyond that they go into an open-addressed hash set of span indices. Before, every attribute cost
 * a string slice and a Set entry (~12× a typical event of the same size for 100,000 attributes), and
 * before that an array `includes` (60,000 attributes = 1.8e9 comparisons).
 *
 * The hash is seeded per process and its result mixed before the slot is taken from its low bits: with
 * a fixed, unmixed FNV-1a, names differing only in bit 15 of a character (e.g. U+4E00 / U+CE00) share
 * the low 15 bits of the hash whatever the seed, so a tag of such names would land in a few slots and
 * make linear probing quadratic.
 *
 * Cost for many names (100,000 sequential `a0…a99999` in one tag): the mixed hash sends each name to a
 * random slot of a table of ~1 MiB, so inserts and rebuilds are cache misses. Hence the name is hashed
 * in the pass that reads it, and the table grows 4× at a time (its rebuilds re-place, at random again, a
 * third as many names in all as when doubling).
 *
 * Module-level scratch: the scanner never re-enters itself, and reusing the arrays keeps a typical
 * element allocation-free.
 */

/** Up to this many names the check compares pairs (cheaper than hashing CoT's usual handful). */
const SMALL_COUNT = 8;
/** Slots of the smallest table. */
const MIN_TABLE = 256;
/** Above this many entries the scratch space a hostile tag grew is dropped after the scan. */
const KEEP_ENTRIES = 4096;

const SEED = randomBytes(4).readInt32LE(0);

/** Per name of the current tag: start, end and hash (once hashed), side by side. */
let spans: Int32Array = new Int32Array(3 * 64);
/**
 * Per slot, one word: span index + 1 in the bits below the table's size (0 = empty; the table has more
 * slots than names), the hash's bits above them: half the memory of a hash and an index side by side, and
 * an unequal name is still told apart without reading its characters.
 */
let table: Int32Array = new Int32Array(MIN_TABLE);

function sameSpan(s: string, a: number, b: number): boolean {
  const as = spans[3 * a]!;
  const bs = spans[3 * b]!;
  const len = spans[3 * a + 1]! - as;
  if (spans[3 * b + 1]! - bs !== len) return false;
  for (let k = 0; k < len; k++) if (s.charCodeAt(as + k) !== s.charCodeAt(bs + k)) return false;
  return true;
}

/** Seeded FNV-1a over the UTF-16 units of s[start, end), then murmur3's finaliser so every bit reaches the low ones. */
function spanHash(s: string, start: number, end: number): number {
  let h = SEED;
  for (let k = start; k < end; k++) h = Math.imul(h ^ s.charCodeAt(k), FNV_PRIME);
  return fmix(h);
}

const FNV_PRIME = 0x01000193;

/** murmur3's fmix32: every input bit reaches every output bit (the slot is taken from the low ones). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Inserts span `i` with hash `h` (the table has free slots); false if an equal name is already there. */
function hashInsert(s: string, i: number, h: number): boolean {
  const mask = table.length - 1;
  const high = h & ~mask;
  for (let slot = h & mask; ; slot = (slot + 1) & mask) {
    const t = table[slot]!;
    if (t === 0) {
      table[slot] = high | (i + 1);
      return true;
    }
    if ((t & ~mask) === high && sameSpan(s, (t & mask) - 1, i)) return false;
  }
}

/** Places spans already known to be distinct (no comparisons). */
function place(i: number, h: number): void {
  const mask = table.length - 1;
  let slot = h & mask;
  while (table[slot] !== 0) slot = (slot + 1) & mask;
  table[slot] = (h & ~mask) | (i + 1);
}

/**
 * Rebuilds the set for spans [0, distinct) (known distinct, hashed) at a load of at most 1/8; it is
 * rebuilt at 1/2, so it grows 4× at a time. The size follows the count both ways, so one tag with
 * 100,000 attributes cannot make every later 9-attribute tag clear a huge table.
 */
function rehash(distinct: number): void {
  let size = MIN_TABLE;
  while (size < distinct * 8) size *= 2;
  if (size !== table.length) table = new Int32Array(size);
  else table.fill(0);
  for (let k = 0; k < distinct; k++) place(k, spans[3 * k + 2]!);
}

/**
 * Reads the name at `start` as attribute number `count` of the current tag (numbered from 0 per tag,
 * in order): the index after it, or -1 when the tag already has an attribute of that name. COT_PARSE
 * when no name starts there (as `readName`).
 */
export function readAttributeName(s: string, count: number, start: number): number {
  if (3 * count === spans.length) {
    const bigger = new Int32Array(spans.length * 2);
    bigger.set(spans);
    spans = bigger;
  }
  spans[3 * count] = start;
  return count < SMALL_COUNT ? readFew(s, count, start) : readHashed(s, count, start);
}

/** Names 0 to SMALL_COUNT - 1: compared pairwise (kept apart from the hashing so this stays small). */
function readFew(s: string, count: number, start: number): number {
  const end = readName(s, start);
  spans[3 * count + 1] = end;
  for (let k = 0; k < count; k++) if (sameSpan(s, k, count)) return -1;
  return end;
}

/** Names from SMALL_COUNT on: read and hashed in one pass (the same hash as spanHash), then set. */
function readHashed(s: string, count: number, start: number): number {
  if (count === SMALL_COUNT) {
    for (let k = 0; k < SMALL_COUNT; k++) spans[3 * k + 2] = spanHash(s, spans[3 * k]!, spans[3 * k + 1]!);
    rehash(SMALL_COUNT);
  } else if (count * 2 >= table.length) {
    rehash(count);
  }
  let c = s.charCodeAt(start);
  if (!isNameStart(c)) fail('COT_PARSE', 'expected a name', start);
  let h = SEED;
  let end = start;
  do {
    h = Math.imul(h ^ c, FNV_PRIME);
    c = s.charCodeAt(++end);
  } while (isNameChar(c));
  h = fmix(h);
  spans[3 * count + 1] = end;
  spans[3 * count + 2] = h;
  return hashInsert(s, count, h) ? end : -1;
}

/** Drops scratch space a hostile tag grew (called once per scan, so it is reused within one). */
export function resetAttributeNames(): void {
  if (spans.length > 3 * KEEP_ENTRIES) spans = new Int32Array(3 * 64);
  if (table.length > KEEP_ENTRIES) table = new Int32Array(MIN_TABLE);
}
