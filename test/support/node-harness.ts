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

export { sleep, waitFor } from './wait.js';
