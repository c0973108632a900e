/**
 * One layout for the map's toolbars and panels from a phone to a wall screen, in real Chromium: at 1400×900,
 * 390×844, 360×740 and 2560×1440, with the panels opened one after another, no two visible toolbars or panels cover each other
 * and nothing reaches past the viewport's right edge (no horizontal scrolling).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KizunaNode } from '../../src/node/node.js';
import { TestTakClient, sa } from '../support/tak-client.js';
import { base, startAlliance, type Alliance } from './support/alliance.js';
import { UI_TIMEOUT, byTestId, login, screenshot, waitForTrackCount } from './support/browser.js';

/** Everything that sits over (or beside) the map and must keep to its own space. */
const PARTS: Record<string, string> = {
  header: 'header.topbar',
  'find toolbar': '[data-testid="cop-toolbar"]',
  'draw toolbar': '[data-testid="draw-bar"]',
  'missions button': '[data-testid="missions-toggle"]',
  filters: '[data-testid="filters-panel"]',
  'track list': '[data-testid="track-list"]',
  details: '[data-testid="details-panel"]',
  'shape panel': '[data-testid="shape-panel"]',
  'missions panel': '[data-testid="missions-panel"]',
  'measure card': '[data-testid="measure-card"]',
  'replay bar': '[data-testid="replay-bar"]',
  'map navigation': '.maplibregl-ctrl-top-right .maplibregl-ctrl-group',
  'scale bar': '.maplibregl-ctrl-scale',
  attribution: '.maplibregl-ctrl-attrib',
  'status bar': 'footer.statusbar',
};

interface Box { name: string; left: number; top: number; right: number; bottom: number }

/** Visible parts with their boxes, and how far the page reaches past the viewport's right edge. */
async function measure(page: Page): Promise<{ boxes: Box[]; overflow: number; width: number }> {
  return page.evaluate((parts) => {
    type El = { getBoundingClientRect(): { left: number; top: number; right: number; bottom: number; width: number; height: number }; checkVisibility(o: unknown): boolean };
    const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): Iterable<El> } };
    const boxes: Box[] = [];
    for (const [name, sel] of Object.entries(parts)) {
      for (const el of w.document.querySelectorAll(sel)) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
        boxes.push({ name, left: r.left, top: r.top, right: r.right, bottom: r.bottom });
      }
    }
    return { boxes, overflow: w.document.documentElement.scrollWidth - w.innerWidth, width: w.innerWidth };
  }, PARTS);
}

/** Pairs of parts whose boxes share more than a hairline (touching edges are fine). */
function overlaps(boxes: Box[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!, b = boxes[j]!;
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) out.push(`${a.name} × ${b.name} (${Math.round(x)}×${Math.round(y)} px)`);
    }
  }
  return out;
}

async function expectTidy(page: Page, step: string, expected: string[]): Promise<void> {
  const m = await measure(page);
  const names = m.boxes.map((b) => b.name);
  for (const name of expected) expect(names, `${step}: ${name} shown`).toContain(name);
  const covered = overlaps(m.boxes);
  // a picture of the failing state, for whoever has to fix it
  if (covered.length) await screenshot(page, `layout-${m.width}-${step.replace(/\W+/g, '-')}.png`);
  expect(covered, `${step}: overlapping parts`).toEqual([]);
  expect(m.overflow, `${step}: horizontal overflow`).toBeLessThanOrEqual(0);
  const past = m.boxes.filter((b) => b.right > m.width + 0.5 || b.left < -0.5).map((b) => b.name);
  expect(past, `${step}: parts past the viewport's edges`).toEqual([]);
}

let alliance: Alliance;
let jpn: KizunaNode;
let tak: TestTakClient;

beforeAll(async () => {
  alliance = await startAlliance('cop-layout');
  ({ jpn } = alliance);
  tak = await TestTakClient.connect(jpn.ready.tcp);
  tak.send(sa('E2E-LAYOUT', 'LAYOUT-1', { point: { lat: 34.5, lon: 136.5, hae: 0, ce: 5, le: 5 }, stale: new Date(Date.now() + 3600_000).toISOString() }));
}, 240_000);

afterAll(async () => {
  tak?.close();
  await alliance?.stop();
});

/** After the track list, the panels opened one after another: what is clicked, what then shows, and its name in the layout check. */
const OPEN_IN_TURN = [
  { click: 'track-row-E2E-LAYOUT', shows: 'details-panel', state: 'details open', part: 'details' },
  { click: 'tool-measure', shows: 'measure-card', state: 'measure card open', part: 'measure card' },
  { click: 'missions-toggle', shows: 'missions-panel', state: 'missions open', part: 'missions panel' },
  { click: 'tool-history', shows: 'replay-bar', state: 'history open', part: 'replay bar' },
] as const;

describe('COP layout: toolbars and panels never cover each other', { timeout: 180_000 }, () => {
  // the desk monitor and the phone the issue names, then the narrowest phone and a wall screen
  for (const [width, height] of [[1400, 900], [390, 844], [360, 740], [2560, 1440]] as const) {
    it(`${width}×${height}: after login, with the track list, a track's details, the measure card, missions and history open`, async () => {
      const ctx = await alliance.browser.newContext({ viewport: { width, height }, locale: 'en-US', timezoneId: 'Asia/Tokyo' });
      ctx.setDefaultTimeout(UI_TIMEOUT);
      const page = await ctx.newPage();
      await login(page, base(jpn), 'jpn-operator');
      await waitForTrackCount(page, 1);
      await expectTidy(page, 'after login', ['find toolbar', 'draw toolbar', 'missions button', 'map navigation', 'status bar']);

      if ((await byTestId(page, 'tool-list').getAttribute('aria-pressed')) !== 'true') await byTestId(page, 'tool-list').click();
      await byTestId(page, 'track-row-E2E-LAYOUT').waitFor({ state: 'visible' });
      await expectTidy(page, 'track list open', ['track list']);

      for (const step of OPEN_IN_TURN) {
        await byTestId(page, step.click).click();
        await byTestId(page, step.shows).waitFor({ state: 'visible' });
        await expectTidy(page, step.state, [step.part]);
      }
      await screenshot(page, `layout-${width}.png`);
      await ctx.close();
    });
  }
});
