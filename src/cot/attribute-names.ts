/**
 * Duplicate-attribute check for the scanner without making a string per name: the names of the
 * current start tag are kept as spans [start, end) of the input; a handful are compared pairwise,
 * beyond that they go into an open-addressed hash set of span indices. Before, every attribute cost
 * a string slice and a Set entry (~12× a typical event of the same size for 100,000 attributes), and
 * before that an array `includes` (60,000 attributes = 1.8e9 comparisons).
 *
 * Module-level scratch: the scanner never re-enters itself, and reusing the arrays keeps a typical
 * element allocation-free.
 */

/** Up to this many names the check compares pairs (cheaper than hashing CoT's usual handful). */
const SMALL_COUNT = 8;
const MIN_TABLE = 256;

let spanStart: Int32Array = new Int32Array(64);
let spanEnd: Int32Array = new Int32Array(64);
/** Hash of each span once it is in the hash set (rehashing reuses it). */
let spanHashes: Int32Array = new Int32Array(64);
/** Span index + 1 per slot (0 = empty), and the slot's hash. */
let table: Int32Array = new Int32Array(MIN_TABLE);
let tableHash: Int32Array = new Int32Array(MIN_TABLE);

function sameSpan(s: string, a: number, b: number): boolean {
  const as = spanStart[a]!;
  const bs = spanStart[b]!;
  const len = spanEnd[a]! - as;
  if (spanEnd[b]! - bs !== len) return false;
  for (let k = 0; k < len; k++) if (s.charCodeAt(as + k) !== s.charCodeAt(bs + k)) return false;
  return true;
}

/** FNV-1a over the span's UTF-16 units. */
function spanHash(s: string, i: number): number {
  let h = 0x811c9dc5;
  for (let k = spanStart[i]!, e = spanEnd[i]!; k < e; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h | 0;
}

/** Inserts span `i` with hash `h` (the table has free slots); false if an equal name is already there. */
function hashInsert(s: string, i: number, h: number): boolean {
  const mask = table.length - 1;
  for (let slot = h & mask; ; slot = (slot + 1) & mask) {
    const t = table[slot]!;
    if (t === 0) {
      table[slot] = i + 1;
      tableHash[slot] = h;
      return true;
    }
    if (tableHash[slot] === h && sameSpan(s, t - 1, i)) return false;
  }
}

/** Places spans already known to be distinct (no comparisons). */
function place(i: number, h: number): void {
  const mask = table.length - 1;
  let slot = h & mask;
  while (table[slot] !== 0) slot = (slot + 1) & mask;
  table[slot] = i + 1;
  tableHash[slot] = h;
}

/**
 * Rebuilds the set for spans [0, distinct) (known distinct, hashed) at a load of at most 1/8, so it
 * is rebuilt rarely. The size follows the count both ways, so one tag with 100,000 attributes cannot
 * make every later 9-attribute tag clear a huge table.
 */
function rehash(distinct: number): void {
  let size = MIN_TABLE;
  while (size < distinct * 8) size *= 2;
  if (size !== table.length) {
    table = new Int32Array(size);
    tableHash = new Int32Array(size);
  } else {
    table.fill(0);
  }
  for (let k = 0; k < distinct; k++) place(k, spanHashes[k]!);
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Records the name s[start, end) as attribute number `count` of the current tag (numbered from 0 per
 * tag, in order); false when the tag already has an attribute of that name.
 */
export function addAttributeName(s: string, count: number, start: number, end: number): boolean {
  if (count === spanStart.length) {
    spanStart = grow(spanStart);
    spanEnd = grow(spanEnd);
    spanHashes = grow(spanHashes);
  }
  spanStart[count] = start;
  spanEnd[count] = end;
  if (count < SMALL_COUNT) {
    for (let k = 0; k < count; k++) if (sameSpan(s, k, count)) return false;
    return true;
  }
  if (count === SMALL_COUNT) {
    for (let k = 0; k < SMALL_COUNT; k++) spanHashes[k] = spanHash(s, k);
    rehash(SMALL_COUNT);
  } else if (count * 2 >= table.length) {
    rehash(count);
  }
  const h = spanHash(s, count);
  spanHashes[count] = h;
  return hashInsert(s, count, h);
}

/** Drops scratch space a hostile tag grew (called once per scan, so it is reused within one). */
export function resetAttributeNames(): void {
  if (spanStart.length > 4096) {
    spanStart = new Int32Array(64);
    spanEnd = new Int32Array(64);
    spanHashes = new Int32Array(64);
  }
  if (table.length > 4096) {
    table = new Int32Array(MIN_TABLE);
    tableHash = new Int32Array(MIN_TABLE);
  }
}
