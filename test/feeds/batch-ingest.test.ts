/**
 * A feed hands the node its conflated track updates in batches: each update is still decided by the write
 * authority on its own (a track another writer holds is refused, the rest of the batch is stored), and a
 * batch costs one store append instead of one per track.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarking } from '../../src/labels/index.js';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient } from '../support/tak-client.js';
import { type1 } from '../support/ais-encode.js';
import { decodeBusEvent } from '../../src/pipeline/bus-codec.js';
import { nodeSubject } from '../../src/bus/subject.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const VESSELS = 600;

describe('feed batch ingest', () => {
  let node: Node;
  let client: TestTakClient;
  let appends = 0;
  let appended = 0;

  beforeAll(async () => {
    node = await startTestNode({
      nation: 'JPN',
      feeds: [{ id: 'ais-batch', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } }],
    });
    const events = node.store.events;
    const original = events.appendEvents.bind(events);
    events.appendEvents = (batch) => {
      appends++;
      appended += batch.length;
      return original(batch);
    };
    client = await TestTakClient.connect(node.ready.tcp);
  });
  afterAll(async () => {
    client?.close();
    await node?.stop();
  });

  it('admits every update through the write authority, stores a batch with one append and delivers it', async () => {
    // a track the node itself holds under this uid: the feed may not take it over
    const held = 'MMSI-431000007';
    await node.publishLocal({
      version: '2.0', uid: held, type: 'a-f-S', how: 'h-e', time: new Date().toISOString(), start: new Date().toISOString(),
      stale: new Date(Date.now() + 600_000).toISOString(), point: { lat: 1, lon: 2, hae: 0, ce: 1, le: 1 }, detailXml: '<contact callsign="HELD"/>',
    });
    const heldBefore = (await node.store.events.getLatest(held))!;
    appends = 0;
    appended = 0;
    const feed = node.feeds.get('ais-batch')!;
    for (let i = 0; i < VESSELS; i++) feed.onAisLine(type1({ mmsi: 431_000_000 + i, lat: 30 + i / 1000, lon: 135, sog: 10, cog: 90, heading: 90 }));
    await waitFor(() => feed.idle && feed.status().published >= VESSELS, 'all updates handed to ingest');
    const last = (await node.store.events.getLatest('MMSI-431000599'))!;
    expect(renderMarking(node.registry, last.label)).toBe('UNCLASSIFIED//REL TO JPN, USA');
    // one append per batch (at most 1000 tracks a batch), not one per track
    expect(appended).toBe(VESSELS - 1);
    expect(appends).toBeLessThanOrEqual(3);
    // the held track was refused on its own and is unchanged; its neighbours in the batch were stored
    expect((await node.store.events.getLatest(held))!.id).toBe(heldBefore.id);
    expect(feed.status().publishErrors).toBe(1);
    expect(await node.store.events.getLatest('MMSI-431000006')).toBeDefined();
    expect(await node.store.events.getLatest('MMSI-431000008')).toBeDefined();
    await client.waitForUid('MMSI-431000599');
  });

  it('encodes nothing for an in-process bus nobody else listens to, and publishes as soon as someone does', async () => {
    const bus = node.bus;
    const publish = bus.publish.bind(bus);
    let published = 0;
    bus.publish = (subject, data) => {
      published++;
      return publish(subject, data);
    };
    const feed = node.feeds.get('ais-batch')!;
    const before = feed.status().published;
    for (let i = 0; i < 50; i++) feed.onAisLine(type1({ mmsi: 432_000_000 + i, lat: 31, lon: 135, sog: 10, cog: 90, heading: 90 }));
    await waitFor(() => feed.idle && feed.status().published >= before + 50, 'first updates handed to ingest');
    await client.waitForUid('MMSI-432000049');
    expect(published).toBe(0);

    // another listener on the node's events (another process on the same hub would be one too)
    const seen: string[] = [];
    const sub = bus.subscribe(nodeSubject(node.nodeId, 'events'), (d) => void seen.push(decodeBusEvent(d).stored.uid));
    await sub.ready;
    for (let i = 0; i < 50; i++) feed.onAisLine(type1({ mmsi: 433_000_000 + i, lat: 31, lon: 135, sog: 10, cog: 90, heading: 90 }));
    await waitFor(() => seen.includes('MMSI-433000049'), 'the other listener receives the feed tracks');
    expect(published).toBeGreaterThanOrEqual(50);
    await client.waitForUid('MMSI-433000049');
    sub.unsubscribe();
  });
});
