/**
 * `b` cut at `cuts` for feeding a stream in pieces: the points inside (0, length) in order, repeats and
 * points outside dropped, so no piece is empty and the pieces join to `b`.
 */
export function chunksAt(b: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts].sort((x, y) => x - y)) {
    if (c > at && c < b.length) {
      out.push(b.subarray(at, c));
      at = c;
    }
  }
  out.push(b.subarray(at));
  return out;
}
