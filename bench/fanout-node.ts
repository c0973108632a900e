/** A Kizuna node for bench/fanout (embedded defaults, fresh data dir); prints the ready line. */
import { startBenchNode } from './node.js';

const node = await startBenchNode({ offerProtobuf: false });
process.stdout.write(JSON.stringify(node.ready) + '\n');
const cpuAtReady = process.cpuUsage();
const readyAt = Date.now();
process.on('SIGTERM', () => {
  // where positions were skipped, and their age when their fan-out started (stderr: the run's log)
  const tak = node.tak as Partial<typeof node.tak>;
  const ages = tak.fanoutAges;
  const cpu = process.cpuUsage(cpuAtReady);
  const busy = Math.round(((cpu.user + cpu.system) / 1e3 / (Date.now() - readyAt)) * 100);
  process.stderr.write(
    `fanout-node: cpu ${busy}% since ready, clients ${node.tak.clientCount} received ${node.tak.stats.received} superseded ${node.tak.stats.superseded}` +
      ` gate ${JSON.stringify(tak.inboundStats ?? {})} fanout ${JSON.stringify(tak.fanoutStats ?? {})}` +
      (ages ? ` age at fan-out p50 ≤${ages.quantile(0.5)} p99 ≤${ages.quantile(0.99)} ms (n=${ages.count})` : '') + '\n',
  );
  void node.stop().then(() => process.exit(0));
});
