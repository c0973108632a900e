import { join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { ensureNodePki, type NodePki } from '../certs/index.js';
import { makeLabel } from '../labels/index.js';
import { parseConfig, type NodeConfigInput } from '../node/config.js';
import { startNode, type KizunaNode } from '../node/node.js';
import { BINDING_PUBLIC_FILE, loadBindingKeys } from '../node/binding-keys.js';
import { KizunaError } from '../util/errors.js';
import { SCENARIO, unitEvent } from './scenario.js';
import { ensureDataDir } from '../util/data-dir.js';
import { untilStopSignal } from '../util/stop-signal.js';
import { raiseTrilateralRequest } from './trilateral.js';

export interface DemoOptions {
  basePort: number;
  dataDir: string;
  scenario: boolean;
  /** interval of scenario updates (ms) */
  tickMs?: number;
  /** print to stdout (the CLI); tests pass false and read the returned nodes */
  print?: boolean;
  /** nations, one node each, linked in a line in this order (default JPN, USA) */
  nations?: string[];
  /** link every pair directly instead of a line */
  mesh?: boolean;
}

export const DEMO_PASSWORD = 'kizuna-demo';
const DEFAULT_NATIONS = ['JPN', 'USA'];
/** nations the scenario has units and users for */
export const DEMO_NATIONS: readonly string[] = ['JPN', 'USA', 'PHL'];

function demoNations(list: string[] | undefined): string[] {
  const nations = list ?? DEFAULT_NATIONS;
  const bad = nations.filter((n) => !DEMO_NATIONS.includes(n));
  if (bad.length || new Set(nations).size !== nations.length || nations.length < 2) {
    throw new KizunaError('CONFIG_INVALID', `demo nations must be two or three different ones of ${DEMO_NATIONS.join(', ')} (got ${nations.join(',')})`);
  }
  return nations;
}

/** Port block of a demo node: base + 10·index + offset. */
function ports(base: number, i: number) {
  const b = base === 0 ? 0 : base + i * 10;
  const p = (o: number) => (b === 0 ? 0 : b + o);
  return { http: p(0), tcp: p(1), tls: p(2), https: p(3), enroll: p(4), federation: p(5) };
}

export function demoUsers(nation: string) {
  const n = nation.toLowerCase();
  return [
    { username: `${n}-coord`, password: DEMO_PASSWORD, role: 'coordinator' as const, displayName: `${nation} coordinator` },
    { username: `${n}-operator`, password: DEMO_PASSWORD, role: 'operator' as const, displayName: `${nation} operator` },
    { username: `${n}-viewer`, password: DEMO_PASSWORD, role: 'viewer' as const, displayName: `${nation} viewer` },
    { username: `${n}-admin`, password: DEMO_PASSWORD, role: 'administrator' as const, displayName: `${nation} administrator` },
  ];
}

export interface Demo {
  nodes: KizunaNode[];
  stop(): Promise<void>;
}

/**
 * Sovereign nodes (default JPN, USA; `nations` JPN,USA,PHL for the trilateral line JPN–USA–PHL) on
 * embedded defaults, each with its own PKI, binding key, store and ports, federated over mutual TLS
 * trusting only each linked peer's CA, plus the exercise scenario. Nodes not linked to each other hold
 * each other's binding public key (`originators`), so a track relayed by the middle node is verified.
 */
export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const nations = demoNations(opts.nations);
  const linked = (i: number, j: number) => opts.mesh === true || Math.abs(i - j) === 1;
  const root = resolve(opts.dataDir);
  const dirs = nations.map((n) => join(root, n.toLowerCase()));
  const pkis: NodePki[] = [];
  for (const [i, n] of nations.entries()) {
    ensureDataDir(dirs[i]!); // names a bad --data instead of spinning (see ensureDataDir)
    pkis.push(await ensureNodePki(dirs[i]!, { nation: n, nodeId: n, hosts: ['localhost', '127.0.0.1'] }));
    await loadBindingKeys(dirs[i]!);
  }
  // With --base-port 0 (tests) every port is any free one, except the federation ports, which every node
  // must know before any starts: those are reserved here. A reserved port can be taken before its node binds
  // it (another process's bind or outgoing connection): then the nodes start again on newly reserved ports.
  let nodes: KizunaNode[];
  for (let attempt = 1; ; attempt++) {
    const portBlocks = nations.map((_, i) => ports(opts.basePort, i));
    if (opts.basePort === 0) for (const b of portBlocks) b.federation = await freePort();
    try {
      nodes = await startNodes(nations, dirs, pkis, portBlocks, linked);
      break;
    } catch (err) {
      if (opts.basePort !== 0 || attempt >= 3 || !addressInUse(err)) throw err;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  if (opts.scenario && nations.length === 3) {
    // raised by a node linked to every other one (the middle of the line): coordination documents are
    // exchanged only between linked nodes, they are not relayed
    const hub = nodes.find((_, i) => nations.every((_, j) => j === i || linked(i, j)))!;
    await raiseTrilateralRequest(hub, nations);
  }
  if (opts.scenario) {
    const tick = async () => {
      const now = Date.now();
      for (const unit of SCENARIO) {
        if (!nations.includes(unit.owner) || !(unit.requires ?? []).every((n) => nations.includes(n))) continue;
        const node = nodes[nations.indexOf(unit.owner)]!;
        const policy = node.registry.policyOf(unit.owner);
        const label = makeLabel(node.registry, { policy, classification: unit.label.classification, relTo: unit.label.relTo, owner: unit.owner });
        await node.publishLocal(unitEvent(unit, now, ''), label).catch(() => undefined);
      }
    };
    await tick();
    timer = setInterval(() => void tick(), opts.tickMs ?? 1000);
  }

  if (opts.print !== false) {
    for (const node of nodes) {
      const r = node.ready;
      process.stdout.write(
        `${r.nation}: web http://localhost:${r.http}/  CoT tcp:${r.tcp} tls:${r.tls}  Marti https:${r.https} enroll:${r.enroll}  federation:${r.federation}\n`,
      );
    }
    const users = nations.map((n) => `${n.toLowerCase()}-coord`).join(' / ');
    process.stdout.write(`log in as ${users} (also -operator, -viewer, -admin), password ${DEMO_PASSWORD}\n`);
    for (const node of nodes) process.stdout.write(JSON.stringify(node.ready) + '\n');
  }

  return {
    nodes,
    async stop() {
      if (timer) clearInterval(timer);
      for (const n of [...nodes].reverse()) await n.close();
    },
  };
}

/** `kizuna demo`: runs until Ctrl-C / SIGTERM. */
export async function runDemo(opts: DemoOptions): Promise<void> {
  const stopped = untilStopSignal(); // before the ready lines (printed while the nodes start)
  const demo = await startDemo(opts);
  await stopped;
  await demo.stop();
}

/** Starts one node per nation, federated as `linked` says; closes the ones started if a later one fails. */
async function startNodes(
  nations: readonly string[],
  dirs: readonly string[],
  pkis: readonly NodePki[],
  portBlocks: readonly ReturnType<typeof ports>[],
  linked: (i: number, j: number) => boolean,
): Promise<KizunaNode[]> {
  const nodes: KizunaNode[] = [];
  try {
    for (const [i, n] of nations.entries()) {
      const originators = nations.flatMap((m, j) => (j === i || linked(i, j) ? [] : [{ name: m, nation: m, keyFile: join(dirs[j]!, BINDING_PUBLIC_FILE) }]));
      const peers = nations.flatMap((m, j) => {
        if (j === i || !linked(i, j)) return [];
        const caFile = join(dirs[i]!, `peer-${m.toLowerCase()}-ca.pem`);
        writeFileSync(caFile, pkis[j]!.caCertPem);
        return [{ name: m, nation: m, host: '127.0.0.1', port: portBlocks[j]!.federation, caFile }];
      });
      const input: NodeConfigInput = {
        nation: n,
        nodeId: n,
        dataDir: dirs[i]!,
        host: '127.0.0.1',
        publicHost: 'localhost',
        ports: portBlocks[i]!,
        peers,
        originators,
        // demo: unlabelled TAK input is releasable to the partner; plain-TCP clients (no identity) stay cleared
        // to the lowest level only (tcpClearance default): use TLS client certificates for more
        defaultLabel: { relTo: [...nations] },
        seedUsers: demoUsers(n),
      };
      const config = parseConfig(input);
      const node = await startNode(config);
      nodes.push(node);
    }
  } catch (err) {
    for (const n of [...nodes].reverse()) await n.close().catch(() => undefined);
    throw err;
  }
  return nodes;
}

/** Whether `err` (or an error it was caused by) is a port already in use. */
function addressInUse(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === 'EADDRINUSE') return true;
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
