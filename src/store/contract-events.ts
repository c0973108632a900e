import { describe, expect, it } from 'vitest';
import { appendAdmitted } from '../../test/support/admitted.js';
import { isKizunaError } from '../util/errors.js';
import type { StoredEvent } from './types.js';
import { makeEvent, testLabel, expectCode, type StoreUnderTest } from './contract.js';

/** Events: dedupe, latest per uid (tombstones, stale), history and pruning, input validation. */
export function eventsContract(sut: StoreUnderTest): void {
  describe('events', () => {
    it('dedupes by origin+id within and across batches', async () => {
      const a = makeEvent();
      const b = makeEvent();
      expect(await appendAdmitted(sut.store, [a, b, a])).toEqual([a.id, b.id]);
      expect(await appendAdmitted(sut.store, [a, b])).toEqual([]);
      const sameIdOtherOrigin = { ...a, origin: 'USA', time: a.time + 1 };
      expect(await appendAdmitted(sut.store, [sameIdOtherOrigin])).toEqual([a.id]);
      expect(await sut.store.events.history(a.uid)).toHaveLength(2);
      expect(await appendAdmitted(sut.store, [])).toEqual([]);
    });

    it('round-trips every field, callsign optional', async () => {
      const a = makeEvent({ xml: '<event uid="ü-日本"/>' });
      const { callsign: _c, ...noCallsign } = makeEvent();
      await appendAdmitted(sut.store, [a, noCallsign]);
      expect(await sut.store.events.getLatest(a.uid)).toEqual(a);
      expect(await sut.store.events.getLatest(noCallsign.uid)).toEqual(noCallsign);
    });

    it('replaces latest only with a newer (or equal-time) event', async () => {
      const t = 1_800_000_000_000;
      const mid = makeEvent({ uid: 'track', time: t, stale: t + 1e6 });
      const older = makeEvent({ uid: 'track', time: t - 10, stale: t + 1e6 });
      const newer = makeEvent({ uid: 'track', time: t + 10, stale: t + 1e6 });
      await appendAdmitted(sut.store, [mid]);
      await appendAdmitted(sut.store, [older]);
      expect((await sut.store.events.getLatest('track'))?.id).toBe(mid.id);
      const lateOld = makeEvent({ uid: 'track', time: t - 5 });
      await appendAdmitted(sut.store, [newer, lateOld]);
      expect((await sut.store.events.getLatest('track'))?.id).toBe(newer.id);
      expect((await sut.store.events.history('track')).map((e) => e.id)).toEqual([older.id, lateOld.id, mid.id, newer.id]);
    });

    it('filters stale latest entries unless includeStale, ordered by time, with limit', async () => {
      const now = 2_000_000_000_000;
      const live1 = makeEvent({ time: now - 300, stale: now + 1000 });
      const live2 = makeEvent({ time: now - 500, stale: now + 1000 });
      const dead = makeEvent({ time: now - 400, stale: now - 1 });
      await appendAdmitted(sut.store, [live1, live2, dead]);
      expect((await sut.store.events.latest({ now })).map((e) => e.id)).toEqual([live2.id, live1.id]);
      expect((await sut.store.events.latest({ now, includeStale: true })).map((e) => e.id)).toEqual([
        live2.id,
        dead.id,
        live1.id,
      ]);
      expect((await sut.store.events.latest({ now, limit: 1 })).map((e) => e.id)).toEqual([live2.id]);
    });

    it('deleteUid removes latest, keeps history, and an older late event does not resurrect it', async () => {
      const t = 1_900_000_000_000;
      const a = makeEvent({ uid: 'gone', time: t, stale: t + 1e9 });
      await appendAdmitted(sut.store, [a]);
      await sut.store.events.deleteUid('gone');
      expect(await sut.store.events.getLatest('gone')).toBeUndefined();
      expect(await sut.store.events.latest({ now: t, includeStale: true })).toEqual([]);
      expect(await sut.store.events.history('gone')).toHaveLength(1);
      await appendAdmitted(sut.store, [makeEvent({ uid: 'gone', time: t - 1, stale: t + 1e9 })]);
      expect(await sut.store.events.getLatest('gone')).toBeUndefined();
      const back = makeEvent({ uid: 'gone', time: t + 1, stale: t + 1e9 });
      await appendAdmitted(sut.store, [back]);
      expect((await sut.store.events.getLatest('gone'))?.id).toBe(back.id);
      await sut.store.events.deleteUid('never-existed');
    });

    it('history honours since (inclusive), until (exclusive) and limit', async () => {
      const evs = [0, 10, 20, 30, 40].map((dt) => makeEvent({ uid: 'h', time: 1_000_000 + dt }));
      await appendAdmitted(sut.store, evs);
      const times = async (o: { since?: number; until?: number; limit?: number }) =>
        (await sut.store.events.history('h', o)).map((e) => e.time - 1_000_000);
      expect(await times({})).toEqual([0, 10, 20, 30, 40]);
      expect(await times({ since: 1_000_010, until: 1_000_030 })).toEqual([10, 20]);
      expect(await times({ since: 1_000_010, limit: 2 })).toEqual([10, 20]);
      expect(await sut.store.events.history('other')).toEqual([]);
    });

    it('pruneHistory removes old history rows and keeps latest', async () => {
      const old = makeEvent({ uid: 'p', time: 1000, stale: 9e12 });
      const old2 = makeEvent({ time: 2000 });
      const recent = makeEvent({ uid: 'q', time: 5000 });
      await appendAdmitted(sut.store, [old, old2, recent]);
      expect(await sut.store.events.pruneHistory(3000)).toBe(2);
      expect(await sut.store.events.history('p')).toEqual([]);
      expect(await sut.store.events.history('q')).toHaveLength(1);
      expect((await sut.store.events.getLatest('p'))?.id).toBe(old.id);
      expect(await sut.store.events.pruneHistory(3000)).toBe(0);
    });

    it('rejects bad events with BAD_REQUEST and writes nothing from that batch', async () => {
      const good = makeEvent();
      await expectCode(appendAdmitted(sut.store, [good, { ...makeEvent(), time: Number.NaN }]), 'BAD_REQUEST');
      await expectCode(appendAdmitted(sut.store, [good, { ...makeEvent(), id: '' }]), 'BAD_REQUEST');
      await expectCode(appendAdmitted(sut.store, [{ ...makeEvent(), label: null } as unknown as StoredEvent]), 'BAD_REQUEST');
      await expectCode(appendAdmitted(sut.store, 'nope' as unknown as StoredEvent[]), 'BAD_REQUEST');
      expect(await sut.store.events.getLatest(good.uid)).toBeUndefined();
    });

    it('a caller whose rows the database refuses fails alone, not its coalesced neighbours', async () => {
      const good = [makeEvent(), makeEvent()];
      // passes validation, then fails inside the write (a BigInt cannot be serialised)
      const poison = makeEvent({ label: { ...testLabel, reviewAt: 10n as unknown as string } });
      const results = await Promise.allSettled([
        appendAdmitted(sut.store, [good[0]!]),
        appendAdmitted(sut.store, [poison]),
        appendAdmitted(sut.store, [good[1]!]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(isKizunaError((results[1] as PromiseRejectedResult).reason, 'STORE_FAILED')).toBe(true);
      expect(await sut.store.events.getLatest(poison.uid)).toBeUndefined();
      expect((await sut.store.events.getLatest(good[1]!.uid))?.id).toBe(good[1]!.id);
    });

    it('concurrent appendEvents calls each resolve with their own new ids, all durable', async () => {
      const batches = Array.from({ length: 40 }, () => Array.from({ length: 25 }, () => makeEvent()));
      const dup = batches[0]![0]!;
      batches[39]!.push(dup); // same key submitted by two callers: credited once, to the first
      const results = await Promise.all(batches.map((b) => appendAdmitted(sut.store, b)));
      results.forEach((ids, i) => expect(ids).toEqual(batches[i]!.slice(0, 25).map((e) => e.id)));
      const all = await sut.store.events.latest({ now: 0, includeStale: true });
      expect(all).toHaveLength(1000);
    });
  });
}
