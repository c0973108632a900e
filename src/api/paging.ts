/**
 * Cursor pagination over released items only. The cursor is the id of the last item the caller was
 * given, never of a withheld one, and pages are filled past withheld items, so neither the cursor nor
 * a short page reveals that something was withheld.
 */
export async function releasedPage<T, R>(o: {
  fetch: (after: string | undefined, limit: number) => Promise<T[]>;
  idOf: (item: T) => string;
  release: (items: T[]) => R[];
  releasedId: (r: R) => string;
  after: string | undefined;
  limit: number;
}): Promise<{ items: R[]; next?: string }> {
  const batchSize = Math.max(o.limit + 1, 50);
  const out: R[] = [];
  let cursor = o.after;
  for (;;) {
    const batch = await o.fetch(cursor, batchSize);
    if (batch.length === 0) break;
    cursor = o.idOf(batch[batch.length - 1]!);
    out.push(...o.release(batch));
    if (out.length > o.limit || batch.length < batchSize) break;
  }
  const items = out.slice(0, o.limit);
  return out.length > o.limit ? { items, next: o.releasedId(items[items.length - 1]!) } : { items };
}
