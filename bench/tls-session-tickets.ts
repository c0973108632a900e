/**
 * What TLS session tickets cost a server per idle connection: a bare Node TLS server with the node's
 * certificates (client certificates required, as on the TAK port) in three modes, each in its own
 * process, N idle clients from another process:
 *   - default: Node's defaults (TLS 1.3, two stateless tickets per handshake);
 *   - no-ticket: `SSL_OP_NO_TICKET` (TLS 1.2 then sends none; TLS 1.3 switches to stateful tickets that
 *     Node never stores, so clients still receive two);
 *   - none: the context's ticket-key callback declines every ticket (no NewSessionTicket at all). This
 *     uses Node internals and is for measuring only.
 * RSS from /proc/self/status after two full GCs, before and after the clients; the clients count the
 * 'session' events they saw, to show which mode really sends none.
 *
 *   npx tsx bench/tls-session-tickets.ts --n 1000 [--modes none,default,no-ticket]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { constants } from 'node:crypto';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, numArg } from './args.js';
import { openIdleTlsClients, rssPerConnection, serveRssOnRequest } from './tls-idle.js';

type Mode = 'default' | 'no-ticket' | 'none';
interface Creds { key: string; cert: string; ca: string; clientKey: string; clientCert: string }
const self = fileURLToPath(import.meta.url);
const send = (m: unknown): void => void process.send!(m);

async function server(mode: Mode, creds: Creds): Promise<void> {
  const srv = tls.createServer(
    { key: creds.key, cert: creds.cert, ca: creds.ca, requestCert: true, rejectUnauthorized: true, ...(mode === 'no-ticket' ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}) },
    (s) => void s.on('error', () => undefined).resume(),
  );
  if (mode === 'none') {
    // Node's native callback reads five entries whatever the first says; 0 = issue no ticket.
    const z = Buffer.alloc(16);
    const ctx = (srv as unknown as { _sharedCreds: { context: Record<string, unknown> & { enableTicketKeyCallback(): void } } })._sharedCreds.context;
    ctx.onticketkeycallback = () => [0, z, z, z, z];
    ctx.enableTicketKeyCallback();
  }
  await serveRssOnRequest(srv);
}

async function clients(n: number, port: number, creds: Creds): Promise<void> {
  let sessions = 0;
  const opts = { port, host: '127.0.0.1', ca: creds.ca, key: creds.clientKey, cert: creds.clientCert, servername: 'localhost' };
  const socks = await openIdleTlsClients(n, opts, (c) => c.on('session', () => sessions++));
  setTimeout(() => send({ connected: socks.length, sessions }), 1_000);
}

async function main(): Promise<void> {
  const n = numArg('n', 1000);
  const { ensureNodePki, issueClientCert } = await import('../src/certs/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-tickets-'));
  const pki = await ensureNodePki(dir, { nation: 'JPN', nodeId: 'bench', hosts: ['localhost', '127.0.0.1'] });
  const c = await issueClientCert(pki, { name: 'bench', nation: 'JPN', groups: ['Blue'], role: 'operator' });
  const creds: Creds = { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem, clientKey: c.keyPem!, clientCert: c.certPem };
  const env = { ...process.env, BENCH_CREDS: JSON.stringify(creds) };
  console.log('| server mode | clients | session events at the clients | server KiB per connection |\n|---|---:|---:|---:|');
  for (const mode of arg('modes', 'default,no-ticket,none').split(',') as Mode[]) {
    const r = await rssPerConnection<{ connected: number; sessions: number }>(self, ['--role', 'server', '--mode', mode], ['--role', 'clients'], n, env);
    console.log(`| ${mode} | ${r.clients.connected} | ${r.clients.sessions} | ${r.kib.toFixed(1)} |`);
  }
  rmSync(dir, { recursive: true, force: true });
}

const role = arg('role', 'main');
const creds = (): Creds => JSON.parse(process.env.BENCH_CREDS!) as Creds;
if (role === 'server') await server(arg('mode', 'default') as Mode, creds());
else if (role === 'clients') await clients(numArg('n', 0), numArg('port', 0), creds());
else await main();
