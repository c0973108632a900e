/**
 * Sampled storage on a running node (storeIntervalMs): every update of a feed track reaches TAK clients and
 * the node's bus live; the track's latest row is written at most once per interval, and a track that falls
 * silent has its last live update written (same time, same content) once it is an interval old, without
 * being delivered again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient } from '../support/tak-client.js';
import { type1 } from '../support/ais-encode.js';
import { decodeBusEvent } from '../../src/pipeline/bus-codec.js';
import { nodeSubject } from '../../src/bus/subject.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const label = { classification: 'UNCLASSIFIED', relTo: ['USA'] };
/** long enough that the store cannot catch up between a delivery and the check after it, short for a test */
const STORE_MS = 5000;

describe('feed sampled storage on a node', () => {
  let node: Node;
  let client: TestTakClient;

  beforeAll(async () => {
    node = await startTestNode({
      nation: 'JPN',
      feeds: [{ id: 'sampled-store', kind: 'ais', transport: 'udp', port: 0, minIntervalMs: 0, historyIntervalMs: 600_000, storeIntervalMs: STORE_MS, label }],
    });
    client = await TestTakClient.connect(node.ready.tcp);
  });
  afterAll(async () => {
    client?.close();
    await node?.stop();
  });

  it('delivers every update live; the store takes the last one once it is an interval old, not delivered again', async () => {
    const feed = node.feeds.get('sampled-store')!;
    const mmsi = 431_600_001;
    const uid = `MMSI-${mmsi}`;
    const report = (lat: number) => feed.onAisLine(type1({ mmsi, lat, lon: 139, sog: 10, cog: 90, heading: 90 }));
    const onBus: number[] = [];
    const sub = node.bus.subscribe(nodeSubject(node.nodeId, 'events'), (d) => {
      const be = decodeBusEvent(d);
      if (be.stored.uid === uid) onBus.push(be.cot.point.lat);
    });
    await sub.ready;
    try {
      report(35);
      await waitFor(() => client.byUid(uid).length === 1, 'first report at the TAK client');
      await waitFor(async () => (await node.store.events.getLatest(uid))?.xml.includes('lat="35"') === true, 'first report written');
      report(35.01);
      await waitFor(() => client.byUid(uid).length === 2, 'second report at the TAK client');
      const delivered = client.byUid(uid)[1]!;
      // live only: the store still has the first report; the node's other processes got it on the bus
      expect((await node.store.events.getLatest(uid))!.xml).toContain('lat="35"');
      await waitFor(() => onBus.includes(35.01), 'second report on the bus');

      await waitFor(async () => (await node.store.events.getLatest(uid))?.xml.includes('lat="35.01"') === true, 'last live update written', 15_000);
      const row = (await node.store.events.getLatest(uid))!;
      expect(row.time).toBe(Date.parse(delivered.time));
      expect(row.originator).toBe('feed:sampled-store');
      // the feed's counters (status, /metrics, the desk): the first report and the late write; one live only
      await waitFor(() => feed.status().written === 2, 'written counted');
      expect(feed.status().liveOnly).toBe(1);
      // one history row (the first report): the written update is the latest row only
      expect(await node.store.events.history(uid)).toHaveLength(1);
      // not delivered again: the next report is the client's third event, not its fourth
      report(35.02);
      await waitFor(() => client.byUid(uid).some((e) => e.point.lat === 35.02), 'third report at the TAK client');
      expect(client.byUid(uid).map((e) => e.point.lat)).toEqual([35, 35.01, 35.02]);
      expect(onBus).toEqual([35, 35.01, 35.02]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('a client that connects later is replayed the written row', async () => {
    const uid = 'MMSI-431600001';
    const late = await TestTakClient.connect(node.ready.tcp);
    try {
      await late.waitForUid(uid);
      const row = (await node.store.events.getLatest(uid))!;
      expect(late.byUid(uid)[0]!.time).toBe(new Date(row.time).toISOString());
    } finally {
      late.close();
    }
  });
});
