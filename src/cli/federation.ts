import { join } from 'node:path';
import { z } from 'zod';
import { createAuditLog } from '../coordination/index.js';
import { openStore } from '../store/open.js';
import { KizunaError } from '../util/errors.js';

/** `kizuna federation status`: the operator view of every peer link (GET /api/federation/status). */
const PeerStatusSchema = z.object({
  peer: z.string(),
  nation: z.string(),
  state: z.string(),
  outboxDepth: z.number(),
  lastAckSeq: z.number(),
  lastAckAt: z.number().optional(),
  sent: z.number(),
  received: z.number(),
  rejected: z.number(),
  outboxFull: z.boolean(),
  droppedWhileFull: z.number().optional(),
});
type Row = z.infer<typeof PeerStatusSchema>;

export interface StatusOptions {
  url: string;
  json?: boolean;
  /** session token; default env KIZUNA_TOKEN */
  token?: string;
  /** operator (or above) to log in as; default env KIZUNA_USER, password from env KIZUNA_PASSWORD only
   * (never a flag: argv is visible to every local user) */
  user?: string;
}

/** The route is for operators and above: a token, or a login with KIZUNA_USER/KIZUNA_PASSWORD. */
async function sessionToken(opts: StatusOptions, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const token = opts.token ?? env.KIZUNA_TOKEN;
  if (token) return token;
  const username = opts.user ?? env.KIZUNA_USER;
  if (!username) return undefined;
  const res = await fetch(new URL('/api/auth/login', opts.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: env.KIZUNA_PASSWORD ?? '' }),
  });
  if (!res.ok) throw new KizunaError('UNAUTHENTICATED', `login as ${username} failed (HTTP ${res.status})`);
  return z.object({ token: z.string() }).parse(await res.json()).token;
}

export async function federationStatus(
  opts: StatusOptions,
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let rows: Row[];
  try {
    const token = await sessionToken(opts, env);
    const res = await fetch(new URL('/api/federation/status', opts.url), token ? { headers: { authorization: `Bearer ${token}` } } : {});
    if (res.status === 401) throw new KizunaError('UNAUTHENTICATED', 'HTTP 401: set KIZUNA_USER and KIZUNA_PASSWORD (an operator) or KIZUNA_TOKEN');
    if (!res.ok) throw new KizunaError('INTERNAL', `HTTP ${res.status}`);
    // The node's API answers {peers: [...]}; a bare array is accepted too (older nodes, proxies).
    const body = z.union([z.array(PeerStatusSchema), z.object({ peers: z.array(PeerStatusSchema) })]).parse(await res.json());
    rows = Array.isArray(body) ? body : body.peers;
  } catch (err) {
    process.stderr.write(`federation status unavailable from ${opts.url}: ${(err as Error).message}\n`);
    return 1;
  }
  if (opts.json) {
    out(JSON.stringify(rows, null, 2));
    return 0;
  }
  out(formatTable(rows));
  // Non-zero when something needs the operator: a link down or an outbox full.
  return rows.some((r) => r.outboxFull) ? 2 : 0;
}

export function formatTable(rows: Row[]): string {
  const head = ['PEER', 'NATION', 'STATE', 'OUTBOX', 'LAST ACK', 'ACK AGE', 'SENT', 'RECV', 'REJECTED', 'FULL'];
  const now = Date.now();
  const body = rows.map((r) => [
    r.peer,
    r.nation,
    r.state,
    String(r.outboxDepth),
    String(r.lastAckSeq),
    r.lastAckAt ? `${Math.round((now - r.lastAckAt) / 1000)}s` : '-',
    String(r.sent),
    String(r.received),
    String(r.rejected),
    r.outboxFull ? `YES (${r.droppedWhileFull ?? 0} dropped)` : 'no',
  ]);
  if (!body.length) return 'no federation peers configured';
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/**
 * `kizuna federation anchors <peer>`: the peer's audit heads that THIS node recorded in its own chain
 * (countersigned over the federation link), as JSON for `kizuna audit verify --anchors` on the peer.
 * Only the newest anchor per seq is needed; all are printed (oldest first) so any tampered entry is named.
 */
export async function federationAnchors(
  opts: { peer: string; data?: string; store?: string },
  out: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<number> {
  const store = await openStore(opts.store ?? join(opts.data ?? '.kizuna/node', 'kizuna.db'));
  try {
    const log = createAuditLog(store, { nodeId: 'cli' });
    // Our own chain must be intact for its record of the peer to count as evidence.
    const own = await log.verify();
    if (!own.ok) {
      process.stderr.write(`this node's own audit chain is broken at seq ${own.seq}; its anchors prove nothing\n`);
      return 1;
    }
    out(JSON.stringify(await log.countersigned(opts.peer)));
    return 0;
  } finally {
    await store.close();
  }
}
