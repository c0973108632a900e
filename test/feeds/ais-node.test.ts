import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueClientCert } from '../../src/certs/index.js';
import { renderMarking } from '../../src/labels/index.js';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient } from '../support/tak-client.js';
import { type1, type5 } from '../support/ais-encode.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const repoRoot = join(import.meta.dirname, '..', '..');

/** Published sentences (pyais / gpsd test suites) of every type the feed uses, plus bad lines. */
const PUBLISHED = [
  '!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C', // type 1, MMSI 366053209
  '!AIVDM,1,1,,A,35NSH95001G?wopE`beasVk@0E5:,0*6F', // type 3, MMSI 367581220
  '!AIVDM,1,1,,A,B5NJ;PP005l4ot5Isbl03wsUkP06,0*76', // type 18, MMSI 367430530
  '!AIVDM,1,1,,B,C5N3SRgPEnJGEBT>NhWAwwo862PaLELTBJ:V00000000S0D:R220,0*0B', // type 19 CAPT.J.RIMES
  '!AIVDM,2,1,7,B,E4eHJhPR37q0000000000000000KUOSc=rq4h00000a,0*4A', // type 21 DFO2, part 1
  '!AIVDM,2,2,7,B,@20,4*54', // part 2
  '!AIVDM,1,1,,B,KC5E2b@U19PFdLbMuc5=ROv62<7m,0*16', // type 27, MMSI 206914217
];
const BAD = [
  '!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5D', // wrong checksum
  '\u0000\u0001garbage\u00ff',
  '!AIVDM,1,1,,B,15M67FC000G?uf', // truncated line
];

function sendUdp(port: number, lines: string[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve, reject) =>
    s.send(Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1'), port, '127.0.0.1', (err) => {
      s.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

function sendTcp(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(lines.map((l) => `${l}\n`).join(''), () => resolve()));
    s.once('error', reject);
  });
}

describe('AIS feeds into a real node', () => {
  let node: Node;
  let low: TestTakClient;
  let full: TestTakClient;
  const port = (id: string): number => node.feeds.get(id)!.status().port!;

  beforeAll(async () => {
    node = await startTestNode({
      nation: 'JPN',
      feeds: [
        { id: 'ais-public', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] }, affiliation: 'n' },
        { id: 'ais-coastal', kind: 'ais', transport: 'tcp-server', port: 0, label: { classification: 'HI' } },
      ],
    });
    // plain TCP: cleared to the lowest classification; a certificate client of JPN: full clearance
    low = await TestTakClient.connect(node.ready.tcp);
    const c = await issueClientCert(node.pki, { name: 'watch-officer', nation: 'JPN', groups: ['Blue'], role: 'operator' });
    full = await TestTakClient.connectTls(node.ready.tls, { key: c.keyPem!, cert: c.certPem, ca: node.pki.caCertPem });
  });
  afterAll(async () => {
    low?.close();
    full?.close();
    await node?.stop();
  });

  it('turns published sentences of every type into labelled tracks; bad lines are counted and skipped', async () => {
    await sendUdp(port('ais-public'), [...BAD.slice(0, 2), ...PUBLISHED, BAD[2]!]);
    for (const uid of ['MMSI-366053209', 'MMSI-367581220', 'MMSI-367430530', 'MMSI-367059850', 'MMSI-316021442', 'MMSI-206914217']) {
      await waitFor(async () => (await node.store.events.getLatest(uid)) !== undefined, `${uid} stored`);
      const stored = (await node.store.events.getLatest(uid))!;
      expect(renderMarking(node.registry, stored.label)).toBe('UNCLASSIFIED//REL TO JPN, USA');
      await low.waitForUid(uid);
    }
    const rimes = low.byUid('MMSI-367059850')[0]!;
    expect(rimes.callsign).toBe('CAPT.J.RIMES');
    expect(rimes.type).toBe('a-n-S-X-M-C'); // ship type 70 cargo, the feed's neutral affiliation
    expect(rimes.point.lat).toBeCloseTo(29.543695, 5);
    expect(low.byUid('MMSI-316021442')[0]!.detailXml).toContain('aid to navigation');
    const st = node.feeds.get('ais-public')!.status();
    expect(st.decodeErrors).toBe(3);
    expect(st.connected).toBe(true);
    expect(st.lastMessageAt).not.toBeNull();
  });

  it('merges static data into the track: name as callsign, IMO, type, destination', async () => {
    await sendUdp(port('ais-public'), [type1({ mmsi: 431000001, lat: 35.3, lon: 139.65, sog: 12.5, cog: 45 })]);
    await low.waitForUid('MMSI-431000001');
    await sendUdp(port('ais-public'), [...type5({ mmsi: 431000001, imo: 9123456, callsign: 'JD1234', name: 'KIZUNA MARU', shipType: 80, destination: 'YOKOSUKA' })]);
    await sendUdp(port('ais-public'), [type1({ mmsi: 431000001, lat: 35.31, lon: 139.66, sog: 12.5, cog: 45 })]);
    await waitFor(() => low.byUid('MMSI-431000001').some((e) => e.callsign === 'KIZUNA MARU'), 'static merged');
    const ev = low.byUid('MMSI-431000001').find((e) => e.callsign === 'KIZUNA MARU')!;
    expect(ev.type).toBe('a-n-S-X-M-O'); // tanker
    expect(ev.detailXml).toContain('IMO 9123456');
    expect(ev.detailXml).toContain('destination YOKOSUKA');
    expect(ev.speed).toBeCloseTo(12.5 * 0.514444, 1);
  });

  it('conflates a burst for one vessel to the latest state', async () => {
    const before = node.feeds.get('ais-public')!.status().published;
    const burst = Array.from({ length: 50 }, (_, i) => type1({ mmsi: 431000002, lat: 34 + i / 1000, lon: 135, sog: 5, cog: 90 }));
    await sendUdp(port('ais-public'), burst);
    await waitFor(() => low.byUid('MMSI-431000002').some((e) => Math.abs(e.point.lat - 34.049) < 1e-6), 'latest position delivered');
    // one datagram is handled in one turn: the first report goes out at once, the other 49 become one update
    expect(node.feeds.get('ais-public')!.status().published - before).toBeLessThanOrEqual(2);
    expect(low.byUid('MMSI-431000002').length).toBeLessThanOrEqual(2);
  });

  it('a national-only feed reaches the cleared client, not the one with a lower clearance', async () => {
    await sendTcp(port('ais-coastal'), [type1({ mmsi: 431000003, lat: 33.5, lon: 130.4 })]);
    await full.waitForUid('MMSI-431000003');
    const stored = (await node.store.events.getLatest('MMSI-431000003'))!;
    expect(renderMarking(node.registry, stored.label)).toBe('HI//NOFORN');
    // a later public track proves the low client's stream is live and past that point
    await sendUdp(port('ais-public'), [type1({ mmsi: 431000004, lat: 33.6, lon: 130.5 })]);
    await low.waitForUid('MMSI-431000004');
    expect(low.byUid('MMSI-431000003')).toHaveLength(0);
    // and not on a new connection's replay either
    const late = await TestTakClient.connect(node.ready.tcp);
    await late.waitForUid('MMSI-431000004');
    expect(late.byUid('MMSI-431000003')).toHaveLength(0);
    late.close();
  });

  it('a public feed cannot overwrite a vessel the national feed holds: refused and counted, the HI state kept', async () => {
    await sendTcp(port('ais-coastal'), [type1({ mmsi: 431000007, lat: 33.1, lon: 130.1 })]);
    await full.waitForUid('MMSI-431000007');
    const before = node.feeds.get('ais-public')!.status().publishErrors;
    await sendUdp(port('ais-public'), [type1({ mmsi: 431000007, lat: 10, lon: 10 })]);
    await waitFor(() => node.feeds.get('ais-public')!.status().publishErrors === before + 1, 'public update refused');
    const stored = (await node.store.events.getLatest('MMSI-431000007'))!;
    expect(renderMarking(node.registry, stored.label)).toBe('HI//NOFORN');
    expect(stored.xml).toContain('lat="33.1"');
    expect(low.byUid('MMSI-431000007')).toHaveLength(0);
  });

  it("one receiver's multi-part fragments are not completed by another receiver's on the same feed", async () => {
    const a = dgram.createSocket('udp4');
    const b = dgram.createSocket('udp4');
    const send = (s: dgram.Socket, line: string) => new Promise<void>((ok, fail) => s.send(`${line}\r\n`, port('ais-public'), '127.0.0.1', (err) => (err ? fail(err) : ok())));
    const feed = node.feeds.get('ais-public')!;
    const step = async (s: dgram.Socket, line: string) => {
      const before = feed.status().messages;
      await send(s, line);
      await waitFor(() => feed.status().messages > before, 'datagram read');
    };
    try {
      // the end of the destination is in the second part
      const [a1, a2] = type5({ mmsi: 431000008, name: 'FROM RECEIVER A', shipType: 70, destination: 'DESTINATION PORT A' }, '5');
      const [, b2] = type5({ mmsi: 431000009, name: 'FROM RECEIVER B', shipType: 80, destination: 'DESTINATION PORT B' }, '5');
      await step(a, type1({ mmsi: 431000008, lat: 34.1, lon: 132.1 }));
      await step(a, a1);
      await step(b, b2); // same channel and sequence id, another sender: must not complete A's first part
      await step(a, a2);
      await step(a, type1({ mmsi: 431000008, lat: 34.11, lon: 132.11 }));
      await waitFor(() => low.byUid('MMSI-431000008').some((e) => e.detailXml.includes('destination DESTINATION PORT A')), "A's static data joined from A's parts");
      expect(low.byUid('MMSI-431000008').some((e) => e.detailXml.includes('PORT B'))).toBe(false);
    } finally {
      a.close();
      b.close();
    }
  });

  it('an independent Python stdlib sender over UDP and TCP', async () => {
    const run = (args: string[]) =>
      new Promise<string>((resolve, reject) => {
        const py = spawn('python3', [join(repoRoot, 'test/python/feed_sender.py'), ...args]);
        let out = '';
        py.stdout.on('data', (d: Buffer) => (out += d.toString()));
        py.stderr.on('data', (d: Buffer) => (out += d.toString()));
        py.on('error', reject);
        py.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python exited ${code}: ${out}`))));
      });
    const [p1, p2] = type5({ mmsi: 431000005, name: 'PY SENDER', shipType: 30 }, '3');
    await run(['udp', '127.0.0.1', String(port('ais-public')), '--line', type1({ mmsi: 431000005, lat: 26.2, lon: 127.7 }), '--line', p1, '--line', p2, '--line', 'not a sentence']);
    await run(['tcp', '127.0.0.1', String(port('ais-coastal')), '--line', type1({ mmsi: 431000006, lat: 26.3, lon: 127.8 })]);
    await waitFor(() => low.byUid('MMSI-431000005').some((e) => e.callsign === 'PY SENDER'), 'python UDP vessel with its name');
    expect(low.byUid('MMSI-431000005').at(-1)!.type).toBe('a-n-S-X-F');
    await full.waitForUid('MMSI-431000006');
  });
});
