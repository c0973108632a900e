import { CONFIG_ENV, NodeConfigSchema } from '../node/config.js';

/** The schema's own defaults (one place for each default): read, never restated. */
const DEFAULTS = NodeConfigSchema.parse({ nation: 'XXX', dataDir: '.' }) as unknown as Record<string, unknown>;

/** Default of a config key path such as `ports.tcp`, for help texts. */
export function serveDefault(path: string): string {
  let v: unknown = DEFAULTS;
  for (const k of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[k];
  return v === undefined ? 'none' : String(v);
}

/** The `serve` flag of each config key (the flags themselves are declared in main.ts). */
export const SERVE_FLAGS: Readonly<Record<string, string>> = {
  nation: '--nation',
  nodeId: '--node-id',
  dataDir: '--data',
  host: '--host',
  publicHost: '--public-host',
  'ports.tcp': '--tcp-port',
  'ports.tls': '--tls-port',
  'ports.http': '--http-port',
  'ports.https': '--https-port',
  'ports.enroll': '--enroll-port',
  'ports.federation': '--federation-port',
  store: '--store',
  bus: '--bus',
};

const width = Math.max(...CONFIG_ENV.map((e) => e.name.length));

export const SERVE_HELP_AFTER = [
  '',
  'Precedence: defaults < config file (--config) < KIZUNA_* environment < flags.',
  'Unknown config keys are refused. Every key with its default: docs/configuration.md',
  '',
  'Environment:',
  ...CONFIG_ENV.map((e) => `  ${e.name.padEnd(width)}  config key "${e.key}"`),
  `  ${'KIZUNA_DEBUG=1'.padEnd(width)}  print stack traces of errors (same as --debug)`,
].join('\n');
