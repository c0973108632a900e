import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { describeConfigIssues, readConfigFile, type ConfigFile } from './config-source.js';
import { FeedConfigSchema } from '../feeds/index.js';
import { ROLES } from '../vocab/index.js';

/** Package root (works from src/ under tsx and from dist/). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const Port = z.number().int().min(0).max(65535);

export const PeerConfigSchema = z.strictObject({
  name: z.string().min(1).describe('peer node id, e.g. "USA"'),
  nation: z.string().regex(/^[A-Z]{3}$/).describe("the peer's nation trigraph"),
  host: z.string().default('127.0.0.1').describe("the peer's federation host"),
  port: Port.describe("the peer's federation port"),
  caFile: z.string().describe("PEM file of the peer's CA: the only CA trusted for this peer"),
  keyFile: z.string().optional().describe("the peer's binding public key (JWK JSON file)"),
});
export type PeerConfig = z.infer<typeof PeerConfigSchema>;

export const NodeConfigSchema = z.strictObject({
  nation: z.string().regex(/^[A-Z]{3}$/, 'nation must be an ISO 3166 trigraph').describe('nation trigraph of this node, e.g. JPN (required)'),
  nodeId: z.string().min(1).optional().describe('node id (default: the nation)'),
  dataDir: z.string().min(1).describe('data directory: PKI, binding key, SQLite store, files (default: .kizuna/<nation>)'),
  host: z.string().default('0.0.0.0').describe('listen address of every port'),
  publicHost: z.string().default('localhost').describe('host name put in certificates, data packages and links'),
  ports: z
    .strictObject({
      tcp: Port.default(8087).describe('CoT over TCP (0 = any free port)'),
      tls: Port.default(8089).describe('CoT over TLS with client certificates'),
      http: Port.default(8080).describe('web COP, REST API, /healthz, /metrics'),
      https: Port.default(8443).describe('TAK HTTPS API (Marti) with client certificates'),
      enroll: Port.default(8446).describe('certificate enrollment (HTTPS, basic auth)'),
      federation: Port.default(9001).describe('federation (mutual TLS)'),
    })
    .prefault({}),
  store: z.string().optional().describe('`postgres://…` or a SQLite file (default: DATA/kizuna.db)'),
  bus: z.string().optional().describe('`nats://…` (default: the in-process bus)'),
  policiesDir: z.string().default(join(PACKAGE_ROOT, 'policies')).describe('directory of the label policy files'),
  webDir: z.string().default(join(PACKAGE_ROOT, 'web', 'dist')).describe('directory of the built web COP'),
  peers: z.array(PeerConfigSchema).default([]).describe('federation peers'),
  originators: z
    .array(
      z.strictObject({
        name: z.string().min(1).describe('node id of the originator'),
        nation: z.string().regex(/^[A-Z]{3}$/).describe('its nation (trigraph)'),
        keyFile: z.string().describe('its binding public key (the DATA/binding-public.json it wrote)'),
      }),
    )
    .default([])
    .describe('nodes not linked to this one whose tracks and coordination documents may arrive relayed by a peer: their binding public keys'),
  defaultLabel: z
    .strictObject({
      classification: z.string().optional().describe("a classification name of the node's policy"),
      relTo: z.array(z.string()).optional().describe('Releasable To: nation trigraphs (the owner is always included)'),
    })
    .prefault({})
    .describe('label applied to input that arrives without one (default: owner-only at the lowest classification)'),
  tcpClearance: z
    .string()
    .optional()
    .describe("clearance of plain-TCP clients (no certificate): a classification name of the node's policy (default: the lowest)"),
  limits: z
    .strictObject({
      maxEventBytes: z.number().int().positive().default(1024 * 1024).describe('largest CoT event accepted'),
      maxSendQueueBytes: z.number().int().positive().default(8 * 1024 * 1024).describe("a TAK client's backlog (after conflating its positions per uid) beyond which it is dropped"),
      sendWindowBytes: z.number().int().positive().default(64 * 1024).describe("unsent bytes a TAK client's socket may hold; beyond, traffic waits in the conflating backlog"),
      maxPositionAgeMs: z
        .number()
        .int()
        .nonnegative()
        .default(500)
        .describe('while TAK fan-out is behind, a broadcast position older than this when its turn comes waits for a newer one of its track (a new track, one not shown for 10 s or whose sender stopped still gets its newest out); 0 = never skip by age'),
      maxOutbox: z.number().int().positive().default(1_000_000).describe('bound of each federation outbox'),
      historyRetentionHours: z.number().positive().default(72).describe('how long track history is kept'),
      handshakeTimeoutMs: z.number().int().positive().default(10_000).describe('a TLS client that has not completed its handshake by then is disconnected'),
      maxFutureSkewMs: z.number().int().nonnegative().default(60_000).describe('an event time further ahead than this is clamped to now, so no event can pin a track (write authority)'),
    })
    .prefault({}),
  /**
   * Streaming-port (TAK TCP/TLS) connection budgets. `maxConnections` 0 = the process's open-file limit
   * minus `reservedFds` (left for the web/API, Marti, federation ports and the store; at most a quarter of
   * the limit is reserved). Per-address caps count sockets per remote address and transport (TLS before
   * its handshake). A plain-TCP client from which nothing has been read for `tcpIdleTimeoutMs` is closed
   * (0 = never); ATAK pings after 15 s without traffic, so 5 min leaves a wide margin. Session tickets
   * are off on the TLS streaming port by default: TAK clients keep one long connection and reconnect
   * fine with a full handshake, while issuing tickets left 6–16 KiB more per idle connection
   * (BENCHMARKS.md). Refusals are logged once per address per interval.
   */
  connections: z
    .strictObject({
      maxConnections: z.number().int().nonnegative().default(0).describe('global budget of streaming sockets (0 = the open-file limit minus reservedFds)'),
      reservedFds: z.number().int().nonnegative().default(1024).describe('descriptors always left for the web/API, Marti and federation ports and the store (capped at a quarter of the open-file limit)'),
      maxPerAddressTcp: z.number().int().positive().default(64).describe('plain-TCP sockets per remote address'),
      maxPerAddressTls: z.number().int().positive().default(256).describe('TLS sockets per remote address, counted from the first byte'),
      tcpIdleTimeoutMs: z.number().int().nonnegative().default(300_000).describe('a plain-TCP client from which nothing was read for this long is closed (0 = never)'),
      refusalLogIntervalMs: z.number().int().positive().default(60_000).describe('refusals are logged once per address per interval'),
      tlsSessionTickets: z
        .boolean()
        .default(false)
        .describe('TLS session tickets on the streaming TLS port (off: each reconnect is a full handshake, and an idle client certificate connection holds less memory)'),
    })
    .describe('budgets of the streaming ports 8087/8089')
    .prefault({}),
  /**
   * Failed password logins (REST /api/auth/login and basic auth on the enrollment port) per username and
   * per client address: after the failures, attempts are refused (429 LOGIN_THROTTLED) for lockoutMs,
   * doubling per further lockout up to maxLockoutMs; a key is forgotten after windowMs without failures.
   * The address key sees the socket peer: behind an HTTP proxy set maxFailuresPerAddress to 0 (off).
   */
  loginThrottle: z
    .strictObject({
      maxFailures: z.number().int().positive().default(5).describe('failed logins per username before a lockout'),
      maxFailuresPerAddress: z.number().int().nonnegative().default(20).describe('failed logins per client address before a lockout (0 = off, e.g. behind an HTTP proxy)'),
      windowMs: z.number().int().positive().default(15 * 60_000).describe('a key is forgotten after this long without failures'),
      lockoutMs: z.number().int().positive().default(30_000).describe('first lockout; doubles per further lockout'),
      maxLockoutMs: z.number().int().positive().default(15 * 60_000).describe('longest lockout'),
      maxTrackedKeys: z.number().int().positive().default(10_000).describe('bound of the tracked usernames and addresses'),
    })
    .prefault({}),
  offerProtobuf: z.boolean().default(true).describe('offer TAK protocol v1 (protobuf) to streaming clients'),
  seedUsers: z
    .array(
      z.strictObject({
        username: z.string().describe('login name'),
        password: z.string().describe('initial password'),
        role: z.enum(ROLES).describe('role on this node'),
        displayName: z.string().optional().describe('name shown in the COP'),
        clearance: z.string().optional().describe("ceiling in the node's policy (default: the top)"),
      }),
    )
    .default([])
    .describe('users created on first start (demo, tests); passwords are hashed at rest'),
  metrics: z
    .strictObject({
      token: z
        .string()
        .min(16, 'metrics.token must be at least 16 characters')
        .optional()
        .describe('bearer token required by GET /metrics; without one, /metrics shows no per-event security counters'),
    })
    .prefault({}),
  logLevel: z.string().optional().describe('pino log level (default: info)'),
  feeds: z.array(FeedConfigSchema).default([]).describe('sensor feeds (AIS NMEA, ADS-B SBS-1 / aircraft.json); see the README section Feeds'),
});
export type NodeConfig = z.infer<typeof NodeConfigSchema>;
export type NodeConfigInput = z.input<typeof NodeConfigSchema>;

/** Environment variables read by `kizuna serve` (between the config file and the flags). */
export const CONFIG_ENV: readonly { name: string; key: string }[] = [
  { name: 'KIZUNA_NATION', key: 'nation' },
  { name: 'KIZUNA_DATA', key: 'dataDir' },
  { name: 'KIZUNA_STORE', key: 'store' },
  { name: 'KIZUNA_BUS', key: 'bus' },
  { name: 'KIZUNA_HOST', key: 'host' },
  { name: 'KIZUNA_METRICS_TOKEN', key: 'metrics.token' },
  { name: 'KIZUNA_LOG_LEVEL', key: 'logLevel' },
];

/** Validates a merged config; `file` lets each problem name its line and column in the config file. */
export function parseConfig(input: unknown, file?: ConfigFile): NodeConfig {
  const r = NodeConfigSchema.safeParse(input);
  if (!r.success) {
    const unknown = r.error.issues.some((i) => i.code === 'unrecognized_keys');
    const lines = describeConfigIssues(r.error.issues, NodeConfigSchema, file);
    throw new KizunaError(unknown ? 'CONFIG_UNKNOWN_KEY' : 'CONFIG_INVALID', lines.join('; '), { cause: r.error });
  }
  return r.data;
}

/** Config file (strict JSON) < environment (KIZUNA_*) < flags. */
export function loadConfigFile(file: string | undefined): ConfigFile | undefined {
  return file ? readConfigFile(file) : undefined;
}

export function envConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, key } of CONFIG_ENV) {
    const v = env[name];
    if (!v) continue;
    const [head, sub] = key.split('.') as [string, string | undefined];
    if (sub) out[head] = { ...(out[head] as object | undefined), [sub]: v };
    else out[head] = v;
  }
  return out;
}
