/**
 * One `Range: bytes=…` header against a representation of `size` bytes (RFC 9110 §14).
 * - `whole`: no header, a malformed one, another unit, or several ranges. Serving the whole file
 *   with 200 is always allowed, and it keeps us out of multipart/byteranges.
 * - `part`: one satisfiable range, `end` inclusive and clamped to the last byte.
 * - `unsatisfiable`: well-formed but starts at or past the end (or a zero-length suffix): 416.
 */
export type RangeDecision = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

export function decideRange(header: string | undefined, size: number): RangeDecision {
  const whole = { kind: 'whole' } as const;
  if (header === undefined) return whole;
  const eq = header.indexOf('=');
  // the unit is case-insensitive; whitespace only around the whole set
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return whole;
  const set = header.slice(eq + 1).trim();
  if (set.includes(',')) return whole;
  const m = SPEC.exec(set);
  if (!m) return whole;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return whole;
  if (first === '') {
    // suffix range: the last n bytes (all of them when n > size)
    const n = Number(last);
    if (n === 0) return { kind: 'unsatisfiable' };
    // an empty file has no byte range to describe; its (empty) whole is the answer
    if (size === 0) return whole;
    return { kind: 'part', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return whole;
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}
