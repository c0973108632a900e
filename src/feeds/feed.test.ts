import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CotEvent } from '../cot/model.js';
import { FeedConfigSchema, type FeedConfigInput } from './config.js';
import { Feed } from './feed.js';
import { waitFor } from '../../test/support/node-harness.js';
import { type1, type5 } from '../../test/support/ais-encode.js';

const T0 = Date.parse('2026-12-03T06:00:00Z');

function feedOf(over: Partial<FeedConfigInput> = {}) {
  const sent: CotEvent[] = [];
  const config = FeedConfigSchema.parse({ id: 'f', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'U' }, minIntervalMs: 0, staleMs: 60_000, ...over });
  const feed = new Feed(config, {} as never, async (events) => void sent.push(...events));
  return { feed, sent };
}

afterEach(() => vi.useRealTimers());

describe('Feed: stale time', () => {
  it('is measured from the last position report, not from static data that refreshes the track without moving it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const { feed, sent } = feedOf();
    try {
      feed.onAisLine(type1({ mmsi: 431200001, lat: 35, lon: 139 }));
      await waitFor(() => sent.length === 1, 'position published');
      expect(Date.parse(sent[0]!.stale)).toBe(T0 + 60_000);
      vi.setSystemTime(T0 + 40_000);
      for (const l of type5({ mmsi: 431200001, name: 'STATIC ONLY', shipType: 70 })) feed.onAisLine(l);
      await waitFor(() => sent.length === 2, 'static merge published');
      expect(sent[1]!.callsign).toBe('STATIC ONLY');
      // still stale one staleMs after the position, not after the static report
      expect(Date.parse(sent[1]!.stale)).toBe(T0 + 60_000);
    } finally {
      await feed.close();
    }
  });
});

describe('Feed: a frozen aircraft.json (dump1090 stopped, the file left behind)', () => {
  it('shows as not connected with the reason, and its tracks go stale instead of being refreshed on every poll', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const dir = mkdtempSync(join(tmpdir(), 'kizuna-frozen-'));
    const path = join(dir, 'aircraft.json');
    const doc = (now: number) => JSON.stringify({ now, aircraft: [{ hex: '84a1b2', flight: 'JAL5', alt_baro: 12000, gs: 300, track: 45, lat: 34.7, lon: 135.4, seen: 0.5 }] });
    writeFileSync(path, doc(1_764_655_200));
    const { feed, sent } = feedOf({ kind: 'aircraft-json', transport: 'file', path, pollMs: 100 });
    try {
      await feed.start();
      await waitFor(() => sent.length === 1 && feed.status().connected, 'first snapshot');
      // the file is still read, but its clock stands still
      vi.setSystemTime(T0 + 30_000);
      await waitFor(() => !feed.status().connected, 'frozen file seen');
      expect(feed.status().error).toMatch(/aircraft\.json not updated/);
      vi.setSystemTime(T0 + 61_000);
      await waitFor(() => feed.status().tracks === 0, 'the aircraft went stale');
      expect(sent).toHaveLength(1);
      // dump1090 runs again: connected, tracks back
      writeFileSync(path, doc(1_764_655_300));
      await waitFor(() => feed.status().connected && feed.status().tracks === 1, 'live again');
      expect(feed.status().error).toBeUndefined();
    } finally {
      await feed.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
