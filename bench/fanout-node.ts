/** A Kizuna node for bench/fanout (embedded defaults, fresh data dir); prints the ready line. */
import { startBenchNode } from './node.js';

const node = await startBenchNode({ offerProtobuf: false });
process.stdout.write(JSON.stringify(node.ready) + '\n');
const cpuAtReady = process.cpuUsage();
const readyAt = Date.now();
// peak of each memory figure, sampled: tells a grown heap from socket buffers and native memory
const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0, backlogs: 0 };
setInterval(() => {
  let backlogs = 0;
  for (const c of node.tak.connections()) backlogs += c.backlogBytes;
  const m = { ...process.memoryUsage(), backlogs };
  for (const k of Object.keys(peak) as (keyof typeof peak)[]) peak[k] = Math.max(peak[k], m[k]);
}, 250).unref();
process.on('SIGTERM', () => {
  // where positions were skipped, and their age when their fan-out started (stderr: the run's log)
  const tak = node.tak as Partial<typeof node.tak>;
  const ages = tak.fanoutAges;
  const cpu = process.cpuUsage(cpuAtReady);
  const busy = Math.round(((cpu.user + cpu.system) / 1e3 / (Date.now() - readyAt)) * 100);
  process.stderr.write(
    `fanout-node: cpu ${busy}% since ready, clients ${node.tak.clientCount} received ${node.tak.stats.received} superseded ${node.tak.stats.superseded}` +
      ` gate ${JSON.stringify(tak.inboundStats ?? {})} fanout ${JSON.stringify(tak.fanoutStats ?? {})}` +
      ` peak MB ${Object.entries(peak).map(([k, v]) => `${k} ${Math.round(v / 2 ** 20)}`).join(' ')}` +
      (ages ? ` age at fan-out p50 ≤${ages.quantile(0.5)} p99 ≤${ages.quantile(0.99)} ms (n=${ages.count})` : '') + '\n',
  );
  void node.stop().then(() => process.exit(0));
});
/**
 * BENCH_TRACE=1: every 500 ms a line on stderr with the node's CPU and event-loop use, the inbound gate
 * (waiting / running ingests), the fan-out queue (ready, waiting, ordered; positions parked and conflated),
 * events read and deliveries, clients with a backlog, and the fan-out's slices and the time spent in them.
 * It reaches into the server's private queue on purpose (a measuring aid, not an interface): it is what
 * showed the node idle with every position parked when senders report in step.
 */
function trace(): void {
  type Queue = { ready: number; waiting: number; fixedWaiting: number; stats: Record<string, number>; o: { run(x: unknown): void; schedule?(fn: () => void): void } };
  const tak = node.tak as unknown as { fanout: Queue; inbound: { waiting: number; inFlight: number }; stats: { delivered: number; received: number } };
  const f = tak.fanout;
  const slices = { n: 0, runs: 0, ns: 0n };
  const run = f.o.run;
  f.o.run = (x) => {
    const a = process.hrtime.bigint();
    run(x);
    slices.runs++;
    slices.ns += process.hrtime.bigint() - a;
  };
  f.o.schedule = (fn) => (slices.n++, setImmediate(fn));
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  let last = { delivered: 0, received: 0, parked: 0, conflated: 0 };
  const t0 = Date.now();
  setInterval(() => {
    const c = process.cpuUsage(cpu);
    const e = performance.eventLoopUtilization(elu);
    cpu = process.cpuUsage();
    elu = performance.eventLoopUtilization();
    let backlogged = 0;
    for (const conn of node.tak.connections()) if (conn.backlogBytes > 0) backlogged++;
    const now = { delivered: tak.stats.delivered, received: tak.stats.received, parked: f.stats.parked ?? 0, conflated: f.stats.conflated ?? 0 };
    const d = (k: keyof typeof now) => now[k] - last[k];
    process.stderr.write(
      `trace t=${((Date.now() - t0) / 1000).toFixed(1)} cpu=${Math.round((c.user + c.system) / 5e3)}% elu=${e.utilization.toFixed(2)}` +
        ` gate=${tak.inbound.waiting}/${tak.inbound.inFlight} ready=${f.ready} waiting=${f.waiting} ordered=${f.fixedWaiting}` +
        ` read=${d('received')} delivered=${d('delivered')} parked=${d('parked')} conflated=${d('conflated')} backlogged=${backlogged}` +
        ` slices=${slices.n} fanouts=${slices.runs} fanoutMs=${Number(slices.ns / 1_000_000n)}\n`,
    );
    last = now;
    Object.assign(slices, { n: 0, runs: 0, ns: 0n });
  }, 500).unref();
}
if (process.env.BENCH_TRACE) trace();
