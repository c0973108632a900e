/**
 * Debian's Chromium driven by playwright-core (never a browser download), plus the page helpers the
 * e2e tests share: log in, capture raw WebSocket frames, wait on window.__kizuna.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../../src/node/config.js';

/** What web/src/main.ts exposes on window (the root tsconfig has no DOM lib, hence globalThis). */
export interface KizunaProbe {
  trackCount(): number;
  shownCount(): number;
  fps(): number;
  lastUpdateLatencyMs(): number;
  connected(): boolean;
  lang(): string;
  counters(): { messages: number; flushes: number; flushMs: number };
}
export type ProbeWindow = { __kizuna?: KizunaProbe };

export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS_DIR = join(PACKAGE_ROOT, 'test-results');
export const DEMO_PASSWORD = 'kizuna-demo';
/** generous: two cores shared with other workers, software WebGL */
export const UI_TIMEOUT = 60_000;

/**
 * Installs Chromium with apt when it is missing (CI machines are fresh); fails loudly otherwise. Test files
 * run in parallel workers: each would start its own apt-get, and all but the first failed on apt's lock
 * (seen on a fresh machine: cop-draw failed with "apt-get update" while the others went on). One flock
 * serialises them; whoever gets it second finds Chromium installed and does nothing.
 */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk`);
  const install = `test -x ${CHROMIUM} || { apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk; }`;
  execFileSync('flock', ['--timeout', '900', join(tmpdir(), 'kizuna-chromium-install.lock'), 'sh', '-c', install], {
    stdio: 'ignore',
    timeout: 900_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} does not exist`);
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
  });
}

export async function newContext(browser: Browser, locale = 'en-US'): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 860 }, locale, timezoneId: 'Asia/Tokyo' });
  ctx.setDefaultTimeout(UI_TIMEOUT);
  return ctx;
}

/** Every text frame the page's WebSockets received, raw, in arrival order. */
export function captureWsFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8')));
  });
  return frames;
}

/** Parsed server messages from captured frames, batches flattened (frames that are not JSON are a test failure elsewhere). */
export function messages(frames: readonly string[]): { t: string; [k: string]: unknown }[] {
  return frames.flatMap((f) => [JSON.parse(f)].flat() as { t: string }[]);
}

export const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

/** Logs in through the login form and waits for the live COP (map loaded, socket online). */
export async function login(page: Page, base: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  if (!page.url().startsWith(base)) await page.goto(base + '/');
  await byTestId(page, 'login-username').fill(username);
  await byTestId(page, 'login-password').fill(password);
  await byTestId(page, 'login-submit').click();
  await byTestId(page, 'cop').waitFor({ state: 'visible' });
  await page.waitForFunction(() => (globalThis as unknown as ProbeWindow).__kizuna?.connected() === true, undefined, { timeout: UI_TIMEOUT });
}

async function waitForProbe(page: Page, what: string, read: string, atLeast: number): Promise<void> {
  const end = Date.now() + UI_TIMEOUT;
  let last = -1;
  while (Date.now() < end) {
    last = (await page.evaluate(`window.__kizuna ? window.__kizuna.${read}() : -1`)) as number;
    if (last >= atLeast) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} >= ${atLeast} (last seen ${last})`);
}

/** Waits until the page holds at least `n` tracks (received over its WebSocket). */
export function waitForTrackCount(page: Page, atLeast: number): Promise<void> {
  return waitForProbe(page, 'trackCount', 'trackCount', atLeast);
}

/** Waits until the map has drawn at least `n` track features (not just received them). */
export function waitForShown(page: Page, atLeast: number): Promise<void> {
  return waitForProbe(page, 'shownCount', 'shownCount', atLeast);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, name);
  await page.screenshot({ path: file });
  return file;
}

/** Reads the probe inside the page. */
export function probe<T>(page: Page, read: (k: KizunaProbe) => T): Promise<T> {
  return page.evaluate(`(${read.toString()})(window.__kizuna)`) as Promise<T>;
}

/**
 * Counts the page's REST calls in flight (WebSocket excluded) from now on. `idle()` resolves once none
 * has been in flight for `quietMs`: e.g. the desk's start-up loads after a login, which would otherwise
 * race a test that revokes the session right away (a 401 there signs out before the WebSocket can).
 */
export function trackApiCalls(page: Page): { idle(quietMs?: number): Promise<void> } {
  let inFlight = 0;
  let last = Date.now();
  const isApi = (r: { url(): string; resourceType(): string }) => r.url().includes('/api/') && r.resourceType() !== 'websocket';
  page.on('request', (r) => {
    if (!isApi(r)) return;
    inFlight++;
    last = Date.now();
  });
  const done = (r: { url(): string; resourceType(): string }) => {
    if (!isApi(r)) return;
    inFlight--;
    last = Date.now();
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return {
    async idle(quietMs = 300) {
      const end = Date.now() + UI_TIMEOUT;
      while (inFlight > 0 || Date.now() - last < quietMs) {
        if (Date.now() > end) throw new Error(`REST calls still in flight after ${UI_TIMEOUT} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
