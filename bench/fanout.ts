/**
 * Full-mesh fan-out under load: N TCP clients each send R events per second (positions, with every
 * `mix`-th event a chat, alert or delete); every client receives every other client's events. Measures
 * the Kizuna node and, in the same run, a trivial broadcast server (the ceiling). Servers run in child
 * processes, the load generator here, a /healthz probe in a third process. Reported per load: age of
 * delivered positions, chat/alert/delete delivered vs expected, server RSS vs idle, /healthz latency.
 *
 *   npx tsx bench/fanout.ts --clients 250,500,750,1000 --rate 1 --seconds 10 --mix 10 --stuck 10
 *   --parse-every 8   only every 8th client parses (ages, counts), the others read and discard: the server's
 *               work is the same, the generator's a fraction (it falls behind from ~1,000 clients otherwise)
 *   --server-args '--cpu-prof --cpu-prof-dir=DIR'   node options for the server children (profiling)
 *   BENCH_TRACE=1 (environment)   the Kizuna node prints a line every 500 ms (CPU, event loop, gate, fan-out queue)
 *   --pin 0:1   runs the server on CPU 0 and this load generator on CPU 1 (taskset), so the server's lateness
 *               is not the generator's: on a 2-core machine both otherwise compete for both cores
 */
import { readFileSync } from 'node:fs';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile, runLoad, type LoadResult } from './fanout-load.js';
import { arg } from './args.js';

const here = dirname(fileURLToPath(import.meta.url));
const sweep = arg('clients', '100,250,500,1000').split(',').map(Number);
const rate = Number(arg('rate', '1'));
const seconds = Number(arg('seconds', '10'));
const mix = Number(arg('mix', '10'));
const stuck = Number(arg('stuck', '0'));
const maxDrainS = Number(arg('max-drain', '30'));
/** every N-th client parses (ages, counts); the rest read and discard: a cheaper generator, same server work */
const parseEvery = Number(arg('parse-every', '1'));
const targets = arg('targets', 'baseline,kizuna').split(',');
/** `server:generator` CPU lists for taskset, or '' (no pinning) */
const pin = arg('pin', '');
const [serverCpus, generatorCpus] = pin ? pin.split(':') : [];
/** extra node options for the server children, e.g. `--server-args '--cpu-prof --cpu-prof-dir=/tmp/prof'` */
const serverNodeArgs = arg('server-args', '').split(' ').filter(Boolean);
if (generatorCpus) execFileSync('taskset', ['-a', '-p', '-c', generatorCpus, String(process.pid)], { stdio: 'ignore' });

interface Row {
  target: string;
  clients: number;
  load: LoadResult;
  health: number[];
  rssIdle: number;
  rssPeak: number;
}

/** node with `args`, on `serverCpus` when pinned */
function spawnNode(args: string[]): ChildProcess {
  args = [...serverNodeArgs, ...args];
  const [cmd, argv] = serverCpus ? ['taskset', ['-c', serverCpus, process.execPath, ...args]] : [process.execPath, args];
  return spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, VITEST: '' } });
}

function spawnTs(script: string, args: string[] = []): ChildProcess {
  return spawnNode(['--import', 'tsx', join(here, script), ...args]);
}

async function startServer(target: string): Promise<{ child: ChildProcess; tcp: number; http: number }> {
  // `name@/path/to/fanout-node.ts` runs another tree's node (e.g. an older commit) as one more target
  const at = target.indexOf('@');
  const child = at > 0 ? spawnNode(['--import', 'tsx', target.slice(at + 1)]) : spawnTs(target === 'baseline' ? 'fanout-baseline-server.ts' : 'fanout-node.ts');
  const rl = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    rl.on('line', (l) => {
      try {
        const j = JSON.parse(l) as { ready?: boolean; tcp?: number; http?: number };
        if (j.ready && j.tcp && j.http) resolve({ child, tcp: j.tcp, http: j.http });
      } catch {
        /* log line */
      }
    });
    child.once('exit', (c) => reject(new Error(`${target} exited ${c}`)));
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function runOne(target: string, n: number): Promise<Row> {
  const { child, tcp, http } = await startServer(target);
  // plain JavaScript, so the probe is answering before the window even on a loaded machine
  const probe = spawn(process.execPath, ['-e', readFileSync(join(here, 'fanout-probe.cjs'), 'utf8'), `http://127.0.0.1:${http}/healthz`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => probe.stdout!.once('data', r));
  const samples: { at: number; ms: number }[] = [];
  createInterface({ input: probe.stdout! }).on('line', (l) => samples.push(JSON.parse(l) as { at: number; ms: number }));
  const win = { start: Infinity, end: Infinity };
  let rssIdle = NaN;
  let rssPeak = 0;
  const sampler = setInterval(() => {
    if (Number.isFinite(rssIdle)) rssPeak = Math.max(rssPeak, rssMb(child.pid!));
  }, 250);
  try {
    const load = await runLoad({
      port: tcp,
      clients: n,
      rate,
      seconds,
      mix,
      stuck,
      maxDrainS,
      parseEvery,
      onConnected: async () => {
        await new Promise((r) => setTimeout(r, 1000)); // let the connect-time replay settle
        rssIdle = rssMb(child.pid!);
      },
      onWindow: (phase) => (phase === 'start' ? (win.start = Date.now()) : (win.end = Date.now())),
    });
    const health = samples.filter((s) => s.at >= win.start && s.at < win.end).map((s) => s.ms).sort((a, b) => a - b);
    return { target, clients: n, load, health, rssIdle, rssPeak };
  } finally {
    clearInterval(sampler);
    probe.kill('SIGTERM');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const rows: Row[] = [];
const label = (t: string) => (t.includes('@') ? t.slice(0, t.indexOf('@')) : t);
// targets alternate at each load, so a busy moment on a shared machine does not fall on one target only
for (const n of sweep) {
  for (const target of targets) {
    const row = { ...(await runOne(target, n)), target: label(target) };
    rows.push(row);
    const l = row.load;
    process.stderr.write(`${row.target} n=${n}: positions ${Math.round(l.positionsDelivered / l.elapsedS)}/s p99 age ${quantile(l.ages, 0.99)} ms, fixed ${l.fixedDelivered}/${l.fixedExpected}\n`);
  }
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-');
console.log(`\nfull-mesh fan-out, ${rate} Hz per client, every ${mix}th event chat/alert/delete, ${stuck} extra clients that never read,`);
console.log(`${seconds} s measured after 2 s warm-up; then up to ${maxDrainS} s for late chat/alert/delete deliveries\n`);
console.log('| target | clients | offered deliveries/s | positions delivered/s | position share | p50 age ms | p99 age ms | max age ms | chat/alert/delete delivered | readers dropped | /healthz p99 ms (max) | RSS idle → peak MB (×) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of [...rows].sort((a, b) => targets.map(label).indexOf(a.target) - targets.map(label).indexOf(b.target) || a.clients - b.clients)) {
  const l = r.load;
  const offered = ((l.positionsSent + l.fixedSent) * (r.clients - 1)) / l.elapsedS;
  const share = l.positionsExpected ? l.positionsDelivered / l.positionsExpected : NaN;
  const fixedExpected = l.fixedExpected;
  console.log(
    `| ${r.target} | ${r.clients} | ${fmt(offered)} | ${fmt(l.positionsDelivered / l.elapsedS)} | ${fmt(share, 3)} | ${fmt(quantile(l.ages, 0.5))} | ${fmt(quantile(l.ages, 0.99))} | ${fmt(l.ages.at(-1) ?? NaN)} | ${fmt(l.fixedDelivered)} / ${fmt(fixedExpected)} | ${l.readersDropped} | ${fmt(quantile(r.health, 0.99))} (${fmt(r.health.at(-1) ?? NaN)}) | ${fmt(r.rssIdle)} → ${fmt(r.rssPeak)} (${fmt(r.rssPeak / r.rssIdle, 2)}) |`,
  );
}
