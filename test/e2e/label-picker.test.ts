/**
 * Users label from their own policy: a JPN coordinator working in Japanese picks 極秘 and REL TO JPN, USA
 * from choices the JPN node serves (no US level names, no free-text nations); the USA desk shows the same
 * request in the USA policy with the equivalent marking, and the Japanese tooltip glosses it from the table.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ja } from '../../web/src/i18n.js';
import { basemapAttribution } from '../../web/src/i18n-extra.js';
import type { KizunaNode } from '../../src/node/node.js';
import { certFor, labelOf, marti, type Node } from '../missions/support.js';
import { englishUiPatterns, englishUiStrings } from '../web-unit/ui-tables.js';
import { base, useAlliance, type Alliance } from './support/alliance.js';
import { UI_TIMEOUT, byTestId, login, screenshot } from './support/browser.js';

let alliance: Alliance;
let jpnPage: Page;
let usaPage: Page;
let requestId = '';
const TITLE = 'E2E GOKUHI HA/DR staging request';
const MISSION = 'e2e ja mission';
const JPN_LEVELS_JA = ['秘密区分なし', '秘', '極秘', '機密'];

/**
 * English UI strings on the page: the English side of every UI dictionary (main, COP tools, drawing and
 * overlays, notifications, missions, server errors, map controls) where the Japanese differs.
 */
async function englishOnPage(page: Page): Promise<string[]> {
  const english = englishUiStrings();
  // runs in the page (the node test project has no DOM types, hence a string)
  return page.evaluate(`(() => {
    const set = new Set(${JSON.stringify(english)});
    const patterns = ${JSON.stringify(englishUiPatterns())}.map((p) => new RegExp(p));
    const english = (text) => set.has(text) || patterns.some((p) => p.test(text));
    const seen = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent || '').trim();
      if (text && english(text)) seen.push(text);
    }
    for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
      for (const a of ['title', 'placeholder', 'aria-label']) {
        const v = el.getAttribute(a);
        if (v && english(v)) seen.push(a + '=' + v);
      }
    }
    return seen;
  })()`) as Promise<string[]>;
}

async function openDeskInJapanese(page: Page, url: string, user: string): Promise<void> {
  await page.goto(url + '/');
  await byTestId(page, 'lang-toggle').click();
  await page.locator('[data-testid="login-submit"]', { hasText: ja['login.submit'] }).waitFor({ timeout: UI_TIMEOUT });
  await login(page, url, user);
  await byTestId(page, 'nav-desk').click();
  await byTestId(page, 'requests-tab').waitFor({ state: 'visible' });
}

useAlliance('label-picker', {}, async (a) => {
  alliance = a;
  // a mission made over the Marti API (as ATAK would), for the missions panel
  const jpn = a.jpn as KizunaNode as Node;
  const alice = await certFor(jpn, 'alice', 'JPN');
  const made = await marti(jpn, alice, 'POST', `/Marti/api/missions/${encodeURIComponent(MISSION)}?creatorUid=ANDROID-alice`, { label: labelOf(jpn, { classification: 'GOKUHI', relTo: ['JPN', 'USA'] }) });
  expect(made.status).toBe(201);
  jpnPage = await a.newPage();
  usaPage = await a.newPage();
  await openDeskInJapanese(jpnPage, base(a.jpn), 'jpn-coord');
  await openDeskInJapanese(usaPage, base(a.usa), 'usa-coord');
});

describe('label picker from the user policy in Chromium', { timeout: 180_000 }, () => {
  it('offers JPN levels in Japanese and partner nations as checkboxes; creates a 極秘 request REL TO JPN, USA', async () => {
    await byTestId(jpnPage, 'request-new').click();
    const cls = byTestId(jpnPage, 'req-form-label-classification');
    await cls.waitFor({ state: 'visible' });
    expect(await cls.locator('option').allTextContents()).toEqual(['秘密区分なし', '秘', '極秘', '機密']);
    // nations: checkboxes only, the writer's own nation always included
    for (const group of ['req-form-nations', 'req-form-label-relto']) {
      const inputs = byTestId(jpnPage, group).locator('input');
      expect(await inputs.count(), group).toBe(2);
      expect(await byTestId(jpnPage, group).locator('input:not([type="checkbox"])').count(), group).toBe(0);
    }
    expect(await byTestId(jpnPage, 'req-form-label-relto-JPN').isDisabled()).toBe(true);
    expect(await byTestId(jpnPage, 'req-form-label-relto-JPN').isChecked()).toBe(true);
    expect(await byTestId(jpnPage, 'req-form-label-relto-USA').isChecked()).toBe(true);

    await cls.selectOption('GOKUHI');
    await byTestId(jpnPage, 'req-form-kind').selectOption('hadr');
    await byTestId(jpnPage, 'req-form-title').fill(TITLE);
    await screenshot(jpnPage, 'desk-ja-gokuhi-form.png');
    await byTestId(jpnPage, 'req-form-create').click();
    await expect.poll(() => byTestId(jpnPage, 'request-title').textContent(), { timeout: UI_TIMEOUT }).toBe(TITLE);
    expect(await byTestId(jpnPage, 'request-portion').textContent()).toBe('(GH//REL TO JPN, USA)');
    expect(await byTestId(jpnPage, 'request-portion').getAttribute('title')).toBe('極秘//提供可: JPN, USA');
    const row = jpnPage.locator('[data-testid^="request-row-"]');
    requestId = ((await row.first().getAttribute('data-testid')) ?? '').replace('request-row-', '');
    expect(requestId).toMatch(/^JPN-/);
    await byTestId(jpnPage, 'request-submit').click();
    await expect.poll(() => byTestId(jpnPage, `request-row-${requestId}`).getAttribute('data-status'), { timeout: UI_TIMEOUT }).toBe('submitted');
    await screenshot(jpnPage, 'desk-ja-gokuhi-request.png');
  });

  it('the USA desk shows it in the USA policy with the equivalent marking', async () => {
    await byTestId(usaPage, `request-row-${requestId}`).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await byTestId(usaPage, `request-row-${requestId}`).click();
    await expect.poll(() => byTestId(usaPage, 'request-title').textContent(), { timeout: UI_TIMEOUT }).toBe(TITLE);
    expect(await byTestId(usaPage, 'request-portion').textContent()).toBe('(S//REL TO JPN, USA)');
    expect(await byTestId(usaPage, 'request-portion').getAttribute('title')).toBe('米国 SECRET（極秘相当）//提供可: JPN, USA');
  });

  it('no English UI string on the desk, map and login pages when Japanese is chosen', async () => {
    expect(await englishOnPage(jpnPage)).toEqual([]);
    await byTestId(jpnPage, 'nav-map').click();
    await byTestId(jpnPage, 'cop').waitFor({ state: 'visible' });
    await jpnPage.locator('.maplibregl-ctrl-scale').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await jpnPage.locator('.maplibregl-ctrl-scale').textContent()).toContain('海里');
    expect(await englishOnPage(jpnPage)).toEqual([]);
    await screenshot(jpnPage, 'map-ja.png');
    await byTestId(jpnPage, 'logout').click();
    await byTestId(jpnPage, 'login-submit').waitFor({ state: 'visible' });
    expect(await englishOnPage(jpnPage)).toEqual([]);
  });

  it('the newer map panels in Japanese show no English UI string; drawn shapes and imports label with the same control', async () => {
    const page = jpnPage;
    const noEnglish = async (where: string) => expect(await englishOnPage(page), where).toEqual([]);
    const jpnLevels = async (testid: string) => {
      const cls = byTestId(page, `${testid}-classification`);
      await cls.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
      expect(await cls.locator('option').allTextContents(), testid).toEqual(JPN_LEVELS_JA);
      expect(await byTestId(page, `${testid}-relto`).locator('input:not([type="checkbox"])').count(), testid).toBe(0);
      expect(await byTestId(page, `${testid}-relto`).locator('input').count(), testid).toBe(2);
    };
    await login(page, base(alliance.jpn), 'jpn-coord');
    await page.locator('.maplibregl-ctrl-scale').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect.poll(() => page.locator('.maplibregl-ctrl-attrib-inner').textContent(), { timeout: UI_TIMEOUT }).toBe(basemapAttribution.ja);
    await noEnglish('map');

    // open (panels remember their state across sessions, so a click only where one is closed)
    for (const tool of ['tool-filters', 'tool-list']) if ((await byTestId(page, tool).getAttribute('aria-pressed')) !== 'true') await byTestId(page, tool).click();
    await byTestId(page, 'track-search').waitFor({ state: 'visible' });
    await byTestId(page, 'track-search').fill('no-such-track-zz');
    await byTestId(page, 'track-search').press('Enter');
    await noEnglish('filters, track list and search');

    await byTestId(page, 'tool-measure').click();
    await byTestId(page, 'measure-hint').waitFor({ state: 'visible' });
    await noEnglish('measure');
    await byTestId(page, 'measure-close').click();

    await byTestId(page, 'tool-history').click();
    await byTestId(page, 'replay-bar').waitFor({ state: 'visible' });
    await expect.poll(() => byTestId(page, 'replay-status').textContent(), { timeout: UI_TIMEOUT }).not.toBe(ja['common.loading']);
    await noEnglish('history slider');
    await byTestId(page, 'replay-live').click();

    await byTestId(page, 'draw-marker').click();
    await byTestId(page, 'draw-hint').waitFor({ state: 'visible' });
    await noEnglish('draw toolbar');
    const box = (await byTestId(page, 'map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await byTestId(page, 'shape-panel').waitFor({ state: 'visible' });
    await jpnLevels('shape-label');
    await noEnglish('shape panel');
    await byTestId(page, 'shape-cancel').click();

    await byTestId(page, 'overlay-import').click();
    await byTestId(page, 'overlay-panel').waitFor({ state: 'visible' });
    await jpnLevels('overlay-label');
    await noEnglish('overlay import');
    await byTestId(page, 'overlay-cancel').click();

    await byTestId(page, 'alerts-button').click();
    await byTestId(page, 'alerts-panel').waitFor({ state: 'visible' });
    await noEnglish('notifications');
    await byTestId(page, 'alerts-button').click();

    await byTestId(page, 'missions-toggle').click();
    const item = page.locator(`[data-testid="mission-item"][data-mission="${MISSION}"]`);
    await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await item.click();
    await byTestId(page, 'mission-detail').waitFor({ state: 'visible' });
    // the mission's marking in Japanese, as the server renders it: JPN's own level, no foreign gloss
    expect(await item.locator('[data-testid="mission-mark"]').textContent()).toMatch(/^極秘\/\//);
    await noEnglish('missions panel');
    await screenshot(page, 'map-ja-panels.png');
  });

  it("a USA user is offered the USA policy's levels, never the JPN ones", async () => {
    await byTestId(usaPage, 'request-new').click();
    const cls = byTestId(usaPage, 'req-form-label-classification');
    await cls.waitFor({ state: 'visible' });
    const options = await cls.locator('option').allTextContents();
    expect(options[0]).toBe('秘密区分なし');
    expect(options.slice(1)).toEqual(['米国 CONFIDENTIAL（秘相当）', '米国 SECRET（極秘相当）', '米国 TOP SECRET（機密相当）']);
    expect(await cls.locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value')))).toEqual(['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET']);
  });

  it('chat labels through the same picker, relabelled on a language switch, and the message carries the chosen label', async () => {
    await byTestId(usaPage, 'desk-tab-chat').click();
    const cls = byTestId(usaPage, 'chat-label-classification');
    await cls.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect((await cls.locator('option').allTextContents())[2]).toBe('米国 SECRET（極秘相当）');
    await cls.selectOption('SECRET');
    await byTestId(usaPage, 'lang-toggle').click();
    await expect.poll(() => cls.locator('option').allTextContents(), { timeout: UI_TIMEOUT }).toEqual(['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET']);
    expect(await cls.inputValue()).toBe('SECRET');
    await byTestId(usaPage, 'chat-input').fill('E2E labelled chat');
    await byTestId(usaPage, 'chat-send').click();
    await expect.poll(() => byTestId(usaPage, 'chat-messages').textContent(), { timeout: UI_TIMEOUT }).toContain('(S//REL TO USA, JPN)');
  });
});
