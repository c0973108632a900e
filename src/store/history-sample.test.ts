/** sampledHistory on both backends: newest event per uid per step, window bounds, no tombstones, bad bounds refused. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPolicies, makeLabel } from '../labels/index.js';
import { appendAdmitted } from '../../test/support/admitted.js';
import { useBothStores } from '../../test/support/store-backends.js';
import { isKizunaError } from '../util/errors.js';
import type { Store, StoredEvent } from './types.js';

const label = makeLabel(loadPolicies(), { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['USA'], owner: 'JPN' });
const T0 = 1_700_000_000_000;

function ev(uid: string, time: number, type = 'a-f-G'): StoredEvent {
  return { id: randomUUID(), origin: 'JPN', uid, type, time, stale: time + 60_000, receivedAt: time, label, xml: `<event uid="${uid}"/>` };
}

const backends = useBothStores('sample');

describe.each(backends)('sampledHistory (%s)', (_name, open) => {
  it('keeps the newest event per uid per step inside [since, until), oldest first, without tombstones', async () => {
    const { store, done } = await open();
    try {
      // A: one event per second for 25 s; B: two events; a tombstone for A; one event before and one at `until`
      const events = [...Array.from({ length: 25 }, (_, i) => ev('A', T0 + i * 1000)), ev('B', T0 + 3000), ev('B', T0 + 12_000), ev('A', T0 + 24_500, 't-x-d-d'), ev('A', T0 - 1), ev('B', T0 + 30_000)];
      await appendAdmitted(store, events);
      const got = await store.events.sampledHistory({ since: T0, until: T0 + 30_000, step: 10_000, limit: 100 });
      expect(got.map((e) => [e.uid, e.time - T0])).toEqual([
        ['B', 3000],
        ['A', 9000],
        ['B', 12_000],
        ['A', 19_000],
        ['A', 24_000],
      ]);
      const limited = await store.events.sampledHistory({ since: T0, until: T0 + 30_000, step: 10_000, limit: 2 });
      expect(limited.map((e) => e.time - T0)).toEqual([3000, 9000]);
    } finally {
      await done();
    }
  });

  it('refuses unbounded or inverted queries before touching the database', async () => {
    const { store, done } = await open();
    try {
      for (const q of [
        { since: T0, until: T0, step: 1000, limit: 10 },
        { since: T0, until: T0 + 1000, step: 1, limit: 10 },
        { since: T0, until: T0 + 1000, step: 1000, limit: 10_000_000 },
        { since: Number.NaN, until: T0, step: 1000, limit: 10 },
      ]) {
        const err = await store.events.sampledHistory(q).then(() => undefined, (e: unknown) => e);
        expect(isKizunaError(err) && err.code).toBe('BAD_REQUEST');
      }
    } finally {
      await done();
    }
  });
});
