import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isKizunaError } from '../../src/util/errors.js';
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

/** The KizunaError code a replay fails with (anything else is a bug: rethrown). */
async function replayError(o: Parameters<typeof replayFeed>[0]): Promise<string> {
  try {
    await replayFeed(o, () => undefined);
  } catch (err) {
    if (isKizunaError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('replay did not fail');
}

describe('kizuna feed replay: bad arguments and unreachable targets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-replay-'));
  const nmea = join(fixtures, 'recorded.nmea');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a bad --to, --rate or --repeat, or a missing file, is a clear BAD_REQUEST', async () => {
    for (const to of ['nohost', '127.0.0.1:0', '127.0.0.1:99999', ':10110', '127.0.0.1:port']) {
      expect(await replayError({ file: nmea, to })).toMatch(/^BAD_REQUEST: .*--to must be HOST:PORT/);
    }
    for (const rate of [Number.NaN, -1]) expect(await replayError({ file: nmea, to: '127.0.0.1:10110', rate })).toMatch(/^BAD_REQUEST: .*--rate/);
    for (const repeat of [Number.NaN, 0, 1.5]) expect(await replayError({ file: nmea, to: '127.0.0.1:10110', repeat })).toMatch(/^BAD_REQUEST: .*--repeat/);
    expect(await replayError({ file: join(dir, 'missing.nmea'), to: '127.0.0.1:10110' })).toMatch(/^BAD_REQUEST: .*missing\.nmea/);
  });

  it('a refused connection fails at once, naming the target', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    expect(await replayError({ file: nmea, to: `127.0.0.1:${port}` })).toMatch(new RegExp(`^BAD_REQUEST: .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
  });

  it('a target that closes the connection mid-file ends the replay with an error, never a hang', async () => {
    const big = join(dir, 'big.nmea');
    writeFileSync(big, `${'!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n'.repeat(200_000)}`);
    const closer = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => closer.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (closer.address() as net.AddressInfo).port;
      expect(await replayError({ file: big, to: `127.0.0.1:${port}` })).toMatch(/^BAD_REQUEST: .*(closed|ECONNRESET|EPIPE)/);
    } finally {
      await new Promise<void>((r) => closer.close(() => r()));
    }
  });

  it('the command line says what is wrong and exits 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await main(['feed', 'replay', nmea, '--to', '127.0.0.1:10110', '--rate', 'fast']);
      expect(process.exitCode).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/^kizuna: BAD_REQUEST: .*--rate/);
    } finally {
      err.mockRestore();
      process.exitCode = 0;
    }
  });
});
