/**
 * Full-mesh fan-out: N TCP clients each send one SA per second (R Hz); every client receives every
 * other client's events. Measures the Kizuna node and, in the same run, a trivial broadcast server
 * (the ceiling). Servers run in child processes; the load generator runs here.
 *
 *   npx tsx bench/fanout.ts --clients 100,250,500,1000 --rate 1 --seconds 10
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const sweep = arg('clients', '100,250,500,1000').split(',').map(Number);
const rate = Number(arg('rate', '1'));
const seconds = Number(arg('seconds', '10'));
const targets = arg('targets', 'baseline,kizuna').split(',');

interface Result {
  target: string;
  clients: number;
  sentPerS: number;
  deliveredPerS: number;
  ratio: number;
  p50: number;
  p99: number;
}

async function startServer(target: string): Promise<{ child: ChildProcess; port: number }> {
  const script = join(here, target === 'baseline' ? 'fanout-baseline-server.ts' : 'fanout-node.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, VITEST: '' } });
  const rl = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    rl.on('line', (l) => {
      try {
        const j = JSON.parse(l) as { ready?: boolean; tcp?: number };
        if (j.ready && j.tcp) resolve(j.tcp);
      } catch {
        /* log line */
      }
    });
    child.once('exit', (c) => reject(new Error(`${target} exited ${c}`)));
  });
  return { child, port };
}

function event(uid: string, t: number): string {
  const iso = new Date(t).toISOString();
  const stale = new Date(t + 30_000).toISOString();
  return `<event version="2.0" uid="${uid}" type="a-f-G-U-C" how="m-g" time="${iso}" start="${iso}" stale="${stale}"><point lat="35.1" lon="139.2" hae="0" ce="10" le="10"/><detail><contact callsign="${uid}"/><bench t="${t}"/></detail></event>`;
}

async function runOne(target: string, port: number, n: number): Promise<Result> {
  const socks: net.Socket[] = [];
  const lat: number[] = [];
  // note: sockets keep reading during the drain; senders have stopped
  let delivered = 0;
  let sent = 0;
  let measuring = false;
  const win = { start: Infinity, end: Infinity };
  const marker = Buffer.from('<bench t="');
  for (let i = 0; i < n; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    let rest: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let from = 0;
      let end: number;
      while ((end = buf.indexOf('</event>', from)) >= 0) {
        const m = buf.indexOf(marker, from);
        if (m >= 0 && m < end) {
          const t = Number(buf.toString('latin1', m + marker.length, buf.indexOf(0x22, m + marker.length)));
          // count deliveries of events SENT inside the window (received up to the drain end)
          if (t >= win.start && t < win.end) {
            delivered++;
            if ((delivered & 7) === 0) lat.push(Date.now() - t);
          }
        }
        from = end + 8;
      }
      rest = buf.subarray(from);
    });
    s.on('error', () => undefined);
    socks.push(s);
    await new Promise<void>((r) => s.once('connect', () => r()));
  }
  // every client sends at `rate` Hz, spread evenly over the period
  const periodMs = 1000 / rate;
  const timers: NodeJS.Timeout[] = [];
  socks.forEach((s, i) => {
    const start = setTimeout(() => {
      const tick = () => {
        s.write(event(`bench-${i}`, Date.now()));
        if (measuring) sent++;
      };
      tick();
      timers.push(setInterval(tick, periodMs));
    }, (i / n) * periodMs);
    timers.push(start);
  });
  await new Promise((r) => setTimeout(r, 2000)); // warm-up
  measuring = true;
  const t0 = Date.now();
  win.start = t0;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  win.end = Date.now();
  const elapsed = (win.end - t0) / 1000;
  for (const t of timers) clearInterval(t);
  await new Promise((r) => setTimeout(r, 3000)); // drain: late deliveries of in-window events still count
  for (const s of socks) s.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : NaN);
  const expected = sent * (n - 1);
  return {
    target,
    clients: n,
    sentPerS: sent / elapsed,
    deliveredPerS: delivered / elapsed,
    ratio: expected ? delivered / expected : 0,
    p50: q(0.5),
    p99: q(0.99),
  };
}

const results: Result[] = [];
for (const target of targets) {
  for (const n of sweep) {
    const { child, port } = await startServer(target);
    try {
      const r = await runOne(target, port, n);
      results.push(r);
      process.stderr.write(`${target} n=${n}: ${Math.round(r.deliveredPerS)} deliveries/s ratio ${r.ratio.toFixed(4)} p99 ${r.p99} ms\n`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
console.log(`\nfull-mesh fan-out, ${rate} Hz per client, ${seconds} s measured (after 2 s warm-up)\n`);
console.log('| target | clients | sent/s | delivered/s | delivery ratio | p50 ms | p99 ms | delivered/s vs baseline |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const base = results.find((b) => b.target === 'baseline' && b.clients === r.clients);
  const vs = base && base.deliveredPerS ? fmt(r.deliveredPerS / base.deliveredPerS, 2) : '-';
  console.log(`| ${r.target} | ${r.clients} | ${fmt(r.sentPerS)} | ${fmt(r.deliveredPerS)} | ${fmt(r.ratio, 4)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${vs} |`);
}
