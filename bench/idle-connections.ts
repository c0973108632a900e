/**
 * Idle streaming connections: what each costs the node, and whether the API still answers.
 *
 *   npx tsx bench/idle-connections.ts --tcp 9000 --tls 9000
 *
 * A full node (embedded defaults, SQLite) runs in its own process; the idle clients run in two more
 * (one per transport), so every process stays under its own open-file limit. Clients connect and then
 * send nothing (plain TCP: the idle timeout is off for the run; TLS: a valid client certificate, full
 * handshake each). Baseline = the node's RSS and /healthz latency before any client, in the same run.
 * RSS is read from /proc/<pid>/status after a full GC in the sampled process (retained memory, not garbage
 * not yet collected). `--tickets` turns TLS session tickets on (off by default). `--ceiling` adds the same TLS clients against a bare Node TLS server. Loopback only; per-address caps are raised for the run, since all
 * clients share 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { arg } from './args.js';

const self = fileURLToPath(import.meta.url);

interface Creds {
  ready: { tcp: number; tls: number; http: number };
  keyPem: string;
  certPem: string;
  caPem: string;
  /** the node's server certificate, for the bare TLS server (ceiling) */
  serverKeyPem: string;
  serverCertPem: string;
}

// ---- child: the node -------------------------------------------------------------------------------
async function runNode(): Promise<void> {
  const { startBenchNode } = await import('./node.js');
  const { issueClientCert } = await import('../src/certs/index.js');
  const node = await startBenchNode({
    limits: { handshakeTimeoutMs: 120_000 },
    connections: { tlsSessionTickets: process.argv.includes('--tickets') },
  });
  const c = await issueClientCert(node.pki, { name: 'bench', nation: 'JPN', groups: ['Blue'], role: 'operator' });
  const creds: Creds = {
    ready: node.ready,
    keyPem: c.keyPem!,
    certPem: c.certPem,
    caPem: node.pki.caCertPem,
    serverKeyPem: node.pki.serverKeyPem,
    serverCertPem: node.pki.serverCertPem,
  };
  process.stdout.write(JSON.stringify(creds) + '\n');
  process.on('SIGTERM', () => void node.stop().finally(() => process.exit(0)));
}

// ---- child: the ceiling, a bare Node TLS server (same certificates, client certificates required) ------
async function runBareTls(credsFile: string): Promise<void> {
  const creds = JSON.parse(readFileSync(credsFile, 'utf8')) as Creds;
  const server = tls.createServer(
    { key: creds.serverKeyPem, cert: creds.serverCertPem, ca: creds.caPem, requestCert: true, rejectUnauthorized: true },
    (s) => {
      s.on('error', () => undefined);
      s.resume();
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  process.stdout.write(JSON.stringify({ ...creds, ready: { ...creds.ready, tls: port } }) + '\n');
}

// ---- child: idle clients of one transport ------------------------------------------------------------
async function runClients(kind: 'tcp' | 'tls', n: number, credsFile: string): Promise<void> {
  const creds = JSON.parse(readFileSync(credsFile, 'utf8')) as Creds;
  const sockets: net.Socket[] = [];
  let closedEarly = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s =
        kind === 'tcp'
          ? net.connect(creds.ready.tcp, '127.0.0.1', () => resolve())
          : tls.connect({ port: creds.ready.tls, host: '127.0.0.1', key: creds.keyPem, cert: creds.certPem, ca: creds.caPem, servername: 'localhost' }, () => resolve());
      s.once('error', reject);
      s.on('close', () => closedEarly++);
      s.resume(); // read and discard (the replay, the protocol offer)
      sockets.push(s);
    });
  const concurrency = kind === 'tcp' ? 200 : 50;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        await one();
      }
    }),
  );
  process.stdout.write(JSON.stringify({ connected: sockets.length, closedEarly }) + '\n');
  setInterval(() => process.stdout.write(JSON.stringify({ open: sockets.length - closedEarly }) + '\n'), 5_000);
}

// ---- main --------------------------------------------------------------------------------------------
function rssKb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(m![1]);
}

function fds(pid: number): number {
  const m = readFileSync(`/proc/${pid}/limits`, 'utf8').match(/^Max open files\s+(\d+)/m);
  return Number(m![1]);
}

/** Server processes collect garbage on SIGUSR2, so RSS is sampled as retained memory, not uncollected garbage. */
function collectOnSignal(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('SIGUSR2', () => {
    gc?.();
    const m = process.memoryUsage();
    const mib = (n: number) => (n / 1048576).toFixed(1);
    process.stderr.write(`${process.argv.includes('node') ? 'node' : 'bare'} heap ${mib(m.heapUsed)} MiB, external ${mib(m.external)} MiB, rss ${mib(m.rss)} MiB\n`);
  });
}

function child(args: string[], flags: string[] = []): { proc: ChildProcess; line(): Promise<string> } {
  const proc = spawn(process.execPath, [...flags, '--import', 'tsx', self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: proc.stdout! });
  const waiting: ((l: string) => void)[] = [];
  const lines: string[] = [];
  rl.on('line', (l) => (waiting.length ? waiting.shift()!(l) : lines.push(l)));
  return { proc, line: () => new Promise((r) => (lines.length ? r(lines.shift()!) : waiting.push(r))) };
}

async function apiLatency(port: number, n = 20): Promise<{ p50: number; max: number; ok: number }> {
  const ms: number[] = [];
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (r?.ok) ok++;
    await r?.text();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(n / 2)]!, max: ms[n - 1]!, ok };
}

const settle = () => new Promise((r) => setTimeout(r, 3_000));
async function sampleRss(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 1_000));
  return rssKb(pid);
}

async function main(): Promise<void> {
  const nTcp = Number(arg('tcp', '9000'));
  const nTls = Number(arg('tls', '9000'));
  const node = child(['--role', 'node', ...(process.argv.includes('--tickets') ? ['--tickets'] : [])], ['--expose-gc']);
  const creds = JSON.parse(await node.line()) as Creds;
  const pid = node.proc.pid!;
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-idle-creds-'));
  const credsFile = join(dir, 'creds.json');
  writeFileSync(credsFile, JSON.stringify(creds));
  const rows: string[][] = [];
  const row = async (stage: string, clients: number, base?: number) => {
    await settle();
    const rss = await sampleRss(pid);
    const api = await apiLatency(creds.ready.http);
    const per = base !== undefined && clients ? (((rss - base) * 1024) / clients / 1024).toFixed(1) : '';
    rows.push([stage, String(clients), (rss / 1024).toFixed(1), per, `${api.ok}/20`, api.p50.toFixed(1), api.max.toFixed(1)]);
    return rss;
  };
  console.log(`node pid ${pid}, open-file limit ${fds(pid)}`);
  const base = await row('baseline (no clients)', 0);
  const clients: ChildProcess[] = [];
  const t0 = performance.now();
  if (nTcp) {
    const c = child(['--role', 'clients', '--kind', 'tcp', '--n', String(nTcp), '--creds', credsFile]);
    clients.push(c.proc);
    console.log('tcp', await c.line(), `${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const afterTcp = await row(`+ ${nTcp} idle TCP`, nTcp, base);
  const t1 = performance.now();
  if (nTls) {
    const c = child(['--role', 'clients', '--kind', 'tls', '--n', String(nTls), '--creds', credsFile]);
    clients.push(c.proc);
    console.log('tls', await c.line(), `${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
  await row(`+ ${nTls} idle TLS`, nTls, afterTcp);
  rows.push(['(both)', String(nTcp + nTls), '', (((rssKb(pid) - base) * 1024) / Math.max(1, nTcp + nTls) / 1024).toFixed(1), '', '', '']);
  if (nTls && process.argv.includes('--ceiling')) {
    // Same TLS clients against a bare Node TLS server: what Node/OpenSSL alone cost per connection.
    const bare = child(['--role', 'bare-tls', '--creds', credsFile], ['--expose-gc']);
    const bareCreds = join(dir, 'bare.json');
    writeFileSync(bareCreds, await bare.line());
    await settle();
    const before = await sampleRss(bare.proc.pid!);
    const c = child(['--role', 'clients', '--kind', 'tls', '--n', String(nTls), '--creds', bareCreds]);
    clients.push(c.proc, bare.proc);
    console.log('bare tls', await c.line());
    await settle();
    const after = await sampleRss(bare.proc.pid!);
    rows.push(['ceiling: bare Node TLS server', String(nTls), (after / 1024).toFixed(1), (((after - before) * 1024) / nTls / 1024).toFixed(1), '', '', '']);
  }
  const metrics = await (await fetch(`http://127.0.0.1:${creds.ready.http}/metrics`)).text();
  console.log(metrics.split('\n').filter((l) => /^kizuna_tak_(clients|sockets|refused)/.test(l)).join('\n'));
  console.log('\n| stage | clients | node RSS MiB | KiB per connection | /healthz ok | p50 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  for (const c of clients) c.kill('SIGKILL');
  node.proc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

const role = arg('role', 'main');
if (role === 'node' || role === 'bare-tls') collectOnSignal();
if (role === 'node') await runNode();
else if (role === 'bare-tls') await runBareTls(arg('creds', ''));
else if (role === 'clients') await runClients(arg('kind', 'tcp') as 'tcp' | 'tls', Number(arg('n', '0')), arg('creds', ''));
else await main();
