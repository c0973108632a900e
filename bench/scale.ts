/**
 * Scale-out bench: one national node as 1, 2 or 3 `kizuna serve` processes on PostgreSQL + NATS
 * JetStream, beside the embedded default (SQLite + in-process bus) in the same run.
 *
 * fan-out: N TCP clients at R Hz spread round-robin over the processes, full mesh (every client gets
 *   every other client's events). Cost = CPU of the node processes (from /proc) per 1k deliveries;
 *   PostgreSQL + NATS server CPU is reported beside it (whole-machine services: other users add noise).
 * ingest: S senders spread over the processes, each keeping W events in flight (closed loop), one
 *   listener on the first process; rate = events/s through parse, guard, store, bus and one delivery.
 *
 *   npx tsx bench/scale.ts --clients 100,200 --rate 1 --seconds 8 --configs embedded,pg1,pg2,pg3
 */
import net from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnNode, type ChildNode } from '../test/support/child-node.js';
import { dropScaleResources } from '../test/support/scale-resources.js';
import { arg } from './args.js';

const sweep = arg('clients', '50,100,150').split(',').map(Number);
const rate = Number(arg('rate', '1'));
const seconds = Number(arg('seconds', '8'));
const configs = arg('configs', 'embedded,pg1,pg2,pg3').split(',');
const ingestSenders = Number(arg('senders', '3'));
const ingestWindow = Number(arg('window', '50'));
const PG = arg('pg', 'postgres://postgres@127.0.0.1:5432/test');
const NATS = arg('nats', 'nats://127.0.0.1:4222');
const TICK = 100; // /proc clock ticks per second (getconf CLK_TCK on Linux)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- CPU from /proc ------------------------------------------------------------------------------

function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICK; // utime + stime
  } catch {
    return 0;
  }
}

/** Summed CPU of every process whose comm starts with one of `names` (PostgreSQL backends, nats-server). */
function serviceCpuMs(names: string[]): number {
  let ms = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (names.some((n) => comm.startsWith(n))) ms += cpuMsOf(Number(p));
  }
  return ms;
}

interface CpuSample {
  nodes: number;
  pg: number;
  nats: number;
}
function sampleCpu(procs: ChildNode[]): CpuSample {
  return {
    nodes: procs.reduce((s, p) => s + cpuMsOf(p.proc.pid!), 0),
    pg: serviceCpuMs(['postgres']),
    nats: serviceCpuMs(['nats-server']),
  };
}
const cpuDelta = (a: CpuSample, b: CpuSample): CpuSample => ({ nodes: b.nodes - a.nodes, pg: b.pg - a.pg, nats: b.nats - a.nats });

// ---- node processes ------------------------------------------------------------------------------

interface Deployment {
  name: string;
  procs: ChildNode[];
  ports: number[];
  stop(): Promise<void>;
}

async function deploy(config: string): Promise<Deployment> {
  const suffix = randomBytes(3).toString('hex');
  const nodeId = `JPN-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-scale-bench-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ offerProtobuf: false, limits: { maxSendQueueBytes: 64 * 1024 * 1024 }, logLevel: 'warn' }));
  const count = config === 'embedded' ? 1 : Number(config.replace('pg', ''));
  const schema = `kz_bench_${suffix}`;
  const args = [
    '--config', configFile, '--nation', 'JPN', '--node-id', nodeId, '--data', dir, '--host', '127.0.0.1',
    ...(config === 'embedded' ? [] : ['--store', `${PG}?schema=${schema}`, '--bus', NATS]),
    '--tcp-port', '0', '--tls-port', '0', '--http-port', '0', '--https-port', '0', '--enroll-port', '0', '--federation-port', '0',
  ];
  // The first process creates the PKI, binding keys and schema; the others join.
  const procs = [await spawnNode(args)];
  for (let i = 1; i < count; i++) procs.push(await spawnNode(args));
  return {
    name: config === 'embedded' ? 'embedded (SQLite + memory bus)' : `${count} × serve (PG + NATS)`,
    procs,
    ports: procs.map((p) => p.ready.tcp),
    async stop() {
      await Promise.all(procs.map((p) => p.stop()));
      rmSync(dir, { recursive: true, force: true });
      if (config === 'embedded') return;
      await dropScaleResources(PG, schema, NATS, nodeId);
    },
  };
}

// ---- load ---------------------------------------------------------------------------------------

function event(uid: string, t: number, extra = ''): string {
  const iso = new Date(t).toISOString();
  const stale = new Date(t + 30_000).toISOString();
  return `<event version="2.0" uid="${uid}" type="a-f-G-U-C" how="m-g" time="${iso}" start="${iso}" stale="${stale}"><point lat="35.1" lon="139.2" hae="0" ce="10" le="10"/><detail><contact callsign="${uid}"/><bench t="${t}"${extra}/></detail></event>`;
}

/** Calls `onEvent(t, rawEvent)` for every complete `<event>` carrying a bench marker. */
function reader(onEvent: (buf: Buffer, start: number, end: number) => void): (chunk: Buffer) => void {
  let rest: Buffer = Buffer.alloc(0);
  return (chunk) => {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let from = 0;
    let end: number;
    while ((end = buf.indexOf('</event>', from)) >= 0) {
      onEvent(buf, from, end);
      from = end + 8;
    }
    rest = buf.subarray(from);
  };
}

function connectClient(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

interface FanoutResult {
  clients: number;
  sentPerS: number;
  deliveredPerS: number;
  ratio: number;
  p50: number;
  p99: number;
  cpu: CpuSample;
  cpuMsPer1k: number;
  servicesMsPer1k: number;
}

async function fanout(d: Deployment, n: number): Promise<FanoutResult> {
  const socks: net.Socket[] = [];
  const lat: number[] = [];
  const marker = Buffer.from('<bench t="');
  let deliveredBySend = 0; // deliveries of events sent inside the window (ratio)
  let deliveredInWindow = 0; // deliveries received inside the window (cost)
  let sent = 0;
  let measuring = false;
  const win = { start: 0, end: 0 };
  for (let i = 0; i < n; i++) {
    const s = await connectClient(d.ports[i % d.ports.length]!);
    s.on(
      'data',
      reader((buf, from, end) => {
        const m = buf.indexOf(marker, from);
        if (m < 0 || m > end) return;
        if (measuring) deliveredInWindow++;
        const q = buf.indexOf(0x22, m + marker.length);
        const t = Number(buf.toString('latin1', m + marker.length, q));
        if (buf[q + 2] === 0x6d /* m="1": sent inside the window */) {
          deliveredBySend++;
          if ((deliveredBySend & 7) === 0) lat.push(Date.now() - t);
        }
      }),
    );
    s.on('error', () => undefined);
    socks.push(s);
  }
  const periodMs = 1000 / rate;
  const timers: NodeJS.Timeout[] = [];
  socks.forEach((s, i) => {
    timers.push(
      setTimeout(() => {
        const tick = () => {
          s.write(event(`bench-${i}`, Date.now(), measuring ? ' m="1"' : ''));
          if (measuring) sent++;
        };
        tick();
        timers.push(setInterval(tick, periodMs));
      }, (i / n) * periodMs),
    );
  });
  await sleep(3000); // warm-up (JIT, consumers, pools)
  const c0 = sampleCpu(d.procs);
  measuring = true;
  win.start = Date.now();
  await sleep(seconds * 1000);
  measuring = false;
  win.end = Date.now();
  const cpu = cpuDelta(c0, sampleCpu(d.procs));
  const elapsed = (win.end - win.start) / 1000;
  for (const t of timers) clearInterval(t);
  await sleep(3000); // late deliveries of in-window events still count for the ratio
  for (const s of socks) s.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : NaN);
  const expected = sent * (n - 1);
  return {
    clients: n,
    sentPerS: sent / elapsed,
    deliveredPerS: deliveredInWindow / elapsed,
    ratio: expected ? deliveredBySend / expected : 0,
    p50: q(0.5),
    p99: q(0.99),
    cpu,
    cpuMsPer1k: deliveredInWindow ? cpu.nodes / (deliveredInWindow / 1000) : NaN,
    servicesMsPer1k: deliveredInWindow ? (cpu.pg + cpu.nats) / (deliveredInWindow / 1000) : NaN,
  };
}

interface IngestResult {
  eventsPerS: number;
  cpu: CpuSample;
  cpuMsPer1k: number;
  servicesMsPer1k: number;
}

/** Closed loop: each sender keeps `ingestWindow` events unconfirmed by the listener. */
async function ingestRun(d: Deployment): Promise<IngestResult> {
  const listener = await connectClient(d.ports[0]!);
  const got = new Array<number>(ingestSenders).fill(0);
  const sentBy = new Array<number>(ingestSenders).fill(0);
  const marker = Buffer.from(' k="');
  let received = 0;
  let measuring = false;
  let running = true;
  const senders: net.Socket[] = [];
  for (let k = 0; k < ingestSenders; k++) senders.push(await connectClient(d.ports[k % d.ports.length]!));
  const top = (k: number) => {
    if (!running) return;
    const s = senders[k]!;
    let batch = '';
    while (sentBy[k]! - got[k]! < ingestWindow) {
      const seq = sentBy[k]!++;
      batch += event(`ing-${k}`, Date.now(), ` k="${k}" s="${seq}"`);
    }
    if (batch) s.write(batch);
  };
  listener.on(
    'data',
    reader((buf, from, end) => {
      const m = buf.indexOf(marker, from);
      if (m < 0 || m > end) return;
      const k = Number(buf.toString('latin1', m + marker.length, buf.indexOf(0x22, m + marker.length)));
      got[k]!++;
      if (measuring) received++;
      top(k);
    }),
  );
  for (const s of senders) s.on('data', () => undefined); // senders also receive every event; drain them
  for (let k = 0; k < ingestSenders; k++) top(k);
  await sleep(3000);
  const c0 = sampleCpu(d.procs);
  measuring = true;
  const t0 = Date.now();
  await sleep(seconds * 1000);
  measuring = false;
  const cpu = cpuDelta(c0, sampleCpu(d.procs));
  const elapsed = (Date.now() - t0) / 1000;
  running = false;
  for (const s of [listener, ...senders]) s.destroy();
  await sleep(500);
  return {
    eventsPerS: received / elapsed,
    cpu,
    cpuMsPer1k: received ? cpu.nodes / (received / 1000) : NaN,
    servicesMsPer1k: received ? (cpu.pg + cpu.nats) / (received / 1000) : NaN,
  };
}

/** Waits until the node processes use < 10% of a core (over 1 s), at most 30 s. */
async function settle(d: Deployment): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const a = sampleCpu(d.procs).nodes;
    await sleep(1000);
    if (sampleCpu(d.procs).nodes - a < 100) return;
  }
  process.stderr.write(`${d.name}: still busy after 30 s\n`);
}

// ---- run --------------------------------------------------------------------------------------

interface Row {
  config: string;
  procs: number;
  fan: FanoutResult[];
  ing: IngestResult;
}
const rows: Row[] = [];
let current: Deployment | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130)));
}
for (const config of configs) {
  const d = (current = await deploy(config));
  try {
    // ingest first, and every run only once the processes are idle: a saturated run leaves a backlog
    await settle(d);
    const ing = await ingestRun(d);
    process.stderr.write(`${d.name} ingest: ${Math.round(ing.eventsPerS)} events/s, ${ing.cpuMsPer1k.toFixed(1)} CPU ms/1k\n`);
    const fan: FanoutResult[] = [];
    for (const n of sweep) {
      await settle(d);
      const r = await fanout(d, n);
      fan.push(r);
      process.stderr.write(
        `${d.name} n=${n}: ${Math.round(r.deliveredPerS)} deliveries/s ratio ${r.ratio.toFixed(4)} p99 ${r.p99} ms, ${r.cpuMsPer1k.toFixed(1)} CPU ms/1k\n`,
      );
    }
    rows.push({ config: d.name, procs: d.procs.length, fan, ing });
  } finally {
    current = undefined;
    await d.stop();
  }
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const embedded = rows.find((r) => r.config.startsWith('embedded'));
console.log(`\nfan-out: full mesh, ${rate} Hz per client, ${seconds} s measured after 3 s warm-up; clients round-robin over processes`);
console.log('CPU = node processes (utime+stime from /proc); PG+NATS = all postgres and nats-server processes on the machine\n');
console.log('| deployment | clients | sent/s | delivered/s | delivery ratio | p50 ms | p99 ms | node CPU ms / 1k deliveries | × embedded | PG+NATS CPU ms / 1k |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  for (const f of r.fan) {
    const base = embedded?.fan.find((b) => b.clients === f.clients);
    const vs = base ? fmt(f.cpuMsPer1k / base.cpuMsPer1k, 2) : '-';
    console.log(
      `| ${r.config} | ${f.clients} | ${fmt(f.sentPerS)} | ${fmt(f.deliveredPerS)} | ${fmt(f.ratio, 4)} | ${fmt(f.p50)} | ${fmt(f.p99)} | ${fmt(f.cpuMsPer1k, 2)} | ${vs} | ${fmt(f.servicesMsPer1k, 2)} |`,
    );
  }
}
console.log(`\ningest: ${ingestSenders} senders round-robin over processes, ${ingestWindow} events in flight each, one listener on process 1\n`);
console.log('| deployment | events/s | × embedded | node CPU ms / 1k events | × embedded | PG CPU ms / 1k | NATS CPU ms / 1k |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const i = r.ing;
  const k = (i.eventsPerS * seconds) / 1000;
  console.log(
    `| ${r.config} | ${fmt(i.eventsPerS)} | ${embedded ? fmt(i.eventsPerS / embedded.ing.eventsPerS, 2) : '-'} | ${fmt(i.cpuMsPer1k, 2)} | ${
      embedded ? fmt(i.cpuMsPer1k / embedded.ing.cpuMsPer1k, 2) : '-'
    } | ${fmt(i.cpu.pg / k, 2)} | ${fmt(i.cpu.nats / k, 2)} |`,
  );
}
