import { afterAll, describe, expect, it } from 'vitest';
import type { KizunaNode } from '../../src/node/node.js';
import { federationStatus } from '../../src/cli/federation.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { waitFor } from '../support/node-harness.js';
import { allEvents, api, auditRows, hasUid, jpnLabel, login, openWs, useLinkedPair } from './cluster.js';

/**
 * Two real nodes (JPN, USA): full startNode assemblies with their own PKI, SQLite store, TAK server,
 * REST/WS API and federation over mutual TLS. What is releasable crosses; what is not never shows up
 * on any USA egress (store, TAK stream, REST, WebSocket).
 */
let jpn: KizunaNode;
let usa: KizunaNode;
const latencies: number[] = [];

// USA plain-TCP clients cleared to the top of the USA policy: anything they miss is withheld for releasability.
useLinkedPair(
  [{ nation: 'JPN', relTo: ['JPN', 'USA'] }, { nation: 'USA', relTo: ['USA', 'JPN'] }],
  { usa: { tcpClearance: 'TOP SECRET' } },
  (p) => ({ jpn, usa } = p),
);

afterAll(() => {
  // eslint-disable-next-line no-console
  if (latencies.length) console.log(`JPN TAK -> USA TAK latency ms: ${latencies.map((l) => l.toFixed(1)).join(', ')}`);
});

describe('federation between two real nodes', () => {
  it('a releasable event from a JPN TAK client reaches the USA store and a TAK client on USA', async () => {
    const usaTak = await TestTakClient.connect(usa.ready.tcp);
    const jpnTak = await TestTakClient.connect(jpn.ready.tcp);
    try {
      for (let i = 0; i < 5; i++) {
        const uid = `JPN-rel-${i}-${Date.now()}`;
        const t0 = performance.now();
        jpnTak.send(sa(uid, `JGSDF-${i}`)); // unlabelled: JPN default label REL TO JPN,USA
        await usaTak.waitForUid(uid, 20_000);
        latencies.push(performance.now() - t0);
        const stored = (await allEvents(usa)).find((e) => e.uid === uid)!;
        expect(stored.origin).toBe('JPN');
        // the originator label travels with the object (the receiver re-checked its own translation)
        expect(stored.label).toMatchObject({ policy: 'JPN', owner: 'JPN' });
      }
      expect(usaTak.errors).toEqual([]);
    } finally {
      usaTak.close();
      jpnTak.close();
    }
  }, 120_000);

  it('a JPN-only event never appears on USA: store, TAK stream, REST /api/tracks, WebSocket', async () => {
    const usaTak = await TestTakClient.connect(usa.ready.tcp);
    const token = await login(usa, 'usa-coord');
    const ws = await openWs(usa, token);
    const jpnOnly = `JPN-NOFORN-${Date.now()}`;
    const marker = `JPN-marker-${Date.now()}`;
    try {
      await waitFor(() => ws.msgs.some((m) => m.t === 'snapshot'), 'ws snapshot');
      // The restricted one first, then a releasable marker: once the marker is everywhere on USA, the
      // restricted one had every chance to arrive (same node, same link, same fan-out path).
      expect(await jpn.publishLocal(sa(jpnOnly, 'SECRET-UNIT'), jpnLabel(jpn.registry, ['JPN']))).toBeDefined();
      expect(await jpn.publishLocal(sa(marker, 'MARKER'), jpnLabel(jpn.registry, ['JPN', 'USA']))).toBeDefined();
      await usaTak.waitForUid(marker, 20_000);
      await waitFor(() => ws.raw.some((r) => r.includes(marker)), 'marker on the WebSocket', 20_000);
      const tracks = await api<{ items: { uid: string }[]; total: number }>(usa, token, 'GET', '/api/tracks');
      expect(tracks.status).toBe(200);
      expect(tracks.json.items.map((t) => t.uid)).toContain(marker);

      // The restricted event exists on JPN ...
      expect(await hasUid(jpn, jpnOnly)).toBe(true);
      // ... and nowhere on USA.
      expect(await hasUid(usa, jpnOnly)).toBe(false);
      expect(usaTak.byUid(jpnOnly)).toEqual([]);
      expect(tracks.json.items.map((t) => t.uid)).not.toContain(jpnOnly);
      const usaUids = new Set((await allEvents(usa)).map((e) => e.uid));
      expect(tracks.json.total).toBeLessThanOrEqual(usaUids.size); // total counts only what USA holds
      expect(ws.raw.some((r) => r.includes(jpnOnly) || r.includes('SECRET-UNIT'))).toBe(false);
      // Withheld at the JPN egress, with the reason, and never reached the wire.
      const withheld = (await auditRows(jpn, 'fed.withheld')).filter((r) => r.body.id && (r.body.peer === 'USA'));
      const evId = (await allEvents(jpn)).find((e) => e.uid === jpnOnly)!.id;
      expect(withheld.find((r) => r.body.id === evId)?.body.reason).toBe('DENY_RELEASABILITY');
    } finally {
      usaTak.close();
      ws.close();
    }
  }, 120_000);

  it('a request concurred on both nodes crosses both ways (coordination documents)', async () => {
    const jt = await login(jpn, 'jpn-coord');
    const ut = await login(usa, 'usa-coord');
    const created = await api<{ id: string }>(jpn, jt, 'POST', '/api/requests', {
      kind: 'rfi',
      title: 'Fed-node RFI',
      description: 'crosses the federation',
      nations: ['JPN', 'USA'],
      priority: 'routine',
      label: { classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'] },
    });
    expect(created.status).toBe(200);
    const id = created.json.id;
    expect((await api(jpn, jt, 'POST', `/api/requests/${id}/submit`, {})).status).toBe(200);
    await waitFor(async () => (await api(usa, ut, 'GET', `/api/requests/${id}`)).status === 200, 'request on USA', 20_000);
    expect((await api(usa, ut, 'POST', `/api/requests/${id}/concur`, { comment: 'supportable' })).status).toBe(200);
    await waitFor(
      async () => JSON.stringify((await api(jpn, jt, 'GET', `/api/requests/${id}`)).json).includes('supportable'),
      'USA concurrence on JPN',
      20_000,
    );
    expect((await api(jpn, jt, 'POST', `/api/requests/${id}/concur`, {})).status).toBe(200);
    const done = (r: { json: unknown }) => (r.json as { status: string }).status === 'concurred';
    await waitFor(async () => done(await api(usa, ut, 'GET', `/api/requests/${id}`)), 'concurred on USA', 20_000);
    expect(done(await api(jpn, jt, 'GET', `/api/requests/${id}`))).toBe(true);
  }, 120_000);

  it('`kizuna federation status` against a live node prints the peer, link state and outbox depth', async () => {
    const url = `http://127.0.0.1:${jpn.ready.http}`;
    // without credentials the node refuses (operators and above only) and the CLI says why
    expect(await federationStatus({ url }, () => undefined, {})).toBe(1);
    expect(await federationStatus({ url }, () => undefined, { KIZUNA_USER: 'jpn-operator', KIZUNA_PASSWORD: 'wrong' })).toBe(1);
    const lines: string[] = [];
    const code = await federationStatus({ url }, (l) => lines.push(l), { KIZUNA_USER: 'jpn-operator', KIZUNA_PASSWORD: 'kizuna-demo' });
    expect(code).toBe(0);
    const [head, row] = lines.join('\n').split('\n');
    expect(head).toMatch(/^PEER\s+NATION\s+STATE\s+OUTBOX/);
    expect(row).toMatch(/^USA\s+USA\s+connected\s+\d+\s+\d+/);
    const json: string[] = [];
    const token = await login(usa, 'usa-operator');
    expect(await federationStatus({ url: `http://127.0.0.1:${usa.ready.http}`, json: true, token }, (l) => json.push(l), {})).toBe(0);
    const rows = JSON.parse(json.join('')) as { peer: string; state: string; outboxDepth: number; received: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ peer: 'JPN', state: 'connected' });
    expect(rows[0]!.received).toBeGreaterThan(0);
    expect(typeof rows[0]!.outboxDepth).toBe('number');
  }, 60_000);
});
