import { join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { ensureNodePki, type NodePki } from '../certs/index.js';
import { makeLabel } from '../labels/index.js';
import { parseConfig, type NodeConfigInput } from '../node/config.js';
import { startNode, type KizunaNode } from '../node/node.js';
import { SCENARIO, unitEvent } from './scenario.js';
import { ensureDataDir } from '../util/data-dir.js';

export interface DemoOptions {
  basePort: number;
  dataDir: string;
  scenario: boolean;
  /** interval of scenario updates (ms) */
  tickMs?: number;
  /** print to stdout (the CLI); tests pass false and read the returned nodes */
  print?: boolean;
}

export const DEMO_PASSWORD = 'kizuna-demo';
const NATIONS = ['JPN', 'USA'] as const;

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
 * Two sovereign nodes (JPN, USA) on embedded defaults, each with its own PKI, store and ports,
 * federated over mutual TLS trusting only each other's CA, plus the exercise scenario.
 */
export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const root = resolve(opts.dataDir);
  const dirs = NATIONS.map((n) => join(root, n.toLowerCase()));
  const pkis: NodePki[] = [];
  for (const [i, n] of NATIONS.entries()) {
    ensureDataDir(dirs[i]!); // names a bad --data instead of spinning (see ensureDataDir)
    pkis.push(await ensureNodePki(dirs[i]!, { nation: n, nodeId: n, hosts: ['localhost', '127.0.0.1'] }));
  }
  const portBlocks = NATIONS.map((_, i) => ports(opts.basePort, i));
  // With --base-port 0 (tests) every port is any free one, except the federation ports, which both
  // nodes must know before either starts: those are reserved here.
  if (opts.basePort === 0) for (const b of portBlocks) b.federation = await freePort();
  const nodes: KizunaNode[] = [];
  for (const [i, n] of NATIONS.entries()) {
    const peers = NATIONS.flatMap((m, j) => {
      if (j === i) return [];
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
      // demo: unlabelled TAK input is releasable to the partner; plain-TCP clients (no identity) stay cleared
      // to the lowest level only (tcpClearance default): use TLS client certificates for more
      defaultLabel: { relTo: [...NATIONS] },
      seedUsers: demoUsers(n),
    };
    const config = parseConfig(input);
    const node = await startNode(config);
    nodes.push(node);
  }

  let timer: NodeJS.Timeout | undefined;
  if (opts.scenario) {
    const tick = async () => {
      const now = Date.now();
      for (const unit of SCENARIO) {
        const node = nodes[NATIONS.indexOf(unit.owner)]!;
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
    process.stdout.write(`log in as jpn-coord / usa-coord (also -operator, -viewer, -admin), password ${DEMO_PASSWORD}\n`);
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
  const demo = await startDemo(opts);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await demo.stop();
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
