import { afterAll, beforeAll } from 'vitest';
import { parseConfig, type NodeConfigInput } from '../../src/node/config.js';
import { startNode, type KizunaNode } from '../../src/node/node.js';
import { tmpDir } from './tmp.js';

/** A real node on port 0 everywhere, in a fresh data directory. */
export async function startTestNode(over: Partial<NodeConfigInput> & { nation?: string } = {}): Promise<KizunaNode & { dir: string; stop(): Promise<void> }> {
  const tmp = over.dataDir ? undefined : tmpDir(`kizuna-${(over.nation ?? 'JPN').toLowerCase()}-`);
  const dir = over.dataDir ?? tmp!.dir;
  const config = parseConfig({
    nation: 'JPN',
    host: '127.0.0.1',
    ports: { tcp: 0, tls: 0, http: 0, https: 0, enroll: 0, federation: 0 },
    ...over,
    dataDir: dir,
  });
  const node = await startNode(config);
  return Object.assign(node, {
    dir,
    async stop() {
      await node.close();
      tmp?.cleanup();
    },
  });
}

/** What `startTestNode` returns: the node, its data directory, and `stop` that also removes a directory it made. */
export type TestNode = Awaited<ReturnType<typeof startTestNode>>;

/**
 * Registers beforeAll/afterAll of the calling file or describe: one node as `startTestNode(over)` makes it,
 * handed to `onStart` before the tests and stopped (its temp directory removed) after them.
 */
export function useTestNode(over: Parameters<typeof startTestNode>[0], onStart: (node: TestNode) => void, hookTimeoutMs?: number): void {
  let node: TestNode | undefined;
  beforeAll(async () => {
    node = await startTestNode(over);
    onStart(node);
  }, hookTimeoutMs);
  afterAll(async () => {
    await node?.stop();
    node = undefined;
  });
}

export { sleep, waitFor } from './wait.js';
