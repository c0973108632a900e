import { afterEach, describe, expect, it, vi } from 'vitest';
import { FeedConfigSchema, type FeedConfigInput } from './config.js';
import { Feed } from './feed.js';
import { waitFor } from '../../test/support/node-harness.js';
import { type1 } from '../../test/support/ais-encode.js';

const T0 = Date.parse('2026-12-03T06:00:00Z');
const MMSI = 431200020;

type Mode = 'history' | 'latest' | 'live' | 'store';
interface Call {
  mode: Mode | 'keepLast';
  lat?: number;
  time?: string;
}

afterEach(() => vi.useRealTimers());

/** A feed whose publish records how each update was handed over; Date starts at T0 and moves only when told. */
function sampledFeed(over: Partial<FeedConfigInput> = {}, failStoreOnly = 0) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  const calls: Call[] = [];
  let failing = failStoreOnly;
  const config = FeedConfigSchema.parse({
    id: 'f', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'U' },
    minIntervalMs: 0, staleMs: 60_000, historyIntervalMs: 30_000, storeIntervalMs: 15_000, ...over,
  });
  const feed = new Feed(
    config,
    {} as never,
    async (events, _label, _id, w) => {
      if (w?.storeOnly) {
        // a store write takes a while: what must wait for it (ending the history) shows if it does not
        await new Promise((r) => setImmediate(r));
        if (failing-- > 0) throw new Error('store down');
      }
      for (const e of events) {
        const mode: Mode = w?.storeOnly ? 'store' : w?.liveOnly?.has(e) ? 'live' : w?.latestOnly?.has(e) ? 'latest' : 'history';
        calls.push({ mode, lat: e.point.lat, time: e.time });
      }
    },
    { keepLast: async (uids) => void calls.push(...uids.map(() => ({ mode: 'keepLast' as const }))) },
  );
  const at = (ms: number) => vi.setSystemTime(T0 + ms);
  const report = async (ms: number, lat: number) => {
    at(ms);
    const n = calls.length;
    feed.onAisLine(type1({ mmsi: MMSI, lat, lon: 139, sog: 10, cog: 90, heading: 90 }));
    await waitFor(() => calls.length === n + 1, `update at ${ms} ms handed over`);
  };
  /** the feed's once-a-second work at `ms`, and whatever it hands over */
  const tick = async (ms: number) => {
    at(ms);
    feed.tick();
    // idle covers the written-late updates and a forgotten track's history end
    await waitFor(() => feed.idle, 'feed idle');
  };
  return { feed, calls, report, tick, at };
}

describe('Feed: sampled storage (storeIntervalMs)', () => {
  it('delivers every update; writes the first, then the first one an interval after the last write', async () => {
    const { feed, calls, report } = sampledFeed();
    try {
      for (let s = 0; s <= 30; s += 5) await report(s * 1000, 35 + s / 1000);
      expect(calls.map((c) => c.mode)).toEqual(['history', 'live', 'live', 'latest', 'live', 'live', 'history']);
    } finally {
      await feed.close();
    }
  });

  it('a track that falls silent has its last live update written once, one interval later, with its own time', async () => {
    const { feed, calls, report, tick } = sampledFeed({ historyIntervalMs: 120_000 });
    try {
      await report(0, 35);
      await report(5_000, 35.005);
      const live = calls[1]!;
      expect(live.mode).toBe('live');
      await tick(10_000);
      expect(calls).toHaveLength(2);
      await tick(20_000);
      expect(calls[2]).toEqual({ mode: 'store', lat: 35.005, time: live.time });
      await tick(30_000);
      expect(calls).toHaveLength(3);
      // the write counts as the track's last: the next report within the interval is live only
      await report(31_000, 35.031);
      expect(calls[3]!.mode).toBe('live');
    } finally {
      await feed.close();
    }
  });

  it('a track that keeps reporting is written by its reports, with no extra write', async () => {
    const { feed, calls, report, tick } = sampledFeed();
    try {
      for (let s = 0; s <= 60; s += 3) {
        await report(s * 1000, 35 + s / 1000);
        await tick(s * 1000 + 1000);
      }
      expect(calls.filter((c) => c.mode === 'store')).toEqual([]);
      const written = calls.filter((c) => c.mode !== 'live').map((c) => Date.parse(c.time!) - T0);
      expect(written).toEqual([0, 15_000, 30_000, 45_000, 60_000]);
    } finally {
      await feed.close();
    }
  });

  it('a forgotten track has its last live update written before its history is ended', async () => {
    const { feed, calls, report, tick } = sampledFeed();
    try {
      await report(0, 35);
      await report(5_000, 35.005);
      await tick(70_000);
      expect(calls.slice(2)).toEqual([{ mode: 'store', lat: 35.005, time: calls[1]!.time }, { mode: 'keepLast' }]);
      expect(feed.status().tracks).toBe(0);
    } finally {
      await feed.close();
    }
  });

  it('a write the store did not take is tried again on the next tick', async () => {
    const { feed, calls, report, tick } = sampledFeed({}, 1);
    try {
      await report(0, 35);
      await report(5_000, 35.005);
      await tick(20_000);
      expect(calls).toHaveLength(2);
      expect(feed.status().publishErrors).toBe(1);
      await tick(21_000);
      expect(calls[2]).toMatchObject({ mode: 'store', lat: 35.005 });
    } finally {
      await feed.close();
    }
  });

  it('closing the feed writes the last live update at once', async () => {
    const { feed, calls, report } = sampledFeed();
    await report(0, 35);
    await report(1_000, 35.001);
    await feed.close();
    expect(calls.map((c) => c.mode)).toEqual(['history', 'live', 'store']);
    expect(calls[2]!.time).toBe(calls[1]!.time);
  });

  it('storeIntervalMs 0 writes every update', async () => {
    const { feed, calls, report } = sampledFeed({ storeIntervalMs: 0 });
    try {
      for (let s = 0; s < 5; s++) await report(s * 1000, 35 + s / 1000);
      expect(calls.map((c) => c.mode)).toEqual(['history', 'latest', 'latest', 'latest', 'latest']);
    } finally {
      await feed.close();
    }
  });
});
