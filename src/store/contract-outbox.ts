import { describe, expect, it } from 'vitest';
import { expectCode, type StoreUnderTest } from './contract.js';

/** The federation outbox: seqs per peer, pending pages, acks, depth, conflation, inbound dedupe keys. */
export function outboxContract(sut: StoreUnderTest): void {
  describe('outbox', () => {
    const item = (k: string) => ({ key: k, payload: new TextEncoder().encode(`payload-${k}`) });

    it('assigns monotonic seqs per peer, pages pending, acks and tracks depth', async () => {
      const o = sut.store.outbox;
      expect(await o.acked('USA')).toBe(0);
      expect(await o.depth('USA')).toBe(0);
      expect(await o.enqueue('USA', [item('a'), item('b'), item('c')])).toEqual([1, 2, 3]);
      expect(await o.enqueue('USA', [item('d')])).toEqual([4]);
      expect(await o.enqueue('PHL', [item('x')])).toEqual([1]);
      expect(await o.enqueue('USA', [])).toEqual([]);
      expect(await o.depth('USA')).toBe(4);
      const page = await o.pending('USA', 1, 2);
      expect(page.map((p) => [p.seq, p.key])).toEqual([
        [2, 'b'],
        [3, 'c'],
      ]);
      expect(new TextDecoder().decode(page[0]!.payload)).toBe('payload-b');
      await o.ack('USA', 2);
      expect(await o.acked('USA')).toBe(2);
      expect(await o.depth('USA')).toBe(2);
      expect((await o.pending('USA', 0, 100)).map((p) => p.seq)).toEqual([3, 4]);
      await o.ack('USA', 1); // going backwards is ignored
      expect(await o.acked('USA')).toBe(2);
      await o.ack('USA', 99); // cannot ack past what was assigned
      expect(await o.acked('USA')).toBe(4);
      expect(await o.depth('USA')).toBe(0);
      expect(await o.enqueue('USA', [item('e')])).toEqual([5]);
      expect(await o.depth('PHL')).toBe(1);
      await expectCode(o.ack('USA', -1), 'BAD_REQUEST');
      await expectCode(o.enqueue('USA', [{ key: 'k', payload: 'x' as unknown as Uint8Array }]), 'BAD_REQUEST');
    });

    it('concurrent enqueuers on two connections get disjoint, gap-free seqs', async () => {
      const other = await sut.second();
      const calls = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? other : sut.store).outbox.enqueue('USA', [item(`k${i}a`), item(`k${i}b`)]),
      );
      const seqs = (await Promise.all(calls)).flat().sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(await sut.store.outbox.depth('USA')).toBe(40);
    });

    it('a conflating item supersedes the unacked items with its key; seqs keep rising, depth counts what waits', async () => {
      const o = sut.store.outbox;
      const sa = (k: string, c: string) => ({ ...item(k), conflate: c });
      expect(await o.enqueue('USA', [sa('p1', 'JPN:u1'), item('chat1'), sa('q1', 'JPN:u2')])).toEqual([1, 2, 3]);
      await o.ack('USA', 1); // p1 was delivered: nothing left to supersede for u1
      // same key twice in one call: only the last one is written
      expect(await o.enqueue('USA', [sa('p2', 'JPN:u1'), item('chat2'), sa('p3', 'JPN:u1'), sa('q2', 'JPN:u2')])).toEqual([4, 5, 6, 7]);
      expect((await o.pending('USA', 0, 100)).map((p) => [p.seq, p.key])).toEqual([
        [2, 'chat1'],
        [5, 'chat2'],
        [6, 'p3'],
        [7, 'q2'],
      ]);
      expect(await o.depth('USA')).toBe(4);
      // a second connection's enqueue supersedes this one's rows too; other peers are untouched
      const other = await sut.second();
      await o.enqueue('PHL', [sa('r1', 'JPN:u1')]);
      expect(await other.outbox.enqueue('USA', [sa('p4', 'JPN:u1')])).toEqual([8]);
      expect((await o.pending('USA', 5, 100)).map((p) => p.key)).toEqual(['q2', 'p4']);
      expect((await o.pending('PHL', 0, 100)).map((p) => p.key)).toEqual(['r1']);
      expect(await o.depth('USA')).toBe(4);
      await o.ack('USA', 6); // over the gaps left by p2 and p3
      expect(await o.depth('USA')).toBe(2);
      await o.ack('USA', 8);
      expect(await o.depth('USA')).toBe(0);
      expect(await o.pending('USA', 0, 100)).toEqual([]);
      await expectCode(o.enqueue('USA', [{ ...item('k'), conflate: '' }]), 'BAD_REQUEST');
    });

    it('markSeen returns only unseen keys, atomically across connections', async () => {
      expect(await sut.store.outbox.markSeen(['a', 'b', 'a'])).toEqual(['a', 'b']);
      expect(await sut.store.outbox.markSeen(['b', 'c'])).toEqual(['c']);
      expect(await sut.store.outbox.markSeen([])).toEqual([]);
      const other = await sut.second();
      const keys = Array.from({ length: 50 }, (_, i) => `race-${i}`);
      const [x, y] = await Promise.all([sut.store.outbox.markSeen(keys), other.outbox.markSeen(keys)]);
      expect([...x!, ...y!].sort()).toEqual([...keys].sort());
    });
  });
}
