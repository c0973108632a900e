import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type NodeConfigInput } from '../../src/node/config.js';
import { startNode, type KizunaNode } from '../../src/node/node.js';

/** A real node on port 0 everywhere, in a fresh data directory. */
export async function startTestNode(over: Partial<NodeConfigInput> & { nation?: string } = {}): Promise<KizunaNode & { dir: string; stop(): Promise<void> }> {
  const dir = over.dataDir ?? mkdtempSync(join(tmpdir(), `kizuna-${(over.nation ?? 'JPN').toLowerCase()}-`));
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
      if (!over.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `pred` holds or fails the test with `what` after `timeoutMs`. */
export async function waitUntil(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await pred()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for: ${what}`);
}
