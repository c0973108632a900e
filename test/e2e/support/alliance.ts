/**
 * What the two-nation e2e files share: the web build, two federated demo nodes (JPN, USA) on free ports
 * in a temp directory, and one Chromium. Pages are opened by each test file.
 */
import type { Browser, Page } from 'playwright-core';
import type { Demo } from '../../../src/demo/run.js';
import type { KizunaNode } from '../../../src/node/node.js';
import { startPair } from '../../support/pair.js';
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
  const { demo, jpn, usa, stop } = await startPair(`e2e-${name}`);
  const browser = await launchChromium();
  return {
    demo,
    jpn,
    usa,
    browser,
    newPage: async () => (await newContext(browser)).newPage(),
    stop: async () => {
      await browser.close();
      await stop();
    },
  };
}
