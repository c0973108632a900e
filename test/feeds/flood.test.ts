import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitFor, type TestNode } from '../support/node-harness.js';
import { useTestNode } from '../support/node-fixture.js';
import { TestTakClient, sa } from '../support/tak-client.js';
import { type1 } from '../support/ais-encode.js';

describe('a flooding feed', () => {
  let node: TestNode;
  useTestNode(
    {
      nation: 'JPN',
      feeds: [
        { id: 'flood', kind: 'ais', transport: 'tcp-server', port: 0, label: { classification: 'UNCLASSIFIED' }, maxMessagesPerSecond: 500, maxTracks: 300 },
        { id: 'flood-udp', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED' }, maxMessagesPerSecond: 500, maxTracks: 300 },
      ],
    },
    (n) => (node = n),
  );

  it('is rate-limited per feed and bounded in tracks while TAK clients keep being served', async () => {
    const a = await TestTakClient.connect(node.ready.tcp);
    const b = await TestTakClient.connect(node.ready.tcp);
    const lines = Array.from({ length: 2000 }, (_, i) => `${type1({ mmsi: 440000000 + i, lat: 35 + i / 10_000, lon: 129 })}\n`).join('');
    let flooding = true;
    let sentBytes = 0;
    const sender = net.connect(node.feeds.get('flood')!.status().port!, '127.0.0.1');
    await new Promise<void>((r) => sender.once('connect', () => r()));
    sender.on('error', () => undefined);
    const pump = (): void => {
      while (flooding && sender.write(lines)) sentBytes += lines.length;
      if (flooding) sender.once('drain', pump);
    };
    pump();
    try {
      await waitFor(() => node.feeds.get('flood')!.status().rateLimited > 0, 'rate limit engaged', 20_000);
      // while the flood goes on, a TAK client's event still reaches the other client
      a.send(sa('TAK-DURING-FLOOD', 'ALPHA'));
      await b.waitForUid('TAK-DURING-FLOOD', 20_000);
      expect(flooding).toBe(true);
      const st = node.feeds.get('flood')!.status();
      expect(st.rateLimited).toBeGreaterThan(0);
      expect(st.tracks).toBeLessThanOrEqual(300);
      expect(st.messages).toBeLessThan(sentBytes / 40); // far fewer accepted than sent
    } finally {
      flooding = false;
      sender.destroy();
      a.close();
      b.close();
    }
  }, 60_000);

  it('over UDP as well: datagrams past the rate are counted and dropped while TAK clients keep being served', async () => {
    const a = await TestTakClient.connect(node.ready.tcp);
    const b = await TestTakClient.connect(node.ready.tcp);
    const feed = node.feeds.get('flood-udp')!;
    // 20 sentences a datagram, 50 distinct datagrams sent round and round
    const datagrams = Array.from({ length: 50 }, (_, d) => Buffer.from(Array.from({ length: 20 }, (_, i) => `${type1({ mmsi: 450000000 + d * 20 + i, lat: 34, lon: 130 })}\n`).join('')));
    const sock = dgram.createSocket('udp4');
    let flooding = true;
    let sent = 0;
    const pump = (): void => {
      if (!flooding) return;
      // a bounded number in flight, so the sender neither stalls nor queues without end
      for (let k = 0; k < 20; k++) sock.send(datagrams[sent++ % 50]!, feed.status().port!, '127.0.0.1');
      setImmediate(pump);
    };
    pump();
    try {
      await waitFor(() => feed.status().rateLimited > 0, 'rate limit engaged', 20_000);
      a.send(sa('TAK-DURING-UDP-FLOOD', 'BRAVO'));
      await b.waitForUid('TAK-DURING-UDP-FLOOD', 20_000);
      const st = feed.status();
      expect(st.tracks).toBeLessThanOrEqual(300);
      expect(st.tracksRefused).toBeGreaterThan(0);
    } finally {
      flooding = false;
      sock.close();
      a.close();
      b.close();
    }
  }, 60_000);
});
