/**
 * The floor under an idle TLS connection, next to Node: the same N idle TLS clients (the node's own PKI, RSA,
 * TLS 1.3) against
 *   - a minimal OpenSSL server in C (bench/tls-floor.c: the handshake, the SSL object, nothing else), and
 *   - a bare Node TLS server with the TAK port's TLS settings (no session tickets),
 * each with and without client certificates, each server in its own process. RSS growth per connection after
 * the handshakes (C: malloc_trim; Node: two full GCs). Answers: how much of an idle TLS connection's cost is
 * OpenSSL's own state that no server built on it can avoid.
 *
 *   npx tsx bench/tls-floor.ts --n 2000
 * Needs a C compiler and OpenSSL headers (Debian: `apt-get install gcc libssl-dev`).
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:crypto';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { arg, numArg } from './args.js';
import { openIdleTlsClients, rssPerConnection, serveRssOnRequest } from './tls-idle.js';

interface Pems { key: string; cert: string; ca: string; clientKey: string; clientCert: string }
const self = fileURLToPath(import.meta.url);
const send = (m: unknown): void => void process.send!(m);

function buildFloor(dir: string): string {
  const out = join(dir, 'tls-floor');
  const cc = spawnSync('cc', ['-O2', '-o', out, join(self, '../tls-floor.c'), '-lssl', '-lcrypto'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    throw new Error(`cannot build bench/tls-floor.c (${cc.error?.message ?? cc.stderr.trim()}); install a C compiler and OpenSSL headers: apt-get install gcc libssl-dev`);
  }
  return out;
}

/** The C server: its first stdout line is the port, its second the result once n handshakes are done. */
let opensslVersion = '';
async function floorRow(bin: string, files: Record<keyof Pems, string>, n: number, mtls: boolean): Promise<number> {
  const p = spawn(bin, [files.cert, files.key, files.ca, String(n), mtls ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
  const port = Number((await lines.next()).value);
  const cl = fork(self, ['--role', 'clients', '--n', String(n), '--port', String(port)]);
  const r = JSON.parse((await lines.next()).value as string) as { ok: number; beforeKiB: number; afterKiB: number; openssl: string };
  cl.kill();
  p.kill();
  if (r.ok !== n) throw new Error(`C server completed ${r.ok} of ${n} handshakes`);
  opensslVersion = r.openssl;
  return (r.afterKiB - r.beforeKiB) / n;
}

async function nodeServer(pems: Pems, mtls: boolean): Promise<void> {
  const srv = tls.createServer(
    { key: pems.key, cert: pems.cert, ca: pems.ca, requestCert: mtls, rejectUnauthorized: mtls, secureOptions: constants.SSL_OP_NO_TICKET },
    (s) => void s.on('error', () => undefined).resume(),
  );
  await serveRssOnRequest(srv);
}

async function clients(pems: Pems, n: number, port: number): Promise<void> {
  const socks = await openIdleTlsClients(n, { port, host: '127.0.0.1', ca: pems.ca, key: pems.clientKey, cert: pems.clientCert, servername: 'localhost' });
  send({ connected: socks.length });
}

async function main(): Promise<void> {
  const n = numArg('n', 2000);
  const { ensureNodePki, issueClientCert } = await import('../src/certs/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-tls-floor-'));
  try {
    const bin = buildFloor(dir);
    const pki = await ensureNodePki(dir, { nation: 'JPN', nodeId: 'bench', hosts: ['localhost', '127.0.0.1'] });
    const c = await issueClientCert(pki, { name: 'bench', nation: 'JPN', groups: ['Blue'], role: 'operator' });
    const pems: Pems = { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem, clientKey: c.keyPem!, clientCert: c.certPem };
    const files = Object.fromEntries(Object.entries(pems).map(([k, v]) => [k, join(dir, `${k}.pem`)])) as Record<keyof Pems, string>;
    for (const k of Object.keys(pems) as (keyof Pems)[]) writeFileSync(files[k], pems[k]);
    process.env.BENCH_PEMS = JSON.stringify(pems);
    console.log('| server | client certificates | idle connections | KiB per connection |\n|---|---|---:|---:|');
    for (const mtls of [true, false]) {
      const cert = mtls ? 'required' : 'none';
      console.log(`| OpenSSL in C (floor) | ${cert} | ${n} | ${(await floorRow(bin, files, n, mtls)).toFixed(1)} |`);
      console.log(`| bare Node TLS server | ${cert} | ${n} | ${(await rssPerConnection(self, ['--role', 'server', '--mtls', mtls ? '1' : '0'], ['--role', 'clients'], n)).kib.toFixed(1)} |`);
    }
    console.log(`\nC server: ${opensslVersion}; Node ${process.version}, OpenSSL ${process.versions.openssl}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = arg('role', 'main');
const pems = (): Pems => JSON.parse(process.env.BENCH_PEMS!) as Pems;
if (role === 'server') await nodeServer(pems(), arg('mtls', '1') === '1');
else if (role === 'clients') await clients(pems(), numArg('n', 0), numArg('port', 0));
else await main();
