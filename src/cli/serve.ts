import { parseConfig, loadConfigFile, envConfig, type NodeConfig } from '../node/config.js';
import { startNode } from '../node/node.js';
import { ensureDataDir } from '../util/data-dir.js';
import { untilStopSignal } from '../util/stop-signal.js';
import { KizunaError } from '../util/errors.js';
import { defaultDataDir } from './data-dir.js';
import { explainStartFailure } from './startup-errors.js';

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

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Config file < environment (KIZUNA_*) < flags. */
export function configFromFlags(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const source = loadConfigFile(flags.config);
  const file = source?.value ?? {};
  const fromEnv = envConfig(env);
  const merged: Record<string, unknown> = { ...file, ...fromEnv };
  if (fromEnv.metrics) merged.metrics = { ...asObject(file.metrics), ...asObject(fromEnv.metrics) };
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
  const ports = { ...asObject(file.ports) };
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
  if (merged.nation === undefined) {
    throw new KizunaError('CONFIG_INVALID', 'nation is required: pass --nation XXX (e.g. JPN), set KIZUNA_NATION, or put "nation" in the config file');
  }
  if (merged.dataDir === undefined && typeof merged.nation === 'string') merged.dataDir = defaultDataDir(merged.nation);
  return parseConfig(merged, source);
}

/** `kizuna serve`: one node; prints one JSON ready line on stdout; exits cleanly on SIGTERM/SIGINT. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const config = configFromFlags(flags);
  // listening before the data directory exists and long before the ready line: a supervisor may signal as
  // soon as it sees either, and a signal with no listener kills the process uncleanly
  const stopped = untilStopSignal();
  ensureDataDir(config.dataDir); // before anything opens a file in it: names the problem instead of a stack trace or a hang
  const node = await startNode(config).catch((err: unknown) => {
    throw explainStartFailure(err, config);
  });
  process.stdout.write(JSON.stringify(node.ready) + '\n');
  await stopped;
  await node.close();
}
