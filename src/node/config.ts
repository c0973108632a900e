import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { KizunaError } from '../util/errors.js';

/** Package root (works from src/ under tsx and from dist/). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const Port = z.number().int().min(0).max(65535);

export const PeerConfigSchema = z.object({
  /** peer node id, e.g. "USA" */
  name: z.string().min(1),
  nation: z.string().regex(/^[A-Z]{3}$/),
  host: z.string().default('127.0.0.1'),
  port: Port,
  /** PEM of the peer's CA: the only CA trusted for this peer */
  caFile: z.string(),
  /** the peer's binding public key (JWK JSON file) */
  keyFile: z.string().optional(),
});
export type PeerConfig = z.infer<typeof PeerConfigSchema>;

export const NodeConfigSchema = z.object({
  nation: z.string().regex(/^[A-Z]{3}$/, 'nation must be an ISO 3166 trigraph'),
  nodeId: z.string().min(1).optional(),
  dataDir: z.string().min(1),
  host: z.string().default('0.0.0.0'),
  /** host name put in certificates, data packages and links */
  publicHost: z.string().default('localhost'),
  ports: z
    .object({
      tcp: Port.default(8087),
      tls: Port.default(8089),
      http: Port.default(8080),
      https: Port.default(8443),
      enroll: Port.default(8446),
      federation: Port.default(9001),
    })
    .prefault({}),
  /** `postgres://…` or a SQLite file (default: DATA/kizuna.db) */
  store: z.string().optional(),
  /** `nats://…` or undefined for the in-process bus */
  bus: z.string().optional(),
  policiesDir: z.string().default(join(PACKAGE_ROOT, 'policies')),
  webDir: z.string().default(join(PACKAGE_ROOT, 'web', 'dist')),
  peers: z.array(PeerConfigSchema).default([]),
  /** label applied to input that arrives without one: owner-only at this classification */
  defaultLabel: z
    .object({ classification: z.string().optional(), relTo: z.array(z.string()).optional() })
    .prefault({}),
  /** clearance of plain-TCP clients (no certificate): a classification name of the node's policy */
  tcpClearance: z.string().optional(),
  limits: z
    .object({
      maxEventBytes: z.number().int().positive().default(1024 * 1024),
      /** a TAK client's backlog (after conflating its positions per uid) beyond which it is dropped */
      maxSendQueueBytes: z.number().int().positive().default(8 * 1024 * 1024),
      /** unsent bytes a TAK client's socket may hold; beyond, traffic waits in the conflating backlog */
      sendWindowBytes: z.number().int().positive().default(64 * 1024),
      maxOutbox: z.number().int().positive().default(1_000_000),
      historyRetentionHours: z.number().positive().default(72),
      /** a TLS client that has not completed its handshake by then is disconnected */
      handshakeTimeoutMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /**
   * Failed password logins (REST /api/auth/login and basic auth on the enrollment port) per username and
   * per client address: after the failures, attempts are refused (429 LOGIN_THROTTLED) for lockoutMs,
   * doubling per further lockout up to maxLockoutMs; a key is forgotten after windowMs without failures.
   * The address key sees the socket peer: behind an HTTP proxy set maxFailuresPerAddress to 0 (off).
   */
  loginThrottle: z
    .object({
      maxFailures: z.number().int().positive().default(5),
      maxFailuresPerAddress: z.number().int().nonnegative().default(20),
      windowMs: z.number().int().positive().default(15 * 60_000),
      lockoutMs: z.number().int().positive().default(30_000),
      maxLockoutMs: z.number().int().positive().default(15 * 60_000),
      maxTrackedKeys: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  offerProtobuf: z.boolean().default(true),
  /** users created on first start (demo, tests); passwords are hashed at rest */
  seedUsers: z
    .array(
      z.object({
        username: z.string(),
        password: z.string(),
        role: z.enum(['viewer', 'operator', 'coordinator', 'administrator']),
        displayName: z.string().optional(),
      }),
    )
    .default([]),
  logLevel: z.string().optional(),
});
export type NodeConfig = z.infer<typeof NodeConfigSchema>;
export type NodeConfigInput = z.input<typeof NodeConfigSchema>;

export function parseConfig(input: unknown): NodeConfig {
  const r = NodeConfigSchema.safeParse(input);
  if (!r.success) {
    const where = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new KizunaError('CONFIG_INVALID', where, { cause: r.error });
  }
  return r.data;
}

/** Config file (JSON) < environment (KIZUNA_*) < flags. */
export function loadConfigFile(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new KizunaError('CONFIG_INVALID', `cannot read ${file}`, { cause: err });
  }
}

export function envConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.KIZUNA_NATION) out.nation = env.KIZUNA_NATION;
  if (env.KIZUNA_DATA) out.dataDir = env.KIZUNA_DATA;
  if (env.KIZUNA_STORE) out.store = env.KIZUNA_STORE;
  if (env.KIZUNA_BUS) out.bus = env.KIZUNA_BUS;
  if (env.KIZUNA_HOST) out.host = env.KIZUNA_HOST;
  return out;
}
