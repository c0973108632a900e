import { describe, expect, it } from 'vitest';
import { isKizunaError } from '../util/errors.js';
import type { Store } from './types.js';
import { admittedForTest } from '../../test/support/admitted.js';
import { testChain, testLabel, expectCode, draft, verifyChain, type StoreUnderTest } from './contract.js';

/** Documents (versions, optimistic concurrency, queries) and the chained audit log committed with them. */
export function docsAndAuditContract(sut: StoreUnderTest): void {
  describe('docs and audit', () => {
    const put = (id: string, body: unknown, expectedVersion?: number) =>
      admittedForTest({
        collection: 'requests',
        id,
        label: testLabel,
        body,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      });

    it('versions docs and enforces expectedVersion', async () => {
      expect((await sut.store.commit({ docs: [put('r1', { a: 1 }, 0)] })).versions).toEqual([1]);
      await expectCode(sut.store.commit({ docs: [put('r1', { a: 2 }, 0)] }), 'CONFLICT');
      expect((await sut.store.commit({ docs: [put('r1', { a: 2 }, 1)] })).versions).toEqual([2]);
      expect((await sut.store.commit({ docs: [put('r1', { a: 3 })] })).versions).toEqual([3]);
      await expectCode(sut.store.commit({ docs: [put('r1', { a: 4 }, 2)] }), 'CONFLICT');
      await expectCode(sut.store.commit({ docs: [put('nope', {}, 1)] }), 'CONFLICT');
      const d = await sut.store.getDoc<{ a: number }>('requests', 'r1');
      expect(d).toMatchObject({ collection: 'requests', id: 'r1', version: 3, label: testLabel, body: { a: 3 } });
      expect(typeof d?.updatedAt).toBe('number');
      expect(await sut.store.getDoc('requests', 'nope')).toBeUndefined();
      expect(await sut.store.getDoc('other', 'r1')).toBeUndefined();
    });

    it('two writers on two connections: exactly one wins, the other gets CONFLICT', async () => {
      await sut.store.commit({ docs: [put('r', { n: 0 }, 0)] });
      const other = await sut.second();
      const results = await Promise.allSettled([
        sut.store.commit({ docs: [put('r', { by: 'a' }, 1)] }),
        other.commit({ docs: [put('r', { by: 'b' }, 1)] }),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const bad = results.filter((r) => r.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(bad).toHaveLength(1);
      expect(isKizunaError((bad[0] as PromiseRejectedResult).reason, 'CONFLICT')).toBe(true);
      expect((await sut.store.getDoc('requests', 'r'))?.version).toBe(2);
    });

    it('a batch with one conflicting doc writes nothing, audit included', async () => {
      await sut.store.commit({ docs: [put('x', { v: 1 }, 0)], audit: [draft(1)], chain: testChain });
      await expectCode(
        sut.store.commit({
          docs: [put('new1', { v: 1 }, 0), put('x', { v: 2 }, 1), put('x', { v: 3 }, 1)],
          audit: [draft(2)],
          chain: testChain,
        }),
        'CONFLICT',
      );
      expect(await sut.store.getDoc('requests', 'new1')).toBeUndefined();
      expect((await sut.store.getDoc('requests', 'x'))?.version).toBe(1);
      expect((await sut.store.auditHead())?.seq).toBe(1);
    });

    it('lists docs by collection with type-aware where, cursor and limit', async () => {
      await sut.store.commit({
        docs: [
          put('b', { status: 'open', n: 1, flag: true }),
          put('a', { status: 'open', n: 2, flag: false }),
          put('c', { status: 'closed', n: 1, flag: true }),
          put('d', { status: 'open', n: '1', flag: 1 }),
        ],
      });
      await sut.store.commit({ docs: [admittedForTest({ collection: 'users', id: 'a', label: testLabel, body: { status: 'open' } })] });
      const ids = async (q: Parameters<Store['listDocs']>[1]) => (await sut.store.listDocs('requests', q)).map((d) => d.id);
      expect(await ids(undefined)).toEqual(['a', 'b', 'c', 'd']);
      expect(await ids({ where: { status: 'open' } })).toEqual(['a', 'b', 'd']);
      expect(await ids({ where: { n: 1 } })).toEqual(['b', 'c']);
      expect(await ids({ where: { n: '1' } })).toEqual(['d']);
      expect(await ids({ where: { flag: true } })).toEqual(['b', 'c']);
      expect(await ids({ where: { flag: true, status: 'open' } })).toEqual(['b']);
      expect(await ids({ after: 'a', limit: 2 })).toEqual(['b', 'c']);
      expect(await ids({ where: { missing: 'x' } })).toEqual([]);
      await expectCode(sut.store.listDocs('requests', { where: { "x') OR 1=1 --": 'a' } }), 'BAD_REQUEST');
      await expectCode(sut.store.listDocs('requests', { limit: -1 }), 'BAD_REQUEST');
    });

    it('chains audit rows via chain() and serves auditRange / auditHead', async () => {
      expect(await sut.store.auditHead()).toBeUndefined();
      const r1 = await sut.store.commit({ audit: [draft(1), draft(2)], chain: testChain });
      expect(r1.audit.map((r) => r.seq)).toEqual([1, 2]);
      await sut.store.commit({ audit: [draft(3)], chain: testChain });
      const all = await sut.store.auditRange(1, 100);
      expect(all.map((r) => r.seq)).toEqual([1, 2, 3]);
      verifyChain(all);
      expect(await sut.store.auditHead()).toEqual(all[2]);
      expect((await sut.store.auditRange(2, 1)).map((r) => r.seq)).toEqual([2]);
      await expectCode(sut.store.commit({ audit: [draft(4)] }), 'BAD_REQUEST');
      await expectCode(
        sut.store.commit({ audit: [draft(4)], chain: (p, d) => ({ ...testChain(p, d), seq: 99 }) }),
        'AUDIT_BROKEN',
      );
      await expectCode(
        sut.store.commit({
          audit: [draft(4)],
          chain: () => {
            throw new Error('chain failed');
          },
        }),
        'STORE_FAILED',
      );
      expect((await sut.store.auditHead())?.seq).toBe(3);
    });

    it('concurrent audit appends from two connections stay one unbroken chain', async () => {
      const other = await sut.second();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : sut.store).commit({ audit: [draft(i)], chain: testChain })),
      );
      const rows = await sut.store.auditRange(1, 100);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      verifyChain(rows);
    });

    it('rejects malformed doc puts with BAD_REQUEST', async () => {
      await expectCode(sut.store.commit({ docs: [put('', {})] }), 'BAD_REQUEST');
      await expectCode(sut.store.commit({ docs: [put('z', undefined)] }), 'BAD_REQUEST');
      await expectCode(sut.store.commit({ docs: [put('z', {}, -1)] }), 'BAD_REQUEST');
      expect(await sut.store.listDocs('requests')).toEqual([]);
    });
  });
}
