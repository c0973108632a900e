/**
 * A feed samples its track history (historyIntervalMs): a vessel reporting again and again within the
 * interval leaves one history row (its first report; a change of name or static data adds one), while the
 * live picture (latest row, TAK clients) takes every conflated update. historyIntervalMs 0 keeps every update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient } from '../support/tak-client.js';
import { type1, type5 } from '../support/ais-encode.js';
import type { Feed } from '../../src/feeds/feed.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const label = { classification: 'UNCLASSIFIED', relTo: ['USA'] };
const REPORTS = 5;

describe('feed history sampling', () => {
  let node: Node;
  let client: TestTakClient;

  beforeAll(async () => {
    node = await startTestNode({
      nation: 'JPN',
      feeds: [
        // minIntervalMs 0: every report is a conflated update of its own (each is awaited below)
        // storeIntervalMs 0: every update written as latest (sampled storage: test/feeds/store-sampling.test.ts)
        { id: 'sampled', kind: 'ais', transport: 'udp', port: 0, minIntervalMs: 0, storeIntervalMs: 0, label },
        { id: 'every', kind: 'ais', transport: 'udp', port: 0, minIntervalMs: 0, historyIntervalMs: 0, storeIntervalMs: 0, label },
        // forgotten one second after its last report: its last update then ends its history
        { id: 'brief', kind: 'ais', transport: 'udp', port: 0, minIntervalMs: 0, staleMs: 1000, storeIntervalMs: 0, label },
      ],
    });
    client = await TestTakClient.connect(node.ready.tcp);
  });
  afterAll(async () => {
    client?.close();
    await node?.stop();
  });

  /** `REPORTS` position reports of one vessel, each one waited for at the TAK client before the next */
  async function reportTimes(feed: Feed, mmsi: number): Promise<string> {
    const uid = `MMSI-${mmsi}`;
    for (let k = 0; k < REPORTS; k++) {
      feed.onAisLine(type1({ mmsi, lat: 35 + k / 100, lon: 139, sog: 10, cog: 90, heading: 90 }));
      await waitFor(() => client.byUid(uid).length === k + 1, `report ${k + 1} at the TAK client`);
      await waitFor(async () => (await node.store.events.getLatest(uid))?.xml.includes(`lat="${35 + k / 100}"`) === true, `report ${k + 1} stored as latest`);
    }
    return uid;
  }

  it('keeps the first report in history and every report in the live picture; a new name is kept too', async () => {
    const feed = node.feeds.get('sampled')!;
    const uid = await reportTimes(feed, 431_500_001);
    expect(client.byUid(uid).map((e) => e.point.lat)).toEqual(Array.from({ length: REPORTS }, (_, k) => 35 + k / 100));
    const history = await node.store.events.history(uid);
    expect(history).toHaveLength(1);
    expect(history[0]!.xml).toContain('lat="35"');

    // static data (a name) is not motion: kept whatever the interval
    for (const l of type5({ mmsi: 431_500_001, name: 'SAMPLED MARU', shipType: 70 })) feed.onAisLine(l);
    await waitFor(() => client.byUid(uid).some((e) => e.callsign === 'SAMPLED MARU'), 'named update at the TAK client');
    await waitFor(async () => (await node.store.events.history(uid)).length === 2, 'the named update kept in history');
    expect((await node.store.events.getLatest(uid))!.callsign).toBe('SAMPLED MARU');
    // and the next position of the named vessel is sampled again
    feed.onAisLine(type1({ mmsi: 431_500_001, lat: 36, lon: 139, sog: 10, cog: 90, heading: 90 }));
    await waitFor(async () => (await node.store.events.getLatest(uid))?.xml.includes('lat="36"') === true, 'latest moved');
    expect(await node.store.events.history(uid)).toHaveLength(2);
  });

  it("a track the feed forgets gets its last update into history (where it was last seen), once", async () => {
    const uid = await reportTimes(node.feeds.get('brief')!, 431_500_003);
    const last = (await node.store.events.getLatest(uid))!;
    expect(last.xml).toContain(`lat="${35 + (REPORTS - 1) / 100}"`);
    await waitFor(async () => (await node.store.events.history(uid)).length === 2, 'the last update copied into history when the track was forgotten');
    const history = await node.store.events.history(uid);
    expect(history.map((e) => e.id)).toEqual([history[0]!.id, last.id]);
    expect(history[1]).toMatchObject({ originator: 'feed:brief', xml: last.xml });
    expect(node.feeds.get('brief')!.status().tracks).toBe(0);
  });

  it('historyIntervalMs 0 keeps every update in history', async () => {
    const uid = await reportTimes(node.feeds.get('every')!, 431_500_002);
    expect((await node.store.events.history(uid)).map((e) => e.xml.match(/lat="([^"]+)"/)![1])).toEqual(
      Array.from({ length: REPORTS }, (_, k) => String(35 + k / 100)),
    );
  });
});
