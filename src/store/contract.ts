import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecurityLabel } from '../labels/types.js';
import { isKizunaError, type ErrorCode } from '../util/errors.js';
import type { AuditDraft, AuditRow, Store, StoredEvent } from './types.js';
import { admittedForTest, appendAdmitted } from '../../test/support/admitted.js';

/**
 * The one behavioural contract every Store adapter passes (SQLite and PostgreSQL run the same suite).
 * A harness gives a fresh, empty backing store per test; `open()` may be called several times to get
 * independent connections ("processes") onto the SAME data, and again after close to test reopen.
 */
export interface StoreHarness {
  open(): Promise<Store>;
  destroy(): Promise<void>;
}

export const testLabel: SecurityLabel = {
  policy: 'JPN',
  classification: 'UNCLASSIFIED',
  categories: [{ tagSet: 'Releasable To', type: 'permissive', values: ['JPN', 'USA'] }],
  owner: 'JPN',
  createdAt: '2025-01-01T00:00:00Z',
};

let counter = 0;
export function makeEvent(over: Partial<StoredEvent> = {}): StoredEvent {
  counter += 1;
  const time = over.time ?? 1_700_000_000_000 + counter;
  return {
    id: `ev-${counter}`,
    origin: 'JPN',
    uid: `uid-${counter}`,
    type: 'a-f-G-U-C',
    callsign: `CS${counter}`,
    time,
    stale: time + 60_000,
    receivedAt: time + 5,
    label: testLabel,
    xml: `<event uid="x${counter}"/>`,
    ...over,
  };
}

/** A stand-in for the audit module's chain: sha256 over prev hash and body, seq + 1. */
export function testChain(prev: AuditRow | undefined, d: AuditDraft): AuditRow {
  const body = JSON.stringify(d.body);
  const prevHash = prev?.hash ?? '0'.repeat(64);
  const hash = createHash('sha256').update(`${prevHash}|${d.ts}|${d.kind}|${d.actor}|${body}`).digest('hex');
  return { seq: (prev?.seq ?? 0) + 1, ts: d.ts, kind: d.kind, actor: d.actor, body, prevHash, hash };
}

function draft(n: number): AuditDraft {
  return { ts: new Date(1_700_000_000_000 + n).toISOString(), kind: 'test', actor: 'tester', body: { n } };
}

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(isKizunaError(err, code), `expected KizunaError ${code}, got ${String(err)}`).toBe(true);
}

function verifyChain(rows: AuditRow[]): void {
  let prev: AuditRow | undefined;
  for (const r of rows) {
    const again = testChain(prev, { ts: r.ts, kind: r.kind, actor: r.actor, body: JSON.parse(r.body) });
    expect(r).toEqual(again);
    prev = r;
  }
}

export function storeContract(name: string, factory: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let h: StoreHarness;
    let store: Store;
    const extra: Store[] = [];
    const second = async (): Promise<Store> => {
      const s = await h.open();
      extra.push(s);
      return s;
    };

    beforeEach(async () => {
      h = await factory();
      store = await h.open();
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.close();
      await h.destroy();
    });

    describe('events', () => {
      it('dedupes by origin+id within and across batches', async () => {
        const a = makeEvent();
        const b = makeEvent();
        expect(await appendAdmitted(store, [a, b, a])).toEqual([a.id, b.id]);
        expect(await appendAdmitted(store, [a, b])).toEqual([]);
        const sameIdOtherOrigin = { ...a, origin: 'USA', time: a.time + 1 };
        expect(await appendAdmitted(store, [sameIdOtherOrigin])).toEqual([a.id]);
        expect(await store.events.history(a.uid)).toHaveLength(2);
        expect(await appendAdmitted(store, [])).toEqual([]);
      });

      it('round-trips every field, callsign optional', async () => {
        const a = makeEvent({ xml: '<event uid="ü-日本"/>' });
        const { callsign: _c, ...noCallsign } = makeEvent();
        await appendAdmitted(store, [a, noCallsign]);
        expect(await store.events.getLatest(a.uid)).toEqual(a);
        expect(await store.events.getLatest(noCallsign.uid)).toEqual(noCallsign);
      });

      it('replaces latest only with a newer (or equal-time) event', async () => {
        const t = 1_800_000_000_000;
        const mid = makeEvent({ uid: 'track', time: t, stale: t + 1e6 });
        const older = makeEvent({ uid: 'track', time: t - 10, stale: t + 1e6 });
        const newer = makeEvent({ uid: 'track', time: t + 10, stale: t + 1e6 });
        await appendAdmitted(store, [mid]);
        await appendAdmitted(store, [older]);
        expect((await store.events.getLatest('track'))?.id).toBe(mid.id);
        const lateOld = makeEvent({ uid: 'track', time: t - 5 });
        await appendAdmitted(store, [newer, lateOld]);
        expect((await store.events.getLatest('track'))?.id).toBe(newer.id);
        expect((await store.events.history('track')).map((e) => e.id)).toEqual([older.id, lateOld.id, mid.id, newer.id]);
      });

      it('filters stale latest entries unless includeStale, ordered by time, with limit', async () => {
        const now = 2_000_000_000_000;
        const live1 = makeEvent({ time: now - 300, stale: now + 1000 });
        const live2 = makeEvent({ time: now - 500, stale: now + 1000 });
        const dead = makeEvent({ time: now - 400, stale: now - 1 });
        await appendAdmitted(store, [live1, live2, dead]);
        expect((await store.events.latest({ now })).map((e) => e.id)).toEqual([live2.id, live1.id]);
        expect((await store.events.latest({ now, includeStale: true })).map((e) => e.id)).toEqual([
          live2.id,
          dead.id,
          live1.id,
        ]);
        expect((await store.events.latest({ now, limit: 1 })).map((e) => e.id)).toEqual([live2.id]);
      });

      it('deleteUid removes latest, keeps history, and an older late event does not resurrect it', async () => {
        const t = 1_900_000_000_000;
        const a = makeEvent({ uid: 'gone', time: t, stale: t + 1e9 });
        await appendAdmitted(store, [a]);
        await store.events.deleteUid('gone');
        expect(await store.events.getLatest('gone')).toBeUndefined();
        expect(await store.events.latest({ now: t, includeStale: true })).toEqual([]);
        expect(await store.events.history('gone')).toHaveLength(1);
        await appendAdmitted(store, [makeEvent({ uid: 'gone', time: t - 1, stale: t + 1e9 })]);
        expect(await store.events.getLatest('gone')).toBeUndefined();
        const back = makeEvent({ uid: 'gone', time: t + 1, stale: t + 1e9 });
        await appendAdmitted(store, [back]);
        expect((await store.events.getLatest('gone'))?.id).toBe(back.id);
        await store.events.deleteUid('never-existed');
      });

      it('history honours since (inclusive), until (exclusive) and limit', async () => {
        const evs = [0, 10, 20, 30, 40].map((dt) => makeEvent({ uid: 'h', time: 1_000_000 + dt }));
        await appendAdmitted(store, evs);
        const times = async (o: { since?: number; until?: number; limit?: number }) =>
          (await store.events.history('h', o)).map((e) => e.time - 1_000_000);
        expect(await times({})).toEqual([0, 10, 20, 30, 40]);
        expect(await times({ since: 1_000_010, until: 1_000_030 })).toEqual([10, 20]);
        expect(await times({ since: 1_000_010, limit: 2 })).toEqual([10, 20]);
        expect(await store.events.history('other')).toEqual([]);
      });

      it('pruneHistory removes old history rows and keeps latest', async () => {
        const old = makeEvent({ uid: 'p', time: 1000, stale: 9e12 });
        const old2 = makeEvent({ time: 2000 });
        const recent = makeEvent({ uid: 'q', time: 5000 });
        await appendAdmitted(store, [old, old2, recent]);
        expect(await store.events.pruneHistory(3000)).toBe(2);
        expect(await store.events.history('p')).toEqual([]);
        expect(await store.events.history('q')).toHaveLength(1);
        expect((await store.events.getLatest('p'))?.id).toBe(old.id);
        expect(await store.events.pruneHistory(3000)).toBe(0);
      });

      it('rejects bad events with BAD_REQUEST and writes nothing from that batch', async () => {
        const good = makeEvent();
        await expectCode(appendAdmitted(store, [good, { ...makeEvent(), time: Number.NaN }]), 'BAD_REQUEST');
        await expectCode(appendAdmitted(store, [good, { ...makeEvent(), id: '' }]), 'BAD_REQUEST');
        await expectCode(appendAdmitted(store, [{ ...makeEvent(), label: null } as unknown as StoredEvent]), 'BAD_REQUEST');
        await expectCode(appendAdmitted(store, 'nope' as unknown as StoredEvent[]), 'BAD_REQUEST');
        expect(await store.events.getLatest(good.uid)).toBeUndefined();
      });

      it('a caller whose rows the database refuses fails alone, not its coalesced neighbours', async () => {
        const good = [makeEvent(), makeEvent()];
        // passes validation, then fails inside the write (a BigInt cannot be serialised)
        const poison = makeEvent({ label: { ...testLabel, reviewAt: 10n as unknown as string } });
        const results = await Promise.allSettled([
          appendAdmitted(store, [good[0]!]),
          appendAdmitted(store, [poison]),
          appendAdmitted(store, [good[1]!]),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect(isKizunaError((results[1] as PromiseRejectedResult).reason, 'STORE_FAILED')).toBe(true);
        expect(await store.events.getLatest(poison.uid)).toBeUndefined();
        expect((await store.events.getLatest(good[1]!.uid))?.id).toBe(good[1]!.id);
      });

      it('concurrent appendEvents calls each resolve with their own new ids, all durable', async () => {
        const batches = Array.from({ length: 40 }, () => Array.from({ length: 25 }, () => makeEvent()));
        const dup = batches[0]![0]!;
        batches[39]!.push(dup); // same key submitted by two callers: credited once, to the first
        const results = await Promise.all(batches.map((b) => appendAdmitted(store, b)));
        results.forEach((ids, i) => expect(ids).toEqual(batches[i]!.slice(0, 25).map((e) => e.id)));
        const all = await store.events.latest({ now: 0, includeStale: true });
        expect(all).toHaveLength(1000);
      });
    });

    describe('outbox', () => {
      const item = (k: string) => ({ key: k, payload: new TextEncoder().encode(`payload-${k}`) });

      it('assigns monotonic seqs per peer, pages pending, acks and tracks depth', async () => {
        const o = store.outbox;
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
        const other = await second();
        const calls = Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : store).outbox.enqueue('USA', [item(`k${i}a`), item(`k${i}b`)]),
        );
        const seqs = (await Promise.all(calls)).flat().sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(await store.outbox.depth('USA')).toBe(40);
      });

      it('a conflating item supersedes the unacked items with its key; seqs keep rising, depth counts what waits', async () => {
        const o = store.outbox;
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
        const other = await second();
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
        expect(await store.outbox.markSeen(['a', 'b', 'a'])).toEqual(['a', 'b']);
        expect(await store.outbox.markSeen(['b', 'c'])).toEqual(['c']);
        expect(await store.outbox.markSeen([])).toEqual([]);
        const other = await second();
        const keys = Array.from({ length: 50 }, (_, i) => `race-${i}`);
        const [x, y] = await Promise.all([store.outbox.markSeen(keys), other.outbox.markSeen(keys)]);
        expect([...x!, ...y!].sort()).toEqual([...keys].sort());
      });
    });

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
        expect((await store.commit({ docs: [put('r1', { a: 1 }, 0)] })).versions).toEqual([1]);
        await expectCode(store.commit({ docs: [put('r1', { a: 2 }, 0)] }), 'CONFLICT');
        expect((await store.commit({ docs: [put('r1', { a: 2 }, 1)] })).versions).toEqual([2]);
        expect((await store.commit({ docs: [put('r1', { a: 3 })] })).versions).toEqual([3]);
        await expectCode(store.commit({ docs: [put('r1', { a: 4 }, 2)] }), 'CONFLICT');
        await expectCode(store.commit({ docs: [put('nope', {}, 1)] }), 'CONFLICT');
        const d = await store.getDoc<{ a: number }>('requests', 'r1');
        expect(d).toMatchObject({ collection: 'requests', id: 'r1', version: 3, label: testLabel, body: { a: 3 } });
        expect(typeof d?.updatedAt).toBe('number');
        expect(await store.getDoc('requests', 'nope')).toBeUndefined();
        expect(await store.getDoc('other', 'r1')).toBeUndefined();
      });

      it('two writers on two connections: exactly one wins, the other gets CONFLICT', async () => {
        await store.commit({ docs: [put('r', { n: 0 }, 0)] });
        const other = await second();
        const results = await Promise.allSettled([
          store.commit({ docs: [put('r', { by: 'a' }, 1)] }),
          other.commit({ docs: [put('r', { by: 'b' }, 1)] }),
        ]);
        const ok = results.filter((r) => r.status === 'fulfilled');
        const bad = results.filter((r) => r.status === 'rejected');
        expect(ok).toHaveLength(1);
        expect(bad).toHaveLength(1);
        expect(isKizunaError((bad[0] as PromiseRejectedResult).reason, 'CONFLICT')).toBe(true);
        expect((await store.getDoc('requests', 'r'))?.version).toBe(2);
      });

      it('a batch with one conflicting doc writes nothing, audit included', async () => {
        await store.commit({ docs: [put('x', { v: 1 }, 0)], audit: [draft(1)], chain: testChain });
        await expectCode(
          store.commit({
            docs: [put('new1', { v: 1 }, 0), put('x', { v: 2 }, 1), put('x', { v: 3 }, 1)],
            audit: [draft(2)],
            chain: testChain,
          }),
          'CONFLICT',
        );
        expect(await store.getDoc('requests', 'new1')).toBeUndefined();
        expect((await store.getDoc('requests', 'x'))?.version).toBe(1);
        expect((await store.auditHead())?.seq).toBe(1);
      });

      it('lists docs by collection with type-aware where, cursor and limit', async () => {
        await store.commit({
          docs: [
            put('b', { status: 'open', n: 1, flag: true }),
            put('a', { status: 'open', n: 2, flag: false }),
            put('c', { status: 'closed', n: 1, flag: true }),
            put('d', { status: 'open', n: '1', flag: 1 }),
          ],
        });
        await store.commit({ docs: [admittedForTest({ collection: 'users', id: 'a', label: testLabel, body: { status: 'open' } })] });
        const ids = async (q: Parameters<Store['listDocs']>[1]) => (await store.listDocs('requests', q)).map((d) => d.id);
        expect(await ids(undefined)).toEqual(['a', 'b', 'c', 'd']);
        expect(await ids({ where: { status: 'open' } })).toEqual(['a', 'b', 'd']);
        expect(await ids({ where: { n: 1 } })).toEqual(['b', 'c']);
        expect(await ids({ where: { n: '1' } })).toEqual(['d']);
        expect(await ids({ where: { flag: true } })).toEqual(['b', 'c']);
        expect(await ids({ where: { flag: true, status: 'open' } })).toEqual(['b']);
        expect(await ids({ after: 'a', limit: 2 })).toEqual(['b', 'c']);
        expect(await ids({ where: { missing: 'x' } })).toEqual([]);
        await expectCode(store.listDocs('requests', { where: { "x') OR 1=1 --": 'a' } }), 'BAD_REQUEST');
        await expectCode(store.listDocs('requests', { limit: -1 }), 'BAD_REQUEST');
      });

      it('chains audit rows via chain() and serves auditRange / auditHead', async () => {
        expect(await store.auditHead()).toBeUndefined();
        const r1 = await store.commit({ audit: [draft(1), draft(2)], chain: testChain });
        expect(r1.audit.map((r) => r.seq)).toEqual([1, 2]);
        await store.commit({ audit: [draft(3)], chain: testChain });
        const all = await store.auditRange(1, 100);
        expect(all.map((r) => r.seq)).toEqual([1, 2, 3]);
        verifyChain(all);
        expect(await store.auditHead()).toEqual(all[2]);
        expect((await store.auditRange(2, 1)).map((r) => r.seq)).toEqual([2]);
        await expectCode(store.commit({ audit: [draft(4)] }), 'BAD_REQUEST');
        await expectCode(
          store.commit({ audit: [draft(4)], chain: (p, d) => ({ ...testChain(p, d), seq: 99 }) }),
          'AUDIT_BROKEN',
        );
        await expectCode(
          store.commit({
            audit: [draft(4)],
            chain: () => {
              throw new Error('chain failed');
            },
          }),
          'STORE_FAILED',
        );
        expect((await store.auditHead())?.seq).toBe(3);
      });

      it('concurrent audit appends from two connections stay one unbroken chain', async () => {
        const other = await second();
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).commit({ audit: [draft(i)], chain: testChain })),
        );
        const rows = await store.auditRange(1, 100);
        expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        verifyChain(rows);
      });

      it('rejects malformed doc puts with BAD_REQUEST', async () => {
        await expectCode(store.commit({ docs: [put('', {})] }), 'BAD_REQUEST');
        await expectCode(store.commit({ docs: [put('z', undefined)] }), 'BAD_REQUEST');
        await expectCode(store.commit({ docs: [put('z', {}, -1)] }), 'BAD_REQUEST');
        expect(await store.listDocs('requests')).toEqual([]);
      });
    });

    it('keeps everything after close and reopen', async () => {
      const e = makeEvent({ stale: 9e12 });
      await appendAdmitted(store, [e]);
      await store.outbox.enqueue('USA', [{ key: 'k', payload: new Uint8Array([1, 2, 3]) }]);
      await store.outbox.markSeen(['seen-1']);
      await store.commit({
        docs: [admittedForTest({ collection: 'c', id: 'd', label: testLabel, body: { x: 'y' } })],
        audit: [draft(1)],
        chain: testChain,
      });
      await store.close();
      await expectCode(store.events.getLatest(e.uid), 'STORE_FAILED');
      store = await h.open();
      expect(await store.events.getLatest(e.uid)).toEqual(e);
      expect(await store.outbox.pending('USA', 0, 10)).toEqual([{ seq: 1, key: 'k', payload: new Uint8Array([1, 2, 3]) }]);
      expect(await store.outbox.markSeen(['seen-1'])).toEqual([]);
      expect((await store.getDoc('c', 'd'))?.body).toEqual({ x: 'y' });
      expect((await store.auditHead())?.seq).toBe(1);
      expect(await store.outbox.enqueue('USA', [{ key: 'k2', payload: new Uint8Array([4]) }])).toEqual([2]);
    });
  });
}
