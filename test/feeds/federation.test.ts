import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { KizunaNode } from '../../src/node/node.js';
import { waitFor } from '../support/node-harness.js';
import { TestTakClient } from '../support/tak-client.js';
import { type1 } from '../support/ais-encode.js';
import { allEvents, hasUid, login, openWs, useLinkedPair } from '../federation-node/cluster.js';

/**
 * Two real nodes: JPN takes a public AIS feed (REL TO USA) and a national coastal feed (JPN only). The
 * public tracks cross to USA with their label; the national ones stay on JPN — in its store and on its
 * web map — and appear on no USA egress.
 */
let jpn: KizunaNode;
let usa: KizunaNode;

function sendUdp(port: number, lines: string[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve, reject) =>
    s.send(lines.map((l) => `${l}\n`).join(''), port, '127.0.0.1', (err) => {
      s.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

function sendTcp(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(lines.map((l) => `${l}\r\n`).join(''), () => resolve()));
    s.once('error', reject);
  });
}

/** An aircraft with a position, then squawking 7700 (SBS-1 lines as dump1090's port 30003 sends them). */
const squawking = (icao: string, callsign: string) => [
  `MSG,1,1,1,${icao},1,,,,,${callsign},,,,,,,,0,0,0,0`,
  `MSG,3,1,1,${icao},1,,,,,,12000,,,34.5,131.5,,,0,0,0,0`,
  `MSG,6,1,1,${icao},1,,,,,,,,,,,,7700,-1,-1,0,0`,
];

useLinkedPair(
  [{ nation: 'JPN', relTo: ['JPN', 'USA'] }, { nation: 'USA', relTo: ['USA', 'JPN'] }],
  {
    jpn: {
      feeds: [
        { id: 'ais-public', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } },
        { id: 'ais-national', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED' } },
        { id: 'sbs-public', kind: 'sbs', transport: 'tcp-server', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } },
        { id: 'sbs-national', kind: 'sbs', transport: 'tcp-server', port: 0, label: { classification: 'UNCLASSIFIED' } },
      ],
    },
    usa: { tcpClearance: 'TOP SECRET' },
  },
  (p) => ({ jpn, usa } = p),
);

describe('feed labels across the federation', () => {
  it('a public AIS track reaches USA with its label; a national-only feed never does', async () => {
    const port = (id: string) => jpn.feeds.get(id)!.status().port!;
    const usaTak = await TestTakClient.connect(usa.ready.tcp);
    const jpnWs = await openWs(jpn, await login(jpn, 'jpn-coord'));
    const usaWs = await openWs(usa, await login(usa, 'usa-coord'));
    try {
      await waitFor(() => jpnWs.msgs.some((m) => m.t === 'snapshot') && usaWs.msgs.some((m) => m.t === 'snapshot'), 'ws snapshots');
      // the national one first, then the public marker on the same node and link
      await sendUdp(port('ais-national'), [type1({ mmsi: 431100001, lat: 33.9, lon: 130.9 })]);
      await waitFor(() => hasUid(jpn, 'MMSI-431100001'), 'national track stored on JPN');
      await sendUdp(port('ais-public'), [type1({ mmsi: 431100002, lat: 34.0, lon: 131.0 })]);
      await usaTak.waitForUid('MMSI-431100002', 20_000);
      await waitFor(() => usaWs.raw.some((r) => r.includes('MMSI-431100002')), 'public track on the USA web map', 20_000);
      const onUsa = (await allEvents(usa)).find((e) => e.uid === 'MMSI-431100002')!;
      expect(onUsa.origin).toBe('JPN');
      expect(onUsa.label).toMatchObject({ policy: 'JPN', owner: 'JPN' });
      // JPN's web map shows both, each with its own marking
      await waitFor(() => jpnWs.raw.some((r) => r.includes('MMSI-431100001')) && jpnWs.raw.some((r) => r.includes('MMSI-431100002')), 'both on the JPN map');
      expect(jpnWs.raw.find((r) => r.includes('MMSI-431100002'))).toContain('REL TO JPN, USA');
      expect(jpnWs.raw.find((r) => r.includes('MMSI-431100001'))).toContain('NOFORN');
      // the national track: nowhere on USA
      expect(await hasUid(usa, 'MMSI-431100001')).toBe(false);
      expect(usaTak.byUid('MMSI-431100001')).toEqual([]);
      expect(usaWs.raw.some((r) => r.includes('MMSI-431100001'))).toBe(false);
    } finally {
      usaTak.close();
      jpnWs.close();
      usaWs.close();
    }
  }, 120_000);

  it('an emergency squawk alert of a public feed reaches the partner; one of a national-only feed never does', async () => {
    const port = (id: string) => jpn.feeds.get(id)!.status().port!;
    const usaTak = await TestTakClient.connect(usa.ready.tcp);
    const jpnTak = await TestTakClient.connect(jpn.ready.tcp);
    try {
      // the national one first, on the same link, then the public one
      await sendTcp(port('sbs-national'), squawking('86F001', 'NATL1'));
      await jpnTak.waitForUid('ICAO-86F001-9-1-1', 20_000);
      await sendTcp(port('sbs-public'), squawking('86F002', 'PUBL2'));
      const alert = await usaTak.waitForUid('ICAO-86F002-9-1-1', 20_000);
      expect(alert.type).toBe('b-a-o-tbl');
      expect(alert.detailXml).toContain('PUBL2 squawk 7700 (general emergency)');
      await usaTak.waitForUid('ICAO-86F002', 20_000);
      expect(usaTak.byUid('ICAO-86F001-9-1-1')).toEqual([]);
      expect(usaTak.byUid('ICAO-86F001')).toEqual([]);
      expect(await hasUid(usa, 'ICAO-86F001-9-1-1')).toBe(false);
    } finally {
      usaTak.close();
      jpnTak.close();
    }
  }, 120_000);
});
