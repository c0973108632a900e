import type { NodeConfigInput } from '../src/node/config.js';
import { startTestNode } from '../test/support/node-harness.js';

/**
 * A JPN node for a load benchmark: `startTestNode` (port 0 everywhere, fresh data dir removed by `stop`),
 * warnings only, and the per-address connection caps lifted: every bench client comes from 127.0.0.1, so
 * the caps (64 by default) would refuse all but 64, and idle clients are the point of some runs.
 */
export function startBenchNode(over: Partial<NodeConfigInput> = {}): ReturnType<typeof startTestNode> {
  return startTestNode({
    nation: 'JPN',
    logLevel: 'warn',
    ...over,
    connections: { maxPerAddressTcp: 100_000, maxPerAddressTls: 100_000, tcpIdleTimeoutMs: 0, ...over.connections },
  });
}
