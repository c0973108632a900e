/**
 * Language switching (runtime, remembered across reloads) and session expiry in Chromium against one
 * real JPN node. Expected strings come from the web dictionaries, so a missing translation fails here.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers } from '../../src/demo/run.js';
import { en, ja } from '../../web/src/i18n.js';
import { startTestNode } from '../support/node-harness.js';
import { UI_TIMEOUT, byTestId, captureWsFrames, launchChromium, login, messages, newContext, screenshot, trackApiCalls } from './support/browser.js';
import { ensureWebBuilt } from './support/web-build.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
let node: Node;
let browser: Browser;
let base: string;

const text = (page: Page, id: string) => byTestId(page, id).textContent();
const sessionToken = (page: Page) => page.evaluate(`JSON.parse(sessionStorage.getItem('kizuna.session') || 'null')?.token ?? null`) as Promise<string | null>;

beforeAll(async () => {
  await ensureWebBuilt();
  node = await startTestNode({ nation: 'JPN', seedUsers: demoUsers('JPN'), defaultLabel: { relTo: ['JPN', 'USA'] } });
  base = `http://127.0.0.1:${node.ready.http}`;
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

describe('language and session in Chromium', { timeout: 180_000 }, () => {
  let ctx: BrowserContext;
  let page: Page;

  it('switches to Japanese at runtime, on the login screen and in the app', async () => {
    ctx = await newContext(browser, 'en-US');
    page = await ctx.newPage();
    await page.goto(base + '/');
    expect(await text(page, 'login-submit')).toBe(en['login.submit']);
    await byTestId(page, 'lang-toggle').click();
    await expect.poll(() => text(page, 'login-submit'), { timeout: UI_TIMEOUT }).toBe(ja['login.submit']);
    expect(await page.evaluate('document.documentElement.lang')).toBe('ja');

    await login(page, base, 'jpn-coord');
    expect(await text(page, 'nav-map')).toBe(ja['nav.map']);
    expect(await text(page, 'nav-desk')).toBe(ja['nav.desk']);
    expect(await text(page, 'logout')).toBe(ja['nav.logout']);
    expect(await text(page, 'connection-status')).toBe(ja['conn.online']);
    await byTestId(page, 'nav-desk').click();
    expect(await text(page, 'desk-tab-requests')).toBe(ja['desk.requests']);
    await screenshot(page, 'desk-ja.png');
    await byTestId(page, 'nav-map').click();
  });

  it('remembers Japanese across a reload (and the session survives it)', async () => {
    await page.reload();
    await byTestId(page, 'cop').waitFor({ state: 'visible' });
    expect(await text(page, 'nav-map')).toBe(ja['nav.map']);
    expect(await page.evaluate('window.__kizuna.lang()')).toBe('ja');
    expect(await page.evaluate(`localStorage.getItem('kizuna.lang')`)).toBe('ja');

    await byTestId(page, 'lang-toggle').click();
    await expect.poll(() => text(page, 'nav-map'), { timeout: UI_TIMEOUT }).toBe(en['nav.map']);
    await page.reload();
    await byTestId(page, 'cop').waitFor({ state: 'visible' });
    expect(await text(page, 'nav-map')).toBe(en['nav.map']);
  });

  it('a browser that prefers Japanese starts in Japanese without a toggle', async () => {
    const jaCtx = await newContext(browser, 'ja-JP');
    const p = await jaCtx.newPage();
    await p.goto(base + '/');
    await expect.poll(() => text(p, 'login-submit'), { timeout: UI_TIMEOUT }).toBe(ja['login.submit']);
    await jaCtx.close();
  });

  it('a session revoked on the server is pushed out to the login screen with the expiry notice', async () => {
    const frames = captureWsFrames(page);
    // a fresh socket for the frame capture: log out and in again
    await byTestId(page, 'logout').click();
    await expect.poll(() => text(page, 'login-message'), { timeout: UI_TIMEOUT }).toBe(en['login.loggedOut']);
    const calls = trackApiCalls(page);
    await login(page, base, 'jpn-coord');
    const token = await sessionToken(page);
    expect(token).toBeTruthy();
    // the app's start-up REST calls (desk) must be over, or a 401 there would sign out first
    await calls.idle();

    await node.users.logout(token!);
    // the node's WebSocket hub re-checks sessions periodically (15 s by default) and sends {t:'expired'}
    await byTestId(page, 'login-form').waitFor({ state: 'visible', timeout: 45_000 });
    expect(await text(page, 'login-message')).toBe(en['login.expired']);
    expect(messages(frames).some((m) => m.t === 'expired')).toBe(true);
    expect(await sessionToken(page)).toBeNull();
    await screenshot(page, 'login-expired.png');
  });

  it('a page reloaded with a dead token lands on the login screen, not a broken app', async () => {
    await login(page, base, 'jpn-coord');
    const token = await sessionToken(page);
    // revoke while the app is not running in the tab: a live page notices a dead token by itself (a REST 401
    // during its start-up loads, or the hub's session check) and signs out before a reload, which is the test above
    await page.goto('about:blank');
    await node.users.logout(token!);
    await page.goto(base + '/');
    await byTestId(page, 'login-form').waitFor({ state: 'visible', timeout: 45_000 });
    expect(await text(page, 'login-message')).toBe(en['login.expired']);
    expect(await sessionToken(page)).toBeNull();
    // and the user can simply sign in again
    await login(page, base, 'jpn-coord');
    expect(await page.evaluate('window.__kizuna.connected()')).toBe(true);
    await ctx.close();
  });
});
