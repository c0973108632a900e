import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
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
  /** the updates handed over with a history row (not named latest-only) */
  const kept: CotEvent[] = [];
  const config = FeedConfigSchema.parse({ id: 'f', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'U' }, minIntervalMs: 0, staleMs: 60_000, ...over });
  const feed = new Feed(config, {} as never, async (events, _label, _id, writes) => {
    // a live update written later (store-sampling) is not delivered again
    if (writes?.storeOnly) return;
    sent.push(...events);
    kept.push(...events.filter((e) => !writes?.latestOnly?.has(e) && !writes?.liveOnly?.has(e)));
  });
  return { feed, sent, kept };
}

afterEach(() => vi.useRealTimers());

/** A feed for one test, closed afterwards; with `clock`, Date starts at T0 and moves only when told (timers stay real). */
async function withFeed(over: Partial<FeedConfigInput>, clock: boolean, body: (f: ReturnType<typeof feedOf>) => Promise<void>): Promise<void> {
  if (clock) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  }
  const f = feedOf(over);
  try {
    await body(f);
  } finally {
    await f.feed.close();
  }
}

describe('Feed: stale time', () => {
  it('is measured from the last position report, not from static data that refreshes the track without moving it', async () => {
    await withFeed({}, true, async ({ feed, sent }) => {
      feed.onAisLine(type1({ mmsi: 431200001, lat: 35, lon: 139 }));
      await waitFor(() => sent.length === 1, 'position published');
      expect(Date.parse(sent[0]!.stale)).toBe(T0 + 60_000);
      vi.setSystemTime(T0 + 40_000);
      for (const l of type5({ mmsi: 431200001, name: 'STATIC ONLY', shipType: 70 })) feed.onAisLine(l);
      await waitFor(() => sent.length === 2, 'static merge published');
      expect(sent[1]!.callsign).toBe('STATIC ONLY');
      // still stale one staleMs after the position, not after the static report
      expect(Date.parse(sent[1]!.stale)).toBe(T0 + 60_000);
    });
  });
});

describe('Feed: reports without a position', () => {
  it('a position report saying "position not available" does not keep the track alive', async () => {
    await withFeed({}, true, async ({ feed, sent }) => {
      const sweep = () => (feed as unknown as { tick(): void }).tick();
      feed.onAisLine(type1({ mmsi: 431200003, lat: 35, lon: 139 }));
      await waitFor(() => sent.length === 1, 'published');
      vi.setSystemTime(T0 + 40_000);
      feed.onAisLine(type1({ mmsi: 431200003, lat: 91, lon: 181, sog: 3 }));
      vi.setSystemTime(T0 + 61_000);
      await waitFor(() => feed.idle, 'idle');
      sweep();
      expect(feed.status().tracks).toBe(0);
    });
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

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('Feed: TCP transports', () => {
  it('tcp-client: while down the status shows the last error and the next try; the backoff grows while the source keeps dropping it', async () => {
    const refused = feedOf({ kind: 'sbs', transport: 'tcp-client', port: await freePort() }).feed;
    try {
      await refused.start();
      await waitFor(() => /ECONNREFUSED/.test(refused.status().error ?? ''), 'the refusal in the status');
      expect(refused.status().connected).toBe(false);
    } finally {
      await refused.close();
    }
    // a source that accepts and drops at once: connecting is not success, so the delay keeps growing
    const dropper = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', () => r()));
    const dropped = feedOf({ kind: 'sbs', transport: 'tcp-client', port: (dropper.address() as net.AddressInfo).port }).feed;
    try {
      await dropped.start();
      await waitFor(() => /next try in 2 s/.test(dropped.status().error ?? ''), 'backoff doubled to 2 s', 20_000);
    } finally {
      await dropped.close();
      await new Promise<void>((r) => dropper.close(() => r()));
    }
  });

  it('tcp-server: per-address and total connection limits; refused connections are counted', async () => {
    const { feed } = feedOf({ transport: 'tcp-server', port: 0, maxConnections: 3, maxConnectionsPerAddress: 2 });
    const socks: net.Socket[] = [];
    const open = (localAddress: string) =>
      new Promise<net.Socket>((ok, fail) => {
        const s = net.connect({ host: '127.0.0.1', port: feed.status().port!, localAddress }, () => ok(s));
        s.on('error', fail);
        socks.push(s);
      });
    try {
      await feed.start();
      await open('127.0.0.1');
      await open('127.0.0.1');
      await open('127.0.0.1');
      await waitFor(() => feed.status().connectionsRefused === 1, 'third from one address refused');
      const other = await open('127.0.0.2');
      other.write(`${type1({ mmsi: 431200002, lat: 35, lon: 139 })}\n`);
      await waitFor(() => feed.status().messages === 1, 'another address is served');
      await open('127.0.0.3');
      await waitFor(() => feed.status().connectionsRefused === 2, 'over the total refused');
    } finally {
      for (const s of socks) s.destroy();
      await feed.close();
    }
  });
});

describe('Feed: a table at maxTracks', () => {
  it('counts the new tracks it refused (status)', async () => {
    await withFeed({ maxTracks: 2 }, false, async ({ feed }) => {
      for (let i = 0; i < 3; i++) feed.onAisLine(type1({ mmsi: 431200010 + i, lat: 35, lon: 139 }));
      expect(feed.status()).toMatchObject({ tracks: 2, tracksRefused: 1 });
    });
  });
});

describe('Feed: emergency squawk alerts', () => {
  it('a flood of aircraft squawking 7700 raises alerts at a bounded rate; the held-back ones are counted and their tracks still say so', async () => {
    await withFeed({ kind: 'sbs', transport: 'tcp-server', port: 0 }, true, async ({ feed, sent }) => {
      for (let i = 0; i < 2000; i++) {
        const icao = (0x800000 + i).toString(16).toUpperCase();
        feed.onSbsLine(`MSG,3,1,1,${icao},1,,,,,,9000,,,35.2,139.2,,,0,0,0,0`);
        feed.onSbsLine(`MSG,6,1,1,${icao},1,,,,,,,,,,,,7700,-1,-1,0,0`);
      }
      await waitFor(() => sent.filter((e) => e.type.startsWith('a-')).length === 2000, 'every aircraft published');
      const alerts = sent.filter((e) => e.type === 'b-a-o-tbl').length;
      expect(alerts).toBe(20);
      expect(feed.status()).toMatchObject({ alerts: 20, alertsSuppressed: 1980 });
      expect(sent.find((e) => e.uid === 'ICAO-8007CF')!.detailXml).toContain('squawk 7700 (general emergency)');
      // a held-back alert is raised on the aircraft's next report once the rate allows
      vi.setSystemTime(T0 + 1_000);
      feed.onSbsLine('MSG,6,1,1,8007CF,1,,,,,,,,,,,,7700,-1,-1,0,0');
      await waitFor(() => sent.some((e) => e.uid === 'ICAO-8007CF-9-1-1'), 'deferred alert raised');
    });
  });
});

describe('Feed: sampled history', () => {
  const at = (ms: number) => vi.setSystemTime(T0 + ms);
  const pos = (lat: number) => type1({ mmsi: 431200009, lat, lon: 139, sog: 10, cog: 90, heading: 90 });

  it('keeps the first update, then one per historyIntervalMs, and any change of name; every update is sent', async () => {
    await withFeed({ historyIntervalMs: 30_000 }, true, async ({ feed, sent, kept }) => {
      const report = async (ms: number, lat: number) => {
        at(ms);
        const n = sent.length;
        feed.onAisLine(pos(lat));
        await waitFor(() => sent.length === n + 1, `update at ${ms} ms`);
      };
      for (let s = 0; s < 30; s += 5) await report(s * 1000, 35 + s / 1000);
      expect(sent).toHaveLength(6);
      expect(kept.map((e) => e.point.lat)).toEqual([35]);
      await report(30_000, 35.03);
      await report(35_000, 35.035);
      expect(kept.map((e) => e.point.lat)).toEqual([35, 35.03]);
      // a name is not motion: kept at once; the interval counts from it
      at(40_000);
      for (const l of type5({ mmsi: 431200009, name: 'NEW NAME', shipType: 70 })) feed.onAisLine(l);
      await waitFor(() => sent.length === 9, 'named update');
      expect(kept.map((e) => e.callsign)).toEqual(['MMSI 431200009', 'MMSI 431200009', 'NEW NAME']);
      await report(65_000, 35.065);
      await report(70_000, 35.07);
      expect(kept).toHaveLength(4);
    });
  });

  it('a history row the store did not take (publish failed) is taken by the next update', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const calls: { lat: number; history: boolean }[] = [];
    const config = FeedConfigSchema.parse({ id: 'f', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'U' }, minIntervalMs: 0, staleMs: 60_000, historyIntervalMs: 30_000, storeIntervalMs: 0 });
    const feed = new Feed(config, {} as never, async (events, _label, _id, writes) => {
      for (const e of events) calls.push({ lat: e.point.lat, history: !writes?.latestOnly?.has(e) });
      if (calls.length === 1) throw new Error('store down');
    });
    try {
      feed.onAisLine(pos(35));
      await waitFor(() => calls.length === 1, 'first update handed over (and failed)');
      at(5_000);
      feed.onAisLine(pos(35.005));
      await waitFor(() => calls.length === 2, 'second update');
      at(10_000);
      feed.onAisLine(pos(35.01));
      await waitFor(() => calls.length === 3, 'third update');
      expect(calls).toEqual([
        { lat: 35, history: true },
        { lat: 35.005, history: true },
        { lat: 35.01, history: false },
      ]);
    } finally {
      await feed.close();
    }
  });

  it('historyIntervalMs 0 keeps every update', async () => {
    await withFeed({ historyIntervalMs: 0 }, true, async ({ feed, sent, kept }) => {
      for (let k = 0; k < 4; k++) {
        at(k * 1000);
        feed.onAisLine(pos(35 + k / 100));
        await waitFor(() => sent.length === k + 1, 'update');
      }
      expect(kept).toEqual(sent);
    });
  });
});

describe('Feed: the same AIS message from several receivers', () => {
  it('is applied once; the same payload a second or more later is a report again', async () => {
    await withFeed({}, true, async ({ feed, sent }) => {
      const line = type1({ mmsi: 431200010, lat: 35, lon: 139, sog: 10, cog: 90, heading: 90 });
      feed.onAisLine(line);
      await waitFor(() => sent.length === 1, 'first copy published');
      vi.setSystemTime(T0 + 3);
      feed.onAisLine(line);
      vi.setSystemTime(T0 + 7);
      feed.onAisLine(line);
      await waitFor(() => feed.idle, 'nothing waiting to be published');
      expect(sent).toHaveLength(1);
      expect(feed.status().duplicates).toBe(2);
      vi.setSystemTime(T0 + 1000);
      feed.onAisLine(line);
      await waitFor(() => sent.length === 2, 'the same payload a second later is applied');
    });
  });
});
