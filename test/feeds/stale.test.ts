/**
 * A feed track not reported for the feed's `staleMs` is stale: its CoT says so, the node's picture drops it,
 * and the feed forgets it (so a vessel that reappears is a fresh report, and memory follows live tracks).
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { type1 } from '../support/ais-encode.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

function sendUdp(port: number, line: string): Promise<void> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve, reject) =>
    s.send(`${line}\r\n`, port, '127.0.0.1', (err) => {
      s.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

describe('feed tracks go stale after the configured time', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode({
      nation: 'JPN',
      feeds: [{ id: 'ais-short', kind: 'ais', transport: 'udp', port: 0, staleMs: 2000, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } }],
    });
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('stale = position report time + staleMs; a silent track leaves the live picture and the feed table', async () => {
    const feed = node.feeds.get('ais-short')!;
    const sentAt = Date.now();
    await sendUdp(feed.status().port!, type1({ mmsi: 431300001, lat: 35, lon: 139 }));
    await waitFor(async () => (await node.store.events.getLatest('MMSI-431300001')) !== undefined, 'stored');
    const stored = (await node.store.events.getLatest('MMSI-431300001'))!;
    // counted from when the feed heard the position: after it was sent, no later than the event's time
    expect(stored.stale).toBeGreaterThanOrEqual(sentAt + 2000);
    expect(stored.stale).toBeLessThanOrEqual(stored.time + 2000);
    expect((await node.store.events.latest({ now: Date.now() })).some((e) => e.uid === 'MMSI-431300001')).toBe(true);
    expect(feed.status().tracks).toBe(1);
    await waitFor(() => feed.status().tracks === 0, 'the feed forgot the silent track', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(stored.stale);
    expect((await node.store.events.latest({ now: Date.now() })).some((e) => e.uid === 'MMSI-431300001')).toBe(false);
  });
});
