import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLabelXml, renderMarking } from '../../src/labels/index.js';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient } from '../support/tak-client.js';
import { loginToken } from '../support/http.js';
import { openWs } from '../federation-node/cluster.js';

const METRICS_TOKEN = 'feeds-test-metrics-token';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** A dump1090 stand-in: SBS-1 on a TCP port the feed connects to; can be stopped and restarted on that port. */
class SbsServer {
  private server: net.Server | undefined;
  private readonly clients = new Set<net.Socket>();
  port = 0;
  async start(port = 0): Promise<void> {
    this.server = net.createServer((s) => {
      this.clients.add(s);
      s.on('close', () => this.clients.delete(s));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  get connected(): number {
    return this.clients.size;
  }
  send(lines: string[]): void {
    for (const c of this.clients) c.write(lines.map((l) => `${l}\r\n`).join(''));
  }
  async stop(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

describe('ADS-B feeds into a real node', () => {
  let node: Node;
  let tak: TestTakClient;
  const sbs = new SbsServer();
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-adsb-'));
  const json = join(dir, 'aircraft.json');

  beforeAll(async () => {
    await sbs.start();
    writeFileSync(json, JSON.stringify({ now: 1, aircraft: [] }));
    node = await startTestNode({
      nation: 'JPN',
      metrics: { token: METRICS_TOKEN },
      seedUsers: [
        { username: 'admin', password: 'admin-pass-1', role: 'administrator' },
        { username: 'op', password: 'op-pass-1', role: 'operator' },
      ],
      feeds: [
        { id: 'sbs', kind: 'sbs', transport: 'tcp-client', port: sbs.port, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] }, minIntervalMs: 200 },
        { id: 'json', kind: 'aircraft-json', transport: 'file', path: json, pollMs: 200, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] }, affiliation: 'n' },
      ],
    });
    tak = await TestTakClient.connect(node.ready.tcp);
  });
  afterAll(async () => {
    tak?.close();
    await node?.stop();
    await sbs.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('SBS-1 lines of each kind build one aircraft track; garbage is counted', async () => {
    await waitFor(() => sbs.connected === 1, 'feed connected to the SBS port');
    sbs.send([
      'MSG,1,111,11111,86D52E,111111,2026/12/02,06:00:00.000,2026/12/02,06:00:00.000,ANA123  ,,,,,,,,0,0,0,0',
      'not,an,sbs,line',
      'MSG,3,111,11111,86D52E,111111,2026/12/02,06:00:00.100,2026/12/02,06:00:00.100,,35000,,,35.55,139.78,,,0,0,0,0',
      'MSG,4,111,11111,86D52E,111111,2026/12/02,06:00:00.200,2026/12/02,06:00:00.200,,,450,270,,,0,,0,0,0,0',
      'MSG,6,111,11111,86D52E,111111,2026/12/02,06:00:00.300,2026/12/02,06:00:00.300,,,,,,,,2112,0,0,0,0',
    ]);
    await waitFor(() => tak.byUid('ICAO-86D52E').some((e) => e.callsign === 'ANA123' && e.speed !== undefined), 'aircraft with identity and velocity');
    const ev = tak.byUid('ICAO-86D52E').at(-1)!;
    expect(ev.type).toBe('a-u-A-C');
    expect(ev.point.hae).toBe(Math.round(35000 * 0.3048));
    expect(ev.course).toBe(270);
    const stored = (await node.store.events.getLatest('ICAO-86D52E'))!;
    expect(renderMarking(node.registry, stored.label)).toBe('UNCLASSIFIED//REL TO JPN, USA');
    expect(node.feeds.get('sbs')!.status().decodeErrors).toBe(1);
  });

  it('an emergency squawk over the socket raises ATAK\'s emergency alert with the feed label; clearing it sends the cancel', async () => {
    sbs.send(['MSG,6,111,11111,86D52E,111111,,,,,,,,,,,,7700,-1,-1,0,0']);
    const alert = await tak.waitForUid('ICAO-86D52E-9-1-1');
    expect(alert.type).toBe('b-a-o-tbl');
    expect(alert.detailXml).toContain('<link uid="ICAO-86D52E" type="a-u-A-C" relation="p-p"/>');
    expect(alert.detailXml).toContain('<contact callsign="ANA123-Alert"/>');
    expect(alert.detailXml).toContain('<emergency type="911 Alert">ANA123 squawk 7700 (general emergency)</emergency>');
    // the label travels with the alert to the TAK client: the feed's label
    expect(renderMarking(node.registry, parseLabelXml(alert.labelXml!))).toBe('UNCLASSIFIED//REL TO JPN, USA');
    const stored = (await node.store.events.getLatest('ICAO-86D52E-9-1-1'))!;
    expect(renderMarking(node.registry, stored.label)).toBe('UNCLASSIFIED//REL TO JPN, USA');
    expect(stored.originator).toBe('feed:sbs');
    expect(node.feeds.get('sbs')!.status().alerts).toBe(1);
    // a squawk that changes to another emergency replaces the alert; one that clears cancels it
    sbs.send(['MSG,6,111,11111,86D52E,111111,,,,,,,,,,,,7500,-1,-1,0,0']);
    await waitFor(() => tak.byUid('ICAO-86D52E-9-1-1').some((e) => e.detailXml.includes('squawk 7500 (unlawful interference)')), '7500 alert');
    sbs.send(['MSG,6,111,11111,86D52E,111111,,,,,,,,,,,,2112,0,0,0,0']);
    await waitFor(() => tak.byUid('ICAO-86D52E-9-1-1').some((e) => e.type === 'b-a-o-can'), 'alert cancelled');
    const cancel = tak.byUid('ICAO-86D52E-9-1-1').find((e) => e.type === 'b-a-o-can')!;
    expect(cancel.detailXml).toContain('<emergency cancel="true">');
    expect(cancel.detailXml).toContain('<link uid="ICAO-86D52E"');
  });

  it('the emergency squawk alert reaches a browser on the web COP over the WebSocket, with its marking', async () => {
    const base = `http://127.0.0.1:${node.ready.http}`;
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op', password: 'op-pass-1' }) });
    const ws = await openWs(node, ((await res.json()) as { token: string }).token);
    try {
      await waitFor(() => ws.msgs.some((m) => m.t === 'snapshot'), 'ws snapshot');
      sbs.send(['MSG,3,1,1,86D530,1,,,,,,9000,,,35.2,139.2,,,0,0,0,0', 'MSG,6,1,1,86D530,1,,,,,,,,,,,,7500,-1,-1,0,0']);
      await waitFor(() => ws.raw.some((r) => r.includes('ICAO-86D530-9-1-1')), 'alert on the web socket');
      const raw = ws.raw.find((r) => r.includes('ICAO-86D530-9-1-1'))!;
      expect(raw).toContain('b-a-o-tbl');
      expect(raw).toContain('squawk 7500 (unlawful interference)');
      expect(raw).toContain('UNCLASSIFIED//REL TO JPN, USA');
    } finally {
      ws.close();
    }
  });

  it('reconnects after the SBS source restarts, with backoff', async () => {
    const port = sbs.port;
    await sbs.stop();
    await waitFor(() => !node.feeds.get('sbs')!.status().connected, 'feed sees the disconnect');
    expect(node.feeds.get('sbs')!.status().error).toMatch(/^disconnected; next try in [\d.]+ s$/);
    await sbs.start(port);
    await waitFor(() => sbs.connected === 1 && node.feeds.get('sbs')!.status().connected, 'feed reconnected', 20_000);
    sbs.send(['MSG,3,1,1,86D52E,1,,,,,,34000,,,35.60,139.90,,,0,0,0,0']);
    await waitFor(() => tak.byUid('ICAO-86D52E').some((e) => Math.abs(e.point.lat - 35.6) < 1e-9), 'position after reconnect');
  });

  it('aircraft.json from a file: tracks with the feed affiliation; a rotorcraft by category', async () => {
    writeFileSync(
      json,
      JSON.stringify({
        now: 1764655200,
        aircraft: [
          { hex: '84a1b2', flight: 'JAL5    ', alt_baro: 12000, gs: 300, track: 45, lat: 34.7, lon: 135.4, category: 'A3', seen: 0.5 },
          { hex: '84a1b3', flight: 'JA01HK', alt_baro: 1500, gs: 100, track: 10, lat: 34.8, lon: 135.5, category: 'A7', seen: 1 },
          { hex: 'zzz' },
        ],
      }),
    );
    await tak.waitForUid('ICAO-84A1B2');
    await tak.waitForUid('ICAO-84A1B3');
    expect(tak.byUid('ICAO-84A1B2')[0]!.type).toBe('a-n-A-C-F');
    expect(tak.byUid('ICAO-84A1B3')[0]!.type).toBe('a-n-A-C-H');
    await waitFor(() => node.feeds.get('json')!.status().decodeErrors > 0, 'bad entry counted');
  });

  it('aircraft.json polled over HTTP; a failing server shows as not connected with the reason', async () => {
    let status = 200;
    let clock = 1_764_655_200;
    const server = http.createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      // dump1090's clock moves on every rewrite (a standing clock is a stopped dump1090)
      res.end(JSON.stringify({ now: (clock += 0.5), aircraft: [{ hex: '84c001', flight: 'ANA9', alt_baro: 3000, gs: 150, track: 180, lat: 34.4, lon: 132.9, seen: 0 }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/data/aircraft.json`;
    try {
      await node.feeds.add({ id: 'http', kind: 'aircraft-json', transport: 'http', url, pollMs: 200, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } });
      await tak.waitForUid('ICAO-84C001');
      expect(tak.byUid('ICAO-84C001')[0]!.callsign).toBe('ANA9');
      status = 500;
      await waitFor(() => node.feeds.get('http')!.status().error === 'HTTP 500', 'failure visible in the status');
      expect(node.feeds.get('http')!.status().connected).toBe(false);
      status = 200;
      await waitFor(() => node.feeds.get('http')!.status().connected, 'recovers after backoff', 20_000);
    } finally {
      await node.feeds.remove('http');
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('admin endpoint: administrators list, add (persisted) and remove feeds; others are refused', async () => {
    const base = `http://127.0.0.1:${node.ready.http}`;
    const login = (username: string, password: string) => loginToken(node.ready.http, username, password);
    const admin = await login('admin', 'admin-pass-1');
    const op = await login('op', 'op-pass-1');
    const call = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

    expect((await call('GET', '/api/admin/feeds', op)).status).toBe(403);
    expect((await fetch(`${base}/api/admin/feeds`)).status).toBe(401);
    expect((await fetch(`${base}/api/admin/feeds/sbs`, { method: 'DELETE' })).status).toBe(401);
    const list = (await (await call('GET', '/api/admin/feeds', admin)).json()) as { feeds: { config: { id: string }; status: { connected: boolean } }[] };
    expect(list.feeds.map((f) => f.config.id).sort()).toEqual(['json', 'sbs']);

    const added = await call('POST', '/api/admin/feeds', admin, { id: 'ais-extra', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } });
    expect(added.status).toBe(200);
    expect(((await added.json()) as { feed: { connected: boolean; port: number } }).feed.connected).toBe(true);
    const saved = JSON.parse(readFileSync(join(node.dir, 'feeds.json'), 'utf8')) as { id: string }[];
    expect(saved.map((f) => f.id)).toEqual(['ais-extra']);

    const bad = await call('POST', '/api/admin/feeds', admin, { id: 'x', kind: 'sbs', transport: 'udp', port: 1, label: { classification: 'UNCLASSIFIED' } });
    expect(bad.status).toBe(400);
    const badLabel = await call('POST', '/api/admin/feeds', admin, { id: 'y', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'TOP SECRET' } });
    expect(badLabel.status).toBe(400);
    expect((await call('POST', '/api/admin/feeds', op, { id: 'z' })).status).toBe(403);
    expect((await call('DELETE', '/api/admin/feeds/sbs', admin)).status).toBe(409);
    expect((await call('DELETE', '/api/admin/feeds/nope', admin)).status).toBe(404);
    expect((await call('DELETE', '/api/admin/feeds/ais-extra', admin)).status).toBe(200);
    expect(JSON.parse(readFileSync(join(node.dir, 'feeds.json'), 'utf8'))).toEqual([]);
    // both changes are in the audit chain with the administrator's name
    const rows = await node.store.auditRange(1, 1_000_000);
    const feedRows = rows.filter((r) => r.kind.startsWith('feed.')).map((r) => [r.kind, r.actor, (JSON.parse(r.body) as { id: string }).id]);
    expect(feedRows).toEqual([
      ['feed.add', 'admin', 'ais-extra'],
      ['feed.remove', 'admin', 'ais-extra'],
    ]);
  });

  it('/metrics carries per-feed samples (with the metrics token; without it they are not served)', async () => {
    const url = `http://127.0.0.1:${node.ready.http}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const text = await (await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(text).toMatch(/kizuna_feed_connected\{feed="sbs"\} 1/);
    expect(text).toMatch(/kizuna_feed_decode_errors_total\{feed="sbs"\} 1/);
    expect(text).toMatch(/kizuna_feed_messages_total\{feed="json"\} [1-9]/);
    for (const name of ['tracks_refused_total', 'publish_errors_total', 'alerts_total', 'connections_refused_total']) expect(text).toMatch(new RegExp(`kizuna_feed_${name}\\{feed="sbs"\\} \\d+`));
    expect(text).toMatch(/kizuna_feed_alerts_total\{feed="sbs"\} [1-9]/);
    // only ids and numbers: no feed address in the samples
    expect(text).not.toContain(`127.0.0.1:${sbs.port}`);
  });
});

describe('admin-added feeds survive a restart', () => {
  it('restores feeds.json from the data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kizuna-feeds-restart-'));
    try {
      const first = await startTestNode({ nation: 'JPN', dataDir });
      await first.feeds.add({ id: 'kept', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED' } });
      await first.stop();
      const second = await startTestNode({ nation: 'JPN', dataDir });
      try {
        expect(second.feeds.list().map((f) => [f.config.id, f.source, f.status.connected])).toEqual([['kept', 'admin', true]]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
