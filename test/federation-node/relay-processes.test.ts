import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadPolicies, serializeLabelXml } from '../../src/labels/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { StoredEvent } from '../../src/store/types.js';
import { childApi, spawnNode, type ChildNode } from '../support/child-node.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { waitFor } from '../support/node-harness.js';
import { jpnLabel, planCluster, writeConfigFile } from './cluster.js';

/**
 * Trilateral relay with three `kizuna serve` processes in a line JPN–USA–PHL (JPN and PHL not linked; each
 * holds the other's binding public key as an originator), fed by a TAK client on JPN: a track released to PHL
 * arrives at PHL once, still owned by JPN; one released to USA only and a JPN-only one never reach PHL's store.
 * The same with the direct JPN–PHL link added: both paths offer the track, PHL stores each JPN event once.
 */
const children: ChildNode[] = [];
const clusters: Awaited<ReturnType<typeof planCluster>>[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) await c.stop('SIGKILL');
  for (const c of clusters) c.cleanup();
});

async function tracksOn(c: ChildNode): Promise<{ uid: string }[]> {
  return (await childApi<{ items: { uid: string }[] }>(c, 'coord', '/api/tracks?limit=500')).items;
}

async function stored(dir: string, prefix: string): Promise<StoredEvent[]> {
  const store = await openSqliteStore(join(dir, 'kizuna.db'));
  try {
    const latest = (await store.events.latest({ now: 0, includeStale: true, includeDeleted: true, limit: 100_000 })).filter((e) => e.uid.startsWith(prefix));
    // every stored version of these uids (history), so a duplicate of one event would show
    return (await Promise.all(latest.map((e) => store.events.history(e.uid, { limit: 1000 })))).flat();
  } finally {
    await store.close();
  }
}

describe('trilateral relay between three kizuna serve processes', () => {
  const LINE = { JPN: ['USA'], USA: ['JPN', 'PHL'], PHL: ['USA'] };
  const MESH = { JPN: ['USA', 'PHL'], USA: ['JPN', 'PHL'], PHL: ['USA', 'JPN'] };
  it.each([
    ['JPN → USA → PHL', LINE],
    ['JPN → USA → PHL with the direct JPN–PHL link added (both paths, no duplicates)', MESH],
  ])('%s: released to PHL arrives once; bilateral and national never reach PHL', async (_name, links: Record<string, string[]>) => {
    const cluster = await planCluster(['JPN', 'USA', 'PHL'].map((nation) => ({ nation, links: links[nation]! })));
    clusters.push(cluster);
    // started together: the ports planned for each are free only until it binds them (other tests share the machine)
    const started = await Promise.all(cluster.nodes.map((n) => spawnNode(['--config', writeConfigFile(n)])));
    children.push(...started);
    const [jpn, , phl] = started as [ChildNode, ChildNode, ChildNode];
    const registry = loadPolicies();
    const tak = await TestTakClient.connect(jpn.ready.tcp);
    try {
      const gateway = (uid: string, relTo: string[]) =>
        sa(uid, uid, { detailXml: `<contact callsign="${uid}"/>`, labelXml: serializeLabelXml(jpnLabel(registry, relTo)) });
      // the links come up in the background: resend the trilateral track until PHL has it (same uid, newer time)
      await waitFor(async () => {
        tak.send(gateway('P-TRI', ['JPN', 'USA', 'PHL']));
        return (await tracksOn(phl)).some((t) => t.uid === 'P-TRI');
      }, 'the trilateral track at PHL', 60_000);
      tak.send(gateway('P-BI', ['JPN', 'USA']));
      tak.send(gateway('P-NAT', ['JPN']));
      const fence = `P-FENCE-${Date.now()}`;
      tak.send(gateway(fence, ['JPN', 'USA', 'PHL']));
      await waitFor(async () => (await tracksOn(phl)).some((t) => t.uid === fence), 'the fence at PHL', 30_000);
    } finally {
      tak.close();
    }
    for (const c of [...started].reverse()) await c.stop('SIGTERM');
    const atPhl = await stored(cluster.nodes[2]!.dir, 'P-');
    const tri = atPhl.filter((e) => e.uid === 'P-TRI');
    expect(tri.length).toBeGreaterThan(0);
    expect(new Set(tri.map((e) => e.id)).size).toBe(tri.length); // each JPN event stored once
    for (const e of tri) expect([e.label.owner, e.origin]).toEqual(['JPN', 'JPN']);
    expect([...new Set(atPhl.map((e) => e.uid))].filter((u) => u === 'P-BI' || u === 'P-NAT')).toEqual([]);
    const atUsa = (await stored(cluster.nodes[1]!.dir, 'P-')).map((e) => e.uid);
    expect(atUsa).toContain('P-BI');
    expect(atUsa).not.toContain('P-NAT');
  }, 180_000);
});
