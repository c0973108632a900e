import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/api/contract.js';
import { TRILATERAL_TITLE } from '../../src/demo/trilateral.js';
import type { KizunaNode } from '../../src/node/node.js';
import { waitFor } from '../support/node-harness.js';
import { useDemoNodes } from '../support/pair.js';
import { api, concurrenceInAudit, login } from './cluster.js';

/**
 * `kizuna demo --nations JPN,USA,PHL --mesh`: with every pair linked, coordination documents reach every
 * node, so each concurrence of the trilateral request is in each node's audit chain (its own as
 * request.concur, the partners' as remote.concurrence).
 */
let nodes: Record<'JPN' | 'USA' | 'PHL', KizunaNode>;
const NATIONS = ['JPN', 'USA', 'PHL'] as const;

useDemoNodes('demo3m', { scenario: true, tickMs: 1000, nations: [...NATIONS], mesh: true }, (n) => {
  const [JPN, USA, PHL] = n as [KizunaNode, KizunaNode, KizunaNode];
  nodes = { JPN, USA, PHL };
});

describe('three-nation demo, full mesh', () => {
  it('every concurrence of the trilateral request is in every node audit chain', async () => {
    expect(nodes.JPN.federation.status().map((p) => p.peer).sort()).toEqual(['PHL', 'USA']);
    const tokens = Object.fromEntries(await Promise.all(NATIONS.map(async (n) => [n, await login(nodes[n], `${n.toLowerCase()}-coord`)] as const)));
    const find = async (n: (typeof NATIONS)[number]) =>
      (await api<{ items: RequestView[] }>(nodes[n], tokens[n]!, 'GET', '/api/requests')).json.items.find((r) => r.title === TRILATERAL_TITLE);
    for (const n of NATIONS) await waitFor(async () => (await find(n)) !== undefined, `request on ${n}`, 30_000);
    const id = (await find('JPN'))!.id;
    for (const n of NATIONS) expect((await api(nodes[n], tokens[n]!, 'POST', `/api/requests/${id}/concur`, {})).status, n).toBe(200);
    for (const n of NATIONS) await waitFor(async () => (await find(n))!.status === 'concurred', `concurred on ${n}`, 60_000);
    for (const at of NATIONS) for (const n of NATIONS) await waitFor(() => concurrenceInAudit(nodes[at], id, n), `${n} concurrence in ${at} audit`, 30_000);
  }, 180_000);
});
