/**
 * What the two-nation e2e files share: the web build, two federated demo nodes (JPN, USA) on free ports
 * in a temp directory, and one Chromium. Pages are opened by each test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type Demo } from '../../../src/demo/run.js';
import type { KizunaNode } from '../../../src/node/node.js';
import { launchChromium, newContext } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

export interface Alliance {
  demo: Demo;
  jpn: KizunaNode;
  usa: KizunaNode;
  browser: Browser;
  /** a page in a fresh browser context (own cookies and storage) */
  newPage(): Promise<Page>;
  stop(): Promise<void>;
}

export const base = (n: KizunaNode) => `http://127.0.0.1:${n.ready.http}`;

export async function startAlliance(name: string): Promise<Alliance> {
  await ensureWebBuilt();
  const dir = mkdtempSync(join(tmpdir(), `kizuna-e2e-${name}-`));
  const demo = await startDemo({ basePort: 0, dataDir: dir, scenario: false, print: false });
  const [jpn, usa] = demo.nodes as [KizunaNode, KizunaNode];
  const browser = await launchChromium();
  return {
    demo,
    jpn,
    usa,
    browser,
    newPage: async () => (await newContext(browser)).newPage(),
    stop: async () => {
      await browser.close();
      await demo.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
