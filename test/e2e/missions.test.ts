/**
 * The missions panel in real Chromium against the demo nodes: a mission created over the Marti API (client
 * certificate, as ATAK would) with a track in it shows in the JPN operator's panel; subscribing there is the
 * Mission API's own subscription; selecting the mission rings its track on the map; the panel works
 * from the keyboard and fits a 390 px wide screen.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { KizunaNode } from '../../src/node/node.js';
import { waitFor } from '../support/node-harness.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { certFor, json, labelOf, marti, type Id, type Node } from '../missions/support.js';
import { base, useAlliance } from './support/alliance.js';
import { UI_TIMEOUT, byTestId, login, screenshot } from './support/browser.js';

let jpn: Node;
let page: Page;
let tak: TestTakClient;
let alice: Id;
const TRACK = 'E2E-MISSION-TRACK';
const MISSION = 'e2e ops';

const highlighted = (p: Page) => p.evaluate('window.__kizunaMissions ? window.__kizunaMissions.highlighted() : []') as Promise<string[]>;
const item = (p: Page, name: string) => p.locator(`[data-testid="mission-item"][data-mission="${name}"]`);
const subscribers = async () => json<{ data: string[] }>(await marti(jpn, alice, 'GET', `/Marti/api/missions/${encodeURIComponent(MISSION)}/subscriptions`)).data;

useAlliance('missions', { tak: true }, async (a) => {
  jpn = a.jpn as KizunaNode as Node;
  tak = a.tak;
  tak.send(sa(TRACK, 'MISSION-ONE', { point: { lat: 26.21, lon: 127.68, hae: 0, ce: 5, le: 5 } }));
  await waitFor(async () => (await jpn.store.events.getLatest(TRACK)) !== undefined, 'track stored', UI_TIMEOUT);
  alice = await certFor(jpn, 'alice', 'JPN');
  const q = `/Marti/api/missions/${encodeURIComponent(MISSION)}`;
  expect((await marti(jpn, alice, 'POST', `${q}?creatorUid=ANDROID-alice&description=E2E`, { label: labelOf(jpn, { relTo: ['JPN', 'USA'] }) })).status).toBe(201);
  expect((await marti(jpn, alice, 'PUT', `${q}/contents?creatorUid=ANDROID-alice`, { body: { uids: [TRACK] } })).status).toBe(200);
  page = await a.newPage();
  await login(page, base(jpn), 'jpn-operator');
});

describe('missions panel in Chromium', { timeout: 180_000 }, () => {
  it('lists the Marti mission, subscribes, and rings its track on the map', async () => {
    await byTestId(page, 'missions-toggle').click();
    await item(page, MISSION).waitFor({ state: 'visible' });
    await item(page, MISSION).click();
    await page.locator(`[data-testid="mission-detail"][data-mission="${MISSION}"]`).waitFor({ state: 'visible' });
    await page.locator(`[data-testid="mission-track"][data-uid="${TRACK}"]`).waitFor({ state: 'visible' });
    expect(await highlighted(page)).toEqual([TRACK]);

    await byTestId(page, 'mission-subscribe').click();
    await byTestId(page, 'mission-unsubscribe').waitFor({ state: 'visible' });
    expect(await item(page, MISSION).textContent()).toContain('Subscribed');
    expect(await subscribers()).toContain('kizuna-web:jpn-operator');
    // the ring is drawn by the map, at the track
    await page.waitForFunction(`window.__kizunaMissions && window.__kizunaMissions.highlighted().includes(${JSON.stringify(TRACK)})`);
    await screenshot(page, 'missions-panel.png');
  });

  it('works from the keyboard: Enter toggles the subscription, Escape closes and gives focus back', async () => {
    await byTestId(page, 'mission-unsubscribe').focus();
    await page.keyboard.press('Enter');
    await byTestId(page, 'mission-subscribe').waitFor({ state: 'visible' });
    await waitFor(async () => !(await subscribers()).includes('kizuna-web:jpn-operator'), 'unsubscribed', UI_TIMEOUT);
    await page.keyboard.press('Escape');
    await byTestId(page, 'missions-panel').waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")')).toBe('missions-toggle');
    await page.keyboard.press('Enter');
    await byTestId(page, 'missions-panel').waitFor({ state: 'visible' });
  });

  it('fits a 390 px wide screen without horizontal overflow', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.keyboard.press('Escape');
    await byTestId(page, 'missions-panel').waitFor({ state: 'hidden' });
    const before = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    await byTestId(page, 'missions-toggle').click();
    await item(page, MISSION).click();
    await page.locator(`[data-testid="mission-detail"][data-mission="${MISSION}"]`).waitFor({ state: 'visible' });
    const box = (await byTestId(page, 'missions-panel').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    const overflow = (await page.evaluate(
      '(() => { const p = document.querySelector(\'[data-testid="missions-panel"]\'); return { doc: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth }; })()',
    )) as { doc: number; panel: number };
    // the panel adds no width to the page (whatever the rest of the COP needs at this size)
    expect(overflow.doc).toBeLessThanOrEqual(before);
    expect(overflow.panel).toBe(0);
    await screenshot(page, 'missions-panel-390.png');
  });
});
