import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConflatingSendQueue } from './send-queue.js';

/** An item is its own description, so what leaves the queue can be checked against what went in. */
type Item = { kind: 'sa'; uid: string; seq: number } | { kind: 'fixed'; id: number; deletes?: string };
type Op = { op: 'push'; item: Item } | { op: 'drain'; n: number };

const encode = (i: Item) => Buffer.from(JSON.stringify(i));
const decode = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString()) as Item;

const uidArb = fc.constantFrom('u0', 'u1', 'u2', 'u3', 'u4');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: uidArb.map((uid) => ({ op: 'push' as const, item: { kind: 'sa' as const, uid, seq: 0 } })) },
  { weight: 2, arbitrary: fc.constant({ op: 'push' as const, item: { kind: 'fixed' as const, id: 0 } }) },
  { weight: 1, arbitrary: uidArb.map((uid) => ({ op: 'push' as const, item: { kind: 'fixed' as const, id: 0, deletes: uid } })) },
  { weight: 2, arbitrary: fc.nat(6).map((n) => ({ op: 'drain' as const, n })) },
);

/** Runs the ops (numbering items in push order), drains the rest, returns pushed and delivered items. */
function run(ops: Op[]): { pushed: Item[]; delivered: Item[]; q: ConflatingSendQueue } {
  const q = new ConflatingSendQueue();
  const pushed: Item[] = [];
  const delivered: Item[] = [];
  const take = () => {
    const b = q.shift();
    if (b) delivered.push(decode(b));
    return b;
  };
  for (const o of ops) {
    if (o.op === 'drain') {
      for (let k = 0; k < o.n; k++) take();
      continue;
    }
    const item: Item = o.item.kind === 'sa' ? { ...o.item, seq: pushed.length } : { ...o.item, id: pushed.length };
    pushed.push(item);
    if (item.kind === 'sa') q.pushSa(item.uid, encode(item));
    else q.pushFixed(encode(item), item.deletes);
    if (q.fixedBytes < 0 || q.bytes < q.fixedBytes) throw new Error(`byte counters broken: ${q.bytes}/${q.fixedBytes}`);
  }
  while (take());
  return { pushed, delivered, q };
}

describe('ConflatingSendQueue', () => {
  it('oracle: fixed items exactly in order, newest SA per uid delivered, never an older SA after a newer one', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const { pushed, delivered, q } = run(ops);
        // 1. the non-conflatable subsequence is preserved exactly (nothing lost, duplicated or reordered)
        const fixedIn = pushed.filter((i) => i.kind === 'fixed');
        const fixedOut = delivered.filter((i) => i.kind === 'fixed');
        expect(fixedOut).toEqual(fixedIn);
        // 2. the last SA of every uid is delivered
        const lastSa = new Map<string, number>();
        for (const i of pushed) if (i.kind === 'sa') lastSa.set(i.uid, i.seq);
        for (const [uid, seq] of lastSa) expect(delivered).toContainEqual({ kind: 'sa', uid, seq });
        // 3. per uid, delivered SAs are strictly newer each time; each SA at most once
        const seen = new Map<string, number>();
        for (const i of delivered) {
          if (i.kind !== 'sa') continue;
          expect(i.seq).toBeGreaterThan(seen.get(i.uid) ?? -1);
          seen.set(i.uid, i.seq);
        }
        // 4. a delete of X and the SAs of X keep their relative order (no older position after a delete
        //    that came later, no newer position before it)
        const pos = (i: Item) => delivered.findIndex((d) => JSON.stringify(d) === JSON.stringify(i));
        for (const del of fixedIn) {
          if (del.kind !== 'fixed' || !del.deletes) continue;
          for (const sa of delivered) {
            if (sa.kind !== 'sa' || sa.uid !== del.deletes) continue;
            expect(sa.seq < del.id).toBe(pos(sa) < pos(del));
          }
        }
        expect(q.length).toBe(0);
        expect(q.bytes).toBe(0);
        expect(q.fixedBytes).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps one entry per uid: 1,000 updates for 10 uids leave 10 entries, bytes counted after conflation', () => {
    const q = new ConflatingSendQueue();
    for (let i = 0; i < 1000; i++) q.pushSa(`u${i % 10}`, Buffer.alloc(100 + (i % 10)));
    expect(q.length).toBe(10);
    expect(q.conflated).toBe(990);
    expect(q.bytes).toBe(10 * 100 + 45);
    expect(q.fixedBytes).toBe(0);
    q.pushFixed(Buffer.alloc(7));
    expect(q.fixedBytes).toBe(7);
  });
});
