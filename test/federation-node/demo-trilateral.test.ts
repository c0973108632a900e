import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/api/contract.js';
import { TRILATERAL_TITLE } from '../../src/demo/trilateral.js';
import type { KizunaNode } from '../../src/node/node.js';
import { waitFor } from '../support/node-harness.js';
import { useDemoNodes } from '../support/pair.js';
import { SCENARIO } from '../../src/demo/scenario.js';
import { allEvents, api, auditRows, concurrenceInAudit, hasUid, login, openWs } from './cluster.js';

/**
 * `kizuna demo --nations JPN,USA,PHL`: three nodes in a line, the scenario's trilateral, bilateral and
 * national tracks each reaching exactly the nations they are released to (PHL through USA), and the
 * trilateral HA/DR request concurred by all three nations.
 */
let jpn: KizunaNode;
let usa: KizunaNode;
let phl: KizunaNode;
useDemoNodes('demo3', { scenario: true, tickMs: 500, nations: ['JPN', 'USA', 'PHL'] }, (n) => ([jpn, usa, phl] = n as [KizunaNode, KizunaNode, KizunaNode]));

const idOf = async (n: KizunaNode, uid: string) => (await allEvents(n)).find((e) => e.uid === uid)?.id;

describe('three-nation demo in a line', () => {
  it('is a line JPN–USA–PHL', () => {
    const peers = (n: KizunaNode) => n.federation.status().map((p) => p.peer).sort();
    expect([peers(jpn), peers(usa), peers(phl)]).toEqual([['USA'], ['JPN', 'PHL'], ['USA']]);
  });

  it('trilateral tracks reach every nation, bilateral ones only their pair, national ones stay home', async () => {
    await waitFor(() => hasUid(phl, 'JPN-LST-4001'), 'JPN trilateral on PHL (relayed by USA)', 60_000);
    await waitFor(() => hasUid(jpn, 'PHL-BRP-601'), 'PHL trilateral on JPN (relayed by USA)', 60_000);
    await waitFor(() => hasUid(phl, 'USA-PHL-MDA'), 'US-Philippine track on PHL', 60_000);
    // the relay decisions for JPN's bilateral track and USA-PHL's track were made and audited
    await waitFor(async () => {
      const id = await idOf(usa, 'JPN-DDH-183');
      return id !== undefined && (await auditRows(usa, 'fed.withheld')).some((r) => r.body.id === id && r.body.peer === 'PHL');
    }, 'USA withheld the JPN-USA track from PHL', 60_000);
    await waitFor(async () => {
      const id = await idOf(usa, 'USA-PHL-MDA');
      return id !== undefined && (await auditRows(usa, 'fed.withheld')).some((r) => r.body.id === id && r.body.peer === 'JPN');
    }, 'USA withheld the USA-PHL track from JPN', 60_000);
    expect(await hasUid(phl, 'JPN-DDH-183')).toBe(false);
    expect(await hasUid(jpn, 'USA-PHL-MDA')).toBe(false);
    for (const n of [usa, phl]) expect(await hasUid(n, 'JPN-GSDF-NAT')).toBe(false);
    for (const n of [usa, jpn]) expect(await hasUid(n, 'PHL-AFP-NAT')).toBe(false);
    expect(await hasUid(phl, 'USA-SSN-NOFORN')).toBe(false);
  }, 150_000);

  it("each node's COP (REST track list, its total, WebSocket) shows exactly the scenario tracks released to its nation", async () => {
    const nodes = { JPN: jpn, USA: usa, PHL: phl };
    for (const nation of ['JPN', 'USA', 'PHL'] as const) {
      const node = nodes[nation];
      const token = await login(node, `${nation.toLowerCase()}-coord`);
      const ws = await openWs(node, token);
      try {
        // released to the nation (UNCLASSIFIED, so every coordinator is cleared) / not released to it
        const mustSee = SCENARIO.filter((u) => u.label.relTo.includes(nation) && u.label.classification === 'UNCLASSIFIED').map((u) => u.uid);
        const never = SCENARIO.filter((u) => !u.label.relTo.includes(nation)).map((u) => u.uid);
        expect(mustSee.length, nation).toBeGreaterThanOrEqual(3);
        expect(never.length, nation).toBeGreaterThan(0);
        const list = async () => (await api<{ items: { uid: string }[]; total: number }>(node, token, 'GET', '/api/tracks?limit=500')).json;
        await waitFor(async () => {
          const uids = new Set((await list()).items.map((t) => t.uid));
          return mustSee.every((u) => uids.has(u));
        }, `${nation} track list`, 60_000);
        await waitFor(() => mustSee.every((u) => ws.raw.some((f) => f.includes(`"${u}"`))), `${nation} WebSocket`, 60_000);
        const tracks = await list();
        expect(tracks.total, nation).toBe(tracks.items.length);
        for (const uid of never) {
          expect(JSON.stringify(tracks), `${uid} on ${nation} REST`).not.toContain(uid);
          expect(ws.raw.some((f) => f.includes(uid)), `${uid} on ${nation} WebSocket`).toBe(false);
          expect(await hasUid(node, uid), `${uid} in ${nation} store`).toBe(false);
        }
      } finally {
        ws.close();
      }
    }
  }, 200_000);

  it('the trilateral HA/DR request needs and gets all three concurrences', async () => {
    const tokens = { JPN: await login(jpn, 'jpn-coord'), USA: await login(usa, 'usa-coord'), PHL: await login(phl, 'phl-coord') };
    const find = async (n: KizunaNode, nation: keyof typeof tokens) =>
      (await api<{ items: RequestView[] }>(n, tokens[nation], 'GET', '/api/requests')).json.items.find((r) => r.title === TRILATERAL_TITLE);
    const nodes = { JPN: jpn, USA: usa, PHL: phl };
    for (const nation of ['JPN', 'PHL'] as const) await waitFor(async () => (await find(nodes[nation], nation)) !== undefined, `request on ${nation}`, 30_000);
    const id = (await find(usa, 'USA'))!.id;
    expect((await find(usa, 'USA'))!.nations.sort()).toEqual(['JPN', 'PHL', 'USA']);
    for (const nation of ['JPN', 'PHL', 'USA'] as const) {
      const r = await api<RequestView>(nodes[nation], tokens[nation], 'POST', `/api/requests/${id}/concur`, {});
      expect(r.status, nation).toBe(200);
      // not concurred until the last nation has concurred
      if (nation !== 'USA') await waitFor(async () => (await find(usa, 'USA'))!.concurrence.find((c) => c.nation === nation)?.decision === 'concur', `${nation} concurrence on USA`, 30_000);
      if (nation === 'JPN') expect((await find(usa, 'USA'))!.status).not.toBe('concurred');
    }
    await waitFor(async () => (await find(usa, 'USA'))!.status === 'concurred', 'concurred on USA', 30_000);
    // JPN's concurrence reaches PHL and PHL's reaches JPN through USA (relayed with the originator's binding):
    // every node sees the request concurred and holds every concurrence in its audit chain
    for (const nation of ['JPN', 'PHL'] as const) await waitFor(async () => (await find(nodes[nation], nation))!.status === 'concurred', `concurred on ${nation}`, 60_000);
    for (const at of ['JPN', 'USA', 'PHL'] as const) {
      for (const n of ['JPN', 'USA', 'PHL']) await waitFor(() => concurrenceInAudit(nodes[at], id, n), `${n} concurrence in ${at} audit`, 30_000);
    }
    // the partner's concurrence came through USA, which the audit names
    const relayedAt = async (at: KizunaNode, owner: string) => (await auditRows(at, 'remote.concurrence')).some((r) => r.body.requestId === id && r.body.owner === owner && r.body.via === 'USA');
    expect(await relayedAt(jpn, 'PHL')).toBe(true);
    expect(await relayedAt(phl, 'JPN')).toBe(true);
  }, 150_000);
});
