/**
 * The coordination desk in two browsers at once: a USA coordinator raises and submits a request through
 * the form, the JPN coordinator concurs on the JPN node, and the USA page shows JPN's concurrence live.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../src/api/contract.js';
import type { KizunaNode } from '../../src/node/node.js';
import { base, useAlliance } from './support/alliance.js';
import { UI_TIMEOUT, byTestId, captureWsFrames, login, messages, screenshot } from './support/browser.js';

let jpn: KizunaNode;
let usa: KizunaNode;
let jpnPage: Page;
let usaPage: Page;
let usaFrames: string[];
let requestId = '';

const TITLE = 'E2E HADR airlift to Naha';

const decision = (page: Page, nation: string) => byTestId(page, `concurrence-${requestId}-${nation}`).getAttribute('data-decision');
const status = (page: Page) => byTestId(page, `request-row-${requestId}`).getAttribute('data-status');

useAlliance('desk', {}, async (a) => {
  ({ jpn, usa } = a);
  jpnPage = await a.newPage();
  usaPage = await a.newPage();
  usaFrames = captureWsFrames(usaPage);
  await login(jpnPage, base(jpn), 'jpn-coord');
  await login(usaPage, base(usa), 'usa-coord');
  for (const p of [jpnPage, usaPage]) {
    await byTestId(p, 'nav-desk').click();
    await byTestId(p, 'requests-tab').waitFor({ state: 'visible' });
  }
});

describe('coordination desk across two nations in Chromium', { timeout: 180_000 }, () => {
  it('usa-coord creates and submits a request through the form', async () => {
    await byTestId(usaPage, 'request-new').click();
    await byTestId(usaPage, 'req-form-kind').selectOption('hadr');
    await byTestId(usaPage, 'req-form-title').fill(TITLE);
    await byTestId(usaPage, 'req-form-description').fill('C-130 sorties with relief supplies; JPN ground handling needed.');
    await byTestId(usaPage, 'req-form-priority').selectOption('priority');
    await byTestId(usaPage, 'req-form-lat').fill('26.2');
    await byTestId(usaPage, 'req-form-lon').fill('127.65');
    await byTestId(usaPage, 'req-form-create').click();
    await expect.poll(() => byTestId(usaPage, 'request-title').textContent(), { timeout: UI_TIMEOUT }).toBe(TITLE);

    const row = usaPage.locator('[data-testid^="request-row-"]');
    await expect.poll(() => row.count(), { timeout: UI_TIMEOUT }).toBe(1);
    requestId = ((await row.first().getAttribute('data-testid')) ?? '').replace('request-row-', '');
    expect(requestId).toMatch(/^USA-/);
    expect(await status(usaPage)).toBe('draft');

    await byTestId(usaPage, 'request-submit').click();
    await expect.poll(() => status(usaPage), { timeout: UI_TIMEOUT }).toBe('submitted');
    expect(await decision(usaPage, 'JPN')).toBe('pending');
    expect(await decision(usaPage, 'USA')).toBe('pending');
    // the form's label went to the server and came back rendered from the USA policy
    expect(await byTestId(usaPage, 'request-portion').textContent()).toMatch(/^\(U\/\/REL TO (USA, JPN|JPN, USA)\)$/);
  });

  it('the request reaches the JPN page live; jpn-coord concurs; the USA page updates JPN to concur', async () => {
    // federated USA → JPN, pushed over the JPN page's WebSocket (no reload)
    await byTestId(jpnPage, `request-row-${requestId}`).waitFor({ state: 'visible' });
    await byTestId(jpnPage, `request-row-${requestId}`).click();
    await expect.poll(() => byTestId(jpnPage, 'request-title').textContent(), { timeout: UI_TIMEOUT }).toBe(TITLE);
    await byTestId(jpnPage, 'request-comment-input').fill('JASDF Naha ground handling available from 06:00.');
    await byTestId(jpnPage, 'request-concur').click();
    await expect.poll(() => decision(jpnPage, 'JPN'), { timeout: UI_TIMEOUT }).toBe('concur');

    await expect.poll(() => decision(usaPage, 'JPN'), { timeout: UI_TIMEOUT }).toBe('concur');
    expect(await decision(usaPage, 'USA')).toBe('pending');
    expect(await status(usaPage)).toBe('in_review');
    expect(await byTestId(usaPage, `concurrence-${requestId}-JPN`).getAttribute('title')).toBe('jpn-coord');
    // it came over the USA page's socket as a request push, not from a reload
    const pushes = messages(usaFrames).filter((m) => m.t === 'request' && (m['request'] as RequestView).id === requestId);
    expect(pushes.some((m) => (m['request'] as RequestView).concurrence.some((c) => c.nation === 'JPN' && c.decision === 'concur'))).toBe(true);
    // the JPN comment is shown in the USA detail view
    await byTestId(usaPage, `request-row-${requestId}`).click();
    await expect.poll(() => byTestId(usaPage, 'request-concurrence').textContent(), { timeout: UI_TIMEOUT }).toContain('JASDF Naha ground handling');
  });

  it('usa-coord concurs too: both pages show the request concurred; desk screenshot saved', async () => {
    await byTestId(usaPage, 'request-concur').click();
    await expect.poll(() => status(usaPage), { timeout: UI_TIMEOUT }).toBe('concurred');
    await expect.poll(() => status(jpnPage), { timeout: UI_TIMEOUT }).toBe('concurred');
    expect(await decision(jpnPage, 'USA')).toBe('concur');
    // JPN can no longer decide on a closed round
    expect(await byTestId(jpnPage, 'request-concur').count()).toBe(0);
    await screenshot(usaPage, 'desk.png');
    await screenshot(jpnPage, 'desk-jpn.png');
  });
});
