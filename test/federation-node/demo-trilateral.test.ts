import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/api/contract.js';
import { startDemo, type Demo } from '../../src/demo/run.js';
import { TRILATERAL_TITLE } from '../../src/demo/trilateral.js';
import type { KizunaNode } from '../../src/node/node.js';
import { waitFor } from '../support/node-harness.js';
import { allEvents, api, auditRows, hasUid, login } from './cluster.js';

/**
 * `kizuna demo --nations JPN,USA,PHL`: three nodes in a line, the scenario's trilateral, bilateral and
 * national tracks each reaching exactly the nations they are released to (PHL through USA), and the
 * trilateral HA/DR request concurred by all three nations.
 */
let dir: string;
let demo: Demo;
let jpn: KizunaNode;
let usa: KizunaNode;
let phl: KizunaNode;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kizuna-demo3-'));
  demo = await startDemo({ basePort: 0, dataDir: dir, scenario: true, print: false, tickMs: 500, nations: ['JPN', 'USA', 'PHL'] });
  [jpn, usa, phl] = demo.nodes as [KizunaNode, KizunaNode, KizunaNode];
}, 120_000);

afterAll(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

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
    // each partner's node holds its own and USA's concurrence (documents are exchanged between linked nodes)
    for (const nation of ['JPN', 'PHL'] as const) {
      await waitFor(async () => (await find(nodes[nation], nation))!.concurrence.find((c) => c.nation === 'USA')?.decision === 'concur', `USA concurrence on ${nation}`, 30_000);
    }
  }, 150_000);
});
