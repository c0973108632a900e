/**
 * What the two-nation e2e files share: the web build, two federated demo nodes (JPN, USA) on free ports
 * in a temp directory, and one Chromium. Pages are opened by each test file.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Demo } from '../../../src/demo/run.js';
import type { KizunaNode } from '../../../src/node/node.js';
import { startPair } from '../../support/pair.js';
import { TestTakClient } from '../../support/tak-client.js';
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

/** The alliance a test file shares, with the TAK client on JPN's TCP port when asked for. */
export interface AllianceFixture extends Alliance {
  tak: TestTakClient;
}

/**
 * Registers the file's beforeAll/afterAll: starts the alliance (and, with `tak`, a TAK client on JPN), then
 * runs `setup` (pages, logins, seed data); afterwards closes the client and stops everything.
 */
export function useAlliance(name: string, o: { tak?: boolean }, setup: (a: AllianceFixture) => Promise<void>): void {
  let a: AllianceFixture | undefined;
  beforeAll(async () => {
    const alliance = await startAlliance(name);
    a = Object.assign(alliance, { tak: undefined as unknown as TestTakClient });
    if (o.tak) a.tak = await TestTakClient.connect(alliance.jpn.ready.tcp);
    await setup(a);
  }, 240_000);
  afterAll(async () => {
    a?.tak?.close();
    await a?.stop();
  });
}
