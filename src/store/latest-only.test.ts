/**
 * appendEvents with `latestOnly` on both backends: the latest row takes every update, history takes none,
 * and an event is new exactly once (when it changed the latest row).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPolicies, makeLabel } from '../labels/index.js';
import { appendAdmitted } from '../../test/support/admitted.js';
import { useBothStores } from '../../test/support/store-backends.js';
import { isKizunaError } from '../util/errors.js';
import type { Store, StoredEvent } from './types.js';

const label = makeLabel(loadPolicies(), { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['USA'], owner: 'JPN' });
const T0 = 1_700_000_000_000;

function ev(uid: string, time: number, type = 'a-u-S-X'): StoredEvent {
  return { id: randomUUID(), origin: 'JPN', uid, type, time, stale: time + 60_000, receivedAt: time, label, xml: `<event uid="${uid}" t="${time}"/>`, originator: 'feed:ais' };
}

const backends = useBothStores('latest-only');

describe.each(backends)('appendEvents latestOnly (%s)', (_name, open) => {
  const withStore = async (body: (s: Store) => Promise<void>) => {
    const { store, done } = await open();
    try {
      await body(store);
    } finally {
      await done();
    }
  };
  const only = (...events: StoredEvent[]) => ({ latestOnly: new Set(events) });

  it('updates the latest row without a history row; the same event is new once, an older one not at all', async () => {
    await withStore(async (store) => {
      const first = ev('V1', T0);
      expect(await appendAdmitted(store, [first])).toEqual([first.id]);
      const second = ev('V1', T0 + 1000);
      expect(await appendAdmitted(store, [second], only(second))).toEqual([second.id]);
      expect((await store.events.getLatest('V1'))!.id).toBe(second.id);
      // a retry of the same event: not new, nothing changes
      expect(await appendAdmitted(store, [second], only(second))).toEqual([]);
      const older = ev('V1', T0 + 500);
      expect(await appendAdmitted(store, [older], only(older))).toEqual([]);
      expect((await store.events.getLatest('V1'))!.id).toBe(second.id);
      // history holds only the event stored with a history row
      expect((await store.events.history('V1')).map((e) => e.id)).toEqual([first.id]);
      // a track whose first event is latest-only still gets its latest row (and no history)
      const lone = ev('V2', T0);
      expect(await appendAdmitted(store, [lone], only(lone))).toEqual([lone.id]);
      expect((await store.events.latest({ now: T0 })).map((e) => e.uid).sort()).toEqual(['V1', 'V2']);
      expect(await store.events.history('V2')).toEqual([]);
    });
  });

  it('counts two updates of a uid in one batch (or one group commit) as they would count apart', async () => {
    await withStore(async (store) => {
      const a = ev('V3', T0);
      const b = ev('V3', T0 + 1000);
      const kept = ev('V4', T0);
      expect((await appendAdmitted(store, [a, kept, b], only(a, b))).sort()).toEqual([a.id, kept.id, b.id].sort());
      expect((await store.events.getLatest('V3'))!.id).toBe(b.id);
      expect(await store.events.history('V3')).toEqual([]);
      expect((await store.events.history('V4')).map((e) => e.id)).toEqual([kept.id]);
      // concurrent callers share one transaction: one flags its events, the other does not
      const c = ev('V3', T0 + 2000);
      const d = ev('V3', T0 + 3000);
      const [x, y] = await Promise.all([appendAdmitted(store, [c], only(c)), appendAdmitted(store, [d])]);
      expect([x, y]).toEqual([[c.id], [d.id]]);
      expect((await store.events.history('V3')).map((e) => e.id)).toEqual([d.id]);
      expect((await store.events.getLatest('V3'))!.id).toBe(d.id);
      // and the other way round: a history row first, a newer latest-only update after it
      const e = ev('V3', T0 + 4000);
      const f = ev('V3', T0 + 5000);
      expect(await Promise.all([appendAdmitted(store, [e]), appendAdmitted(store, [f], only(f))])).toEqual([[e.id], [f.id]]);
      expect((await store.events.history('V3')).map((h) => h.id)).toEqual([d.id, e.id]);
      expect((await store.events.getLatest('V3'))!.id).toBe(f.id);
    });
  });

  it("historyFromLatest copies a forgotten track's last update into history once, only the originator's, never a tombstone", async () => {
    await withStore(async (store) => {
      const first = ev('V7', T0);
      const last = ev('V7', T0 + 1000);
      await appendAdmitted(store, [first]);
      await appendAdmitted(store, [last], only(last));
      const other = { ...ev('V8', T0), originator: 'feed:radar' };
      await appendAdmitted(store, [other], only(other));
      const pos = ev('V9', T0);
      await appendAdmitted(store, [pos], only(pos));
      await appendAdmitted(store, [ev('V9', T0 + 1000, 't-x-d-d')]);
      // V8 was written by another feed, V9 is deleted, V10 does not exist
      expect(await store.events.historyFromLatest(['V7', 'V8', 'V9', 'V10'], 'feed:ais')).toBe(1);
      expect((await store.events.history('V7')).map((e) => e.id)).toEqual([first.id, last.id]);
      expect(await store.events.history('V8')).toEqual([]);
      expect((await store.events.history('V9')).map((e) => e.type)).toEqual(['t-x-d-d']);
      // already there: nothing added twice
      expect(await store.events.historyFromLatest(['V7'], 'feed:ais')).toBe(0);
      expect(await store.events.historyFromLatest([], 'feed:ais')).toBe(0);
      expect(await store.events.history('V7')).toHaveLength(2);
    });
  });

  it('always writes a tombstone to history, and refuses a latestOnly that is not a Set', async () => {
    await withStore(async (store) => {
      const pos = ev('V5', T0);
      await appendAdmitted(store, [pos], only(pos));
      const gone = ev('V5', T0 + 1000, 't-x-d-d');
      expect(await appendAdmitted(store, [gone], only(gone))).toEqual([gone.id]);
      expect((await store.events.history('V5')).map((e) => e.type)).toEqual(['t-x-d-d']);
      expect(await store.events.getLatest('V5')).toBeUndefined();
      const err = await appendAdmitted(store, [ev('V6', T0)], { latestOnly: [pos] as never }).then(() => undefined, (e: unknown) => e);
      expect(isKizunaError(err) && err.code).toBe('BAD_REQUEST');
    });
  });
});
