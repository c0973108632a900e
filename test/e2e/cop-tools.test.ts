/**
 * The COP's working tools in real Chromium against the federated demo pair: track list by keyboard, search
 * that jumps, history replay of a past position, the measure card, a 390 px layout without horizontal
 * overflow, and axe-core (injected from the axe-core package) on the login, map and desk pages.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { KizunaNode } from '../../src/node/node.js';
import { waitFor } from '../support/node-harness.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { base, useAlliance, type Alliance } from './support/alliance.js';
import { UI_TIMEOUT, byTestId, login, screenshot, waitForTrackCount } from './support/browser.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let alliance: Alliance;
let jpn: KizunaNode;
let page: Page;
let tak: TestTakClient;

const PAST = { lat: 33.25, lon: 135.5 };
const NOW = { lat: 34.75, lon: 137.25 };

type Probe = { __kizuna: { position(uid: string): { lat: number; lon: number } | undefined; replaying(): boolean } };
/** the map view the page saved (localStorage kizuna.cop) */
const savedView = () => page.evaluate(`JSON.parse(localStorage.getItem('kizuna.cop') ?? '{}').view`) as Promise<{ lat: number; lng: number } | undefined>;
const positionOf = (uid: string) => page.evaluate((u) => (globalThis as unknown as Probe).__kizuna.position(u), uid);

async function axeSerious(p: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  if (!(await p.evaluate(() => 'axe' in globalThis))) await p.addScriptTag({ content: AXE_SOURCE });
  return p.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

useAlliance('cop-tools', { tak: true }, async (a) => {
  ({ jpn, tak } = a);
  alliance = a;
  page = await a.newPage();
  const twentyMinAgo = Date.now() - 20 * 60_000;
  // the same track twenty minutes ago and now: history must bring back the first position
  tak.send(sa('E2E-HIST', 'HIST-1', { point: { ...PAST, hae: 0, ce: 5, le: 5 }, time: new Date(twentyMinAgo).toISOString(), start: new Date(twentyMinAgo).toISOString(), stale: new Date(Date.now() + 600_000).toISOString() }));
  tak.send(sa('E2E-BRAVO', 'BRAVO-2', { point: { lat: 31.5, lon: 131.5, hae: 0, ce: 5, le: 5 }, stale: new Date(Date.now() + 600_000).toISOString() }));
});

describe('COP tools in Chromium', { timeout: 180_000 }, () => {
  it('login page passes axe (no serious or critical violations)', async () => {
    await page.goto(base(jpn) + '/');
    await byTestId(page, 'login-form').waitFor();
    expect(await axeSerious(page)).toEqual([]);
  });

  it('shows a loading state until the first picture, then the map passes axe', async () => {
    await login(page, base(jpn), 'jpn-coord');
    await byTestId(page, 'cop-loading').waitFor({ state: 'hidden' });
    tak.send(sa('E2E-HIST', 'HIST-1', { point: { ...NOW, hae: 0, ce: 5, le: 5 }, stale: new Date(Date.now() + 600_000).toISOString() }));
    await waitForTrackCount(page, 2);
    await waitFor(async () => (await positionOf('E2E-HIST'))?.lat === NOW.lat, 'live position of HIST-1', UI_TIMEOUT);
    expect(await axeSerious(page)).toEqual([]);
  });

  it('reaches a track through the list by keyboard alone and opens its details', async () => {
    await byTestId(page, 'tool-list').focus();
    await page.keyboard.press('Enter');
    await byTestId(page, 'track-row-E2E-BRAVO').waitFor();
    let reached = false;
    // toolbar, then the filters panel's controls, then the list's search, sort and rows
    for (let i = 0; i < 100 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate('document.activeElement?.dataset?.uid')) === 'E2E-BRAVO';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => byTestId(page, 'details-callsign').textContent(), { timeout: UI_TIMEOUT }).toBe('BRAVO-2');
    expect(await axeSerious(page)).toEqual([]);
    await screenshot(page, 'map-track-list.png'); // README picture
  });

  it('search by callsign jumps to the track: selected and centred', async () => {
    await byTestId(page, 'track-search').fill('hist-1');
    await byTestId(page, 'track-search').press('Enter');
    await expect.poll(() => byTestId(page, 'details-callsign').textContent(), { timeout: UI_TIMEOUT }).toBe('HIST-1');
    // the view is saved when the move ends: it is where the map now centres
    await waitFor(async () => {
      const v = await savedView();
      return !!v && Math.abs(v.lat - NOW.lat) < 0.01 && Math.abs(v.lng - NOW.lon) < 0.01;
    }, 'map centred on HIST-1', UI_TIMEOUT);
    // and a search by type prefix lists both, by uid only the one
    await byTestId(page, 'track-search').fill('E2E-BR');
    await expect.poll(() => page.locator('[data-testid^="track-row-"]').count(), { timeout: UI_TIMEOUT }).toBe(1);
  });

  it('the view survives a reload', async () => {
    await page.reload();
    await byTestId(page, 'cop').waitFor();
    await waitForTrackCount(page, 2);
    const v = (await savedView())!;
    expect(Math.abs(v.lat - NOW.lat)).toBeLessThan(0.01);
    // the track list was open and stays open
    await byTestId(page, 'track-list').waitFor({ state: 'visible' });
  });

  it('history replay shows the past position; one click returns to live', async () => {
    await byTestId(page, 'tool-history').click();
    await byTestId(page, 'replay-bar').waitFor({ state: 'visible' });
    await expect.poll(() => byTestId(page, 'replay-status').textContent(), { timeout: UI_TIMEOUT }).toBe('');
    // slider to 15 minutes ago in the 1 h window: 750 of 1000
    await byTestId(page, 'replay-slider').fill('750');
    await waitFor(async () => (await positionOf('E2E-HIST'))?.lat === PAST.lat, 'replayed past position', UI_TIMEOUT);
    expect(await page.evaluate(() => (globalThis as unknown as Probe).__kizuna.replaying())).toBe(true);
    expect(await byTestId(page, 'replay-time').textContent()).toMatch(/\d{2}:\d{2}:\d{2}Z/);
    // BRAVO-2 did not exist then
    expect(await positionOf('E2E-BRAVO')).toBeUndefined();
    await byTestId(page, 'replay-live').click();
    await waitFor(async () => (await positionOf('E2E-HIST'))?.lat === NOW.lat, 'live position again', UI_TIMEOUT);
    expect(await positionOf('E2E-BRAVO')).toBeDefined();
  });

  it('measures range and true/magnetic bearing between two clicked points', async () => {
    await byTestId(page, 'tool-measure').click();
    const box = (await byTestId(page, 'map').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await byTestId(page, 'measure-hint').waitFor();
    await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.5);
    await expect.poll(() => byTestId(page, 'measure-range').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^\d+\.\d{2} NM$/);
    // two points on one screen row: due east, give or take the Mercator curve
    const brg = Number(/^(\d{3})/.exec((await byTestId(page, 'measure-bearing-true').textContent()) ?? '')?.[1]);
    expect(brg).toBeGreaterThanOrEqual(85);
    expect(brg).toBeLessThanOrEqual(95);
    expect(await byTestId(page, 'measure-bearing-mag').textContent()).toMatch(/^\d{3}° M$/);
    await byTestId(page, 'measure-close').click();
    await byTestId(page, 'measure-card').waitFor({ state: 'hidden' });
  });

  it('desk page passes axe', async () => {
    await byTestId(page, 'nav-desk').click();
    await byTestId(page, 'desk').waitFor({ state: 'visible' });
    expect(await axeSerious(page)).toEqual([]);
    await byTestId(page, 'nav-map').click();
  });

  it('390 px wide: no horizontal overflow on login, map and desk; panels collapsed', async () => {
    const ctx = await alliance.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    ctx.setDefaultTimeout(UI_TIMEOUT);
    const phone = await ctx.newPage();
    const overflow = () => phone.evaluate(() => { const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } }; return w.document.documentElement.scrollWidth - w.innerWidth; });
    await phone.goto(base(jpn) + '/');
    await byTestId(phone, 'login-form').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await login(phone, base(jpn), 'jpn-coord');
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await byTestId(phone, 'filters-panel').isVisible()).toBe(false);
    // Japanese chosen: the tools, the scale bar and the attribution control speak it too
    expect(await byTestId(phone, 'tool-list').textContent()).toBe('航跡一覧');
    await expect.poll(() => phone.locator('.maplibregl-ctrl-scale').textContent(), { timeout: UI_TIMEOUT }).toMatch(/海里/);
    expect(await phone.locator('.maplibregl-ctrl-attrib-button').getAttribute('title')).toBe('出典の表示切替');
    await byTestId(phone, 'tool-list').click();
    await byTestId(phone, 'track-list').waitFor({ state: 'visible' });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(phone, 'mobile-ja.png'); // README picture
    const header = (await phone.locator('header.topbar').boundingBox())!;
    expect(header.x + header.width).toBeLessThanOrEqual(390);
    await byTestId(phone, 'nav-desk').click();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await ctx.close();
  });
});
