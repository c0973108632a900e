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
