import { parseConfig, loadConfigFile, envConfig, type NodeConfig } from '../node/config.js';
import { startNode } from '../node/node.js';

export interface ServeFlags {
  config?: string;
  nation?: string;
  nodeId?: string;
  data?: string;
  host?: string;
  publicHost?: string;
  tcpPort?: number;
  tlsPort?: number;
  httpPort?: number;
  httpsPort?: number;
  enrollPort?: number;
  federationPort?: number;
  store?: string;
  bus?: string;
}

/** Config file < environment (KIZUNA_*) < flags. */
export function configFromFlags(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const file = loadConfigFile(flags.config);
  const merged: Record<string, unknown> = { ...file, ...envConfig(env) };
  const set = (k: string, v: unknown) => {
    if (v !== undefined) merged[k] = v;
  };
  set('nation', flags.nation);
  set('nodeId', flags.nodeId);
  set('dataDir', flags.data);
  set('host', flags.host);
  set('publicHost', flags.publicHost);
  set('store', flags.store);
  set('bus', flags.bus);
  const ports = { ...((file.ports as Record<string, number> | undefined) ?? {}) };
  const portFlags: [string, number | undefined][] = [
    ['tcp', flags.tcpPort],
    ['tls', flags.tlsPort],
    ['http', flags.httpPort],
    ['https', flags.httpsPort],
    ['enroll', flags.enrollPort],
    ['federation', flags.federationPort],
  ];
  for (const [k, v] of portFlags) if (v !== undefined) ports[k] = v;
  merged.ports = ports;
  if (merged.dataDir === undefined && typeof merged.nation === 'string') merged.dataDir = `.kizuna/${merged.nation.toLowerCase()}`;
  return parseConfig(merged);
}

/** `kizuna serve`: one node; prints one JSON ready line on stdout; exits cleanly on SIGTERM/SIGINT. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const config = configFromFlags(flags);
  const node = await startNode(config);
  process.stdout.write(JSON.stringify(node.ready) + '\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await node.close();
}
