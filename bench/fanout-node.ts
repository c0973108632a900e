/** A Kizuna node for bench/fanout (embedded defaults, fresh data dir); prints the ready line. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/node/config.js';
import { startNode } from '../src/node/node.js';

const dir = mkdtempSync(join(tmpdir(), 'kizuna-bench-'));
const node = await startNode(
  parseConfig({
    nation: 'JPN',
    dataDir: dir,
    host: '127.0.0.1',
    ports: { tcp: 0, tls: 0, http: 0, https: 0, enroll: 0, federation: 0 },
    offerProtobuf: false,
    // every bench client comes from 127.0.0.1: the per-address caps (64 by default) would refuse all but 64
    connections: { maxPerAddressTcp: 100_000, maxPerAddressTls: 100_000, tcpIdleTimeoutMs: 0 },
    logLevel: 'warn',
  }),
);
process.stdout.write(JSON.stringify(node.ready) + '\n');
process.on('SIGTERM', () => {
  // where positions were skipped, and their age when their fan-out started (stderr: the run's log)
  const tak = node.tak as Partial<typeof node.tak>;
  const ages = tak.fanoutAges;
  process.stderr.write(
    `fanout-node: clients ${node.tak.clientCount} received ${node.tak.stats.received} superseded ${node.tak.stats.superseded}` +
      ` gate ${JSON.stringify(tak.inboundStats ?? {})} fanout ${JSON.stringify(tak.fanoutStats ?? {})}` +
      (ages ? ` age at fan-out p50 ≤${ages.quantile(0.5)} p99 ≤${ages.quantile(0.99)} ms (n=${ages.count})` : '') + '\n',
  );
  void node.close().then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
