import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { plannedPort } from '../support/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll } from 'vitest';
import { ensureNodePki, type NodePki } from '../../src/certs/index.js';
import { demoUsers, DEMO_PASSWORD } from '../../src/demo/run.js';
import { makeLabel, type PolicyRegistry } from '../../src/labels/index.js';
import type { SecurityLabel } from '../../src/labels/types.js';
import { parseConfig, type NodeConfigInput } from '../../src/node/config.js';
import { startNode, type KizunaNode } from '../../src/node/node.js';
import { BINDING_PUBLIC_FILE, loadBindingKeys } from '../../src/node/binding-keys.js';
import type { StoredEvent } from '../../src/store/types.js';
import { waitFor } from '../support/wait.js';
import { loginToken } from '../support/http.js';

/**
 * Real sovereign nodes for node-level federation tests: each with its own data dir, PKI (its own CA),
 * SQLite store and ports (0 = any free one), federated pairwise over mutual TLS trusting only the
 * peer's CA. Federation ports are reserved first because every node must know its peers' ports.
 */
export interface ClusterSpec {
  nation: string;
  /** default label of unlabelled input: owner-only unless given */
  relTo?: string[];
  /** nations this node is linked to (default: every other node, a full mesh); the others become
   * `originators` (their binding keys), so their tracks may arrive relayed */
  links?: string[];
}

export interface Planned {
  nation: string;
  dir: string;
  fedPort: number;
  config: NodeConfigInput;
}


/** Data dirs, PKIs, binding keys, peer CA files and configs (a full mesh unless `links` say otherwise); nothing started. */
export async function planCluster(specs: ClusterSpec[], root = mkdtempSync(join(tmpdir(), 'kizuna-fednode-'))): Promise<{ root: string; nodes: Planned[]; cleanup(): void }> {
  const dirs = specs.map((s) => join(root, s.nation.toLowerCase()));
  const pkis: NodePki[] = [];
  for (const [i, s] of specs.entries()) {
    mkdirSync(dirs[i]!, { recursive: true });
    pkis.push(await ensureNodePki(dirs[i]!, { nation: s.nation, nodeId: s.nation, hosts: ['localhost', '127.0.0.1'] }));
    await loadBindingKeys(dirs[i]!);
  }
  const linked = (a: ClusterSpec, b: ClusterSpec) => (a.links ?? specs.map((x) => x.nation)).includes(b.nation) && (b.links ?? specs.map((x) => x.nation)).includes(a.nation);
  const fedPorts = await Promise.all(specs.map(() => plannedPort()));
  const nodes = specs.map((s, i): Planned => {
    const originators = specs.flatMap((o, j) => (j === i || linked(s, o) ? [] : [{ name: o.nation, nation: o.nation, keyFile: join(dirs[j]!, BINDING_PUBLIC_FILE) }]));
    const peers = specs.flatMap((o, j) => {
      if (j === i || !linked(s, o)) return [];
      const caFile = join(dirs[i]!, `peer-${o.nation.toLowerCase()}-ca.pem`);
      writeFileSync(caFile, pkis[j]!.caCertPem);
      return [{ name: o.nation, nation: o.nation, host: '127.0.0.1', port: fedPorts[j]!, caFile }];
    });
    return {
      nation: s.nation,
      dir: dirs[i]!,
      fedPort: fedPorts[i]!,
      config: {
        nation: s.nation,
        nodeId: s.nation,
        dataDir: dirs[i]!,
        host: '127.0.0.1',
        publicHost: 'localhost',
        ports: { tcp: 0, tls: 0, http: 0, https: 0, enroll: 0, federation: fedPorts[i]! },
        peers,
        ...(originators.length ? { originators } : {}),
        defaultLabel: { relTo: s.relTo ?? [s.nation] },
        seedUsers: demoUsers(s.nation),
        logLevel: 'warn',
      },
    };
  });
  return { root, nodes, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export async function startPlanned(p: Planned, over: Partial<NodeConfigInput> = {}): Promise<KizunaNode> {
  return startNode(parseConfig({ ...p.config, ...over }));
}

/** Writes the planned config as a JSON file for `kizuna serve --config`. */
/** Config overrides of one node, or a function of its plan (to extend the planned config). */
type Override = Partial<NodeConfigInput> | ((p: Planned) => Partial<NodeConfigInput>);

/** A planned JPN–USA cluster with both nodes running. */
export interface LinkedPair {
  cluster: Awaited<ReturnType<typeof planCluster>>;
  jpn: KizunaNode;
  usa: KizunaNode;
}

/**
 * Registers the file's beforeAll/afterAll for two real nodes (JPN first, then USA, each with its config
 * overrides) whose federation link is up at both ends; `onStart` receives them, `onStop` runs before they close.
 */
export function useLinkedPair(
  specs: [ClusterSpec, ClusterSpec],
  over: { jpn?: Override; usa?: Override },
  onStart: (p: LinkedPair) => void,
  onStop?: () => void,
): void {
  let p: Partial<LinkedPair> = {};
  beforeAll(async () => {
    p.cluster = await planCluster(specs);
    const start = (n: Planned, o: Override = {}) => startPlanned(n, typeof o === 'function' ? o(n) : o);
    const jpn = (p.jpn = await start(p.cluster.nodes[0]!, over.jpn));
    const usa = (p.usa = await start(p.cluster.nodes[1]!, over.usa));
    await waitFor(() => jpn.federation.status()[0]!.state === 'connected' && usa.federation.status()[0]!.state === 'connected', 'link up', 20_000);
    onStart(p as LinkedPair);
  }, 120_000);
  afterAll(async () => {
    onStop?.();
    await p.usa?.close();
    await p.jpn?.close();
    p.cluster?.cleanup();
    p = {};
  });
}

/** A planned JPN–USA–PHL cluster with all three nodes running. */
export interface Trilateral extends LinkedPair {
  phl: KizunaNode;
}

/**
 * Registers the describe's beforeAll/afterAll for three real nodes JPN, USA and PHL, linked as `links` says
 * (nation → the nations it is linked to; a full mesh when left out), every link up at both ends; PHL's plain
 * TCP clients are cleared to TOP SECRET, so what PHL withholds from them is the guard's release decision.
 */
export function useTrilateral(links: Record<string, string[]> | undefined, onStart: (t: Trilateral) => void): void {
  let t: Partial<Trilateral> = {};
  beforeAll(async () => {
    const cluster = (t.cluster = await planCluster(['JPN', 'USA', 'PHL'].map((nation) => ({ nation, ...(links ? { links: links[nation]! } : {}) }))));
    const started = await Promise.all(cluster.nodes.map((n) => startPlanned(n, n.nation === 'PHL' ? { tcpClearance: 'TOP SECRET' } : {})));
    [t.jpn, t.usa, t.phl] = started as [KizunaNode, KizunaNode, KizunaNode];
    await waitFor(() => started.every((n) => n.federation.status().every((p) => p.state === 'connected')), 'links up', 30_000);
    onStart(t as Trilateral);
  }, 120_000);
  afterAll(async () => {
    for (const n of [t.phl, t.usa, t.jpn]) await n?.close();
    t.cluster?.cleanup();
    t = {};
  });
}

export function writeConfigFile(p: Planned): string {
  const file = join(p.dir, 'config.json');
  writeFileSync(file, JSON.stringify(p.config, null, 2));
  return file;
}

export function jpnLabel(registry: PolicyRegistry, relTo: string[], classification = 'UNCLASSIFIED'): SecurityLabel {
  return makeLabel(registry, { policy: 'JPN', classification, relTo, owner: 'JPN' });
}

export async function allEvents(node: KizunaNode): Promise<StoredEvent[]> {
  return node.store.events.latest({ now: 0, includeStale: true, limit: 100_000 });
}

export async function hasUid(node: KizunaNode, uid: string): Promise<boolean> {
  return (await allEvents(node)).some((e) => e.uid === uid) || (await node.store.events.history(uid)).length > 0;
}

export async function auditRows(node: KizunaNode, kind?: string): Promise<{ seq: number; kind: string; body: Record<string, unknown> }[]> {
  const rows = await node.store.auditRange(1, 1_000_000);
  return rows.filter((r) => !kind || r.kind === kind).map((r) => ({ seq: r.seq, kind: r.kind, body: JSON.parse(r.body) as Record<string, unknown> }));
}

export async function login(node: KizunaNode, username: string): Promise<string> {
  return loginToken(node.ready.http, username, DEMO_PASSWORD);
}

export async function api<T = unknown>(node: KizunaNode, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`http://127.0.0.1:${node.ready.http}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
}

/** A browser-like WebSocket session recording every server message (raw text too, for leak checks). */
export async function openWs(node: KizunaNode, token: string): Promise<{ msgs: { t: string; [k: string]: unknown }[]; raw: string[]; close(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${node.ready.http}/api/ws?token=${encodeURIComponent(token)}`);
  const msgs: { t: string }[] = [];
  const raw: string[] = [];
  ws.on('message', (d) => {
    const s = d.toString();
    raw.push(s);
    // a message is one ServerMessage or a batch (array) of them
    msgs.push(...([JSON.parse(s)].flat() as { t: string }[]));
  });
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  return { msgs: msgs as never, raw, close: () => ws.terminate() };
}

/** A nation's decision on a request is in the node's audit chain: its own as request.concur, a partner's as remote.concurrence. */
export async function concurrenceInAudit(node: KizunaNode, requestId: string, nation: string): Promise<boolean> {
  return (await auditRows(node)).some(
    (r) =>
      (r.kind === 'request.concur' && r.body.id === requestId && r.body.nation === nation) ||
      (r.kind === 'remote.concurrence' && r.body.requestId === requestId && r.body.owner === nation && r.body.decision === 'concur'),
  );
}
