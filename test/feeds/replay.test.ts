import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFeed } from '../../src/cli/feed.js';
import { main } from '../../src/cli/main.js';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient } from '../support/tak-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'feeds');

/** Recorded feeds the project wrote (published AIS sentences with bad lines; SBS-1 of every kind) replayed into a node. */
describe('kizuna feed replay', () => {
  let node: Node;
  let tak: TestTakClient;
  beforeAll(async () => {
    node = await startTestNode({
      nation: 'JPN',
      feeds: [
        { id: 'ais', kind: 'ais', transport: 'tcp-server', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } },
        { id: 'ais-udp', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } },
        { id: 'sbs', kind: 'sbs', transport: 'tcp-server', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } },
      ],
    });
    tak = await TestTakClient.connect(node.ready.tcp);
  });
  afterAll(async () => {
    tak?.close();
    await node?.stop();
  });
  const port = (id: string) => node.feeds.get(id)!.status().port!;

  it('replays a recorded NMEA file over TCP: tracks arrive, the 3 bad lines are counted, the GPS line ignored', async () => {
    const lines: string[] = [];
    expect(await replayFeed({ file: join(fixtures, 'recorded.nmea'), to: `127.0.0.1:${port('ais')}` }, (l) => lines.push(l))).toBe(15);
    expect(lines[0]).toMatch(/^sent 15 lines/);
    for (const uid of ['MMSI-366053209', 'MMSI-367581220', 'MMSI-367430530', 'MMSI-367059850', 'MMSI-316021442', 'MMSI-206914217']) await tak.waitForUid(uid);
    await waitFor(() => node.feeds.get('ais')!.status().decodeErrors === 3, 'bad lines counted');
    // 6 with positions + the type 5 vessel + the type 24 A/B vessel (no position yet: held, not published)
    expect(node.feeds.get('ais')!.status().tracks).toBe(8);
  });

  it('replays over UDP through the command line entry point', async () => {
    await main(['feed', 'replay', join(fixtures, 'recorded.nmea'), '--to', `127.0.0.1:${port('ais-udp')}`, '--udp', '--rate', '500']);
    await waitFor(() => node.feeds.get('ais-udp')!.status().messages === 15, 'all 15 datagrams read');
    expect(node.feeds.get('ais-udp')!.status().decodeErrors).toBe(3);
  });

  it('replays a recorded SBS-1 file: one aircraft from the kinds together, 7600 raises the alert', async () => {
    await replayFeed({ file: join(fixtures, 'recorded.sbs'), to: `127.0.0.1:${port('sbs')}` }, () => undefined);
    await waitFor(() => tak.byUid('ICAO-86D52F').some((e) => e.callsign === 'JAL123'), 'aircraft');
    const alert = await tak.waitForUid('ICAO-86D52F-9-1-1');
    expect(alert.detailXml).toContain('squawk 7600 (radio failure)');
    await waitFor(() => node.feeds.get('sbs')!.status().decodeErrors === 1, 'the bad hex counted');
  });
});
