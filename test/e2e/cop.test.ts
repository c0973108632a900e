/**
 * The common operating picture in real Chromium against two federated demo nodes (JPN, USA):
 * TCP CoT → map, details with portion mark, banner high-water mark, and the release guard seen from the
 * browser's raw WebSocket frames.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TrackView } from '../../src/api/contract.js';
import { SCENARIO, unitEvent } from '../../src/demo/scenario.js';

/** the two-nation picture: units of JPN and USA that need no third nation (the demo's own rule) */
const BILATERAL = SCENARIO.filter((u) => ['JPN', 'USA'].includes(u.owner) && (u.requires ?? []).every((n) => ['JPN', 'USA'].includes(n)));
import { makeLabel } from '../../src/labels/index.js';
import type { KizunaNode } from '../../src/node/node.js';
import { sleep, waitFor } from '../support/node-harness.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { base, useAlliance } from './support/alliance.js';
import { UI_TIMEOUT, byTestId, captureWsFrames, login, messages, screenshot, waitForShown, waitForTrackCount } from './support/browser.js';

let jpn: KizunaNode;
let usa: KizunaNode;
let jpnPage: Page;
let jpnFrames: string[];
let usaPage: Page;
let usaFrames: string[];
let tak: TestTakClient;

/** The map opens centred on 32°N 137°E: a track there sits under the map element's centre. */
const CENTRE = { lat: 32, lon: 137 };

function trackMessages(frames: readonly string[], uid: string): TrackView[] {
  return messages(frames)
    .filter((m) => m.t === 'track' || m.t === 'snapshot')
    .flatMap((m) => (m.t === 'track' ? [m['track'] as TrackView] : (m['tracks'] as TrackView[])))
    .filter((t) => t.uid === uid);
}

async function banner(page: Page): Promise<{ classification: string; text: string; color: string }> {
  const el = byTestId(page, 'banner-top');
  return {
    classification: (await el.getAttribute('data-classification')) ?? '',
    text: (await el.textContent()) ?? '',
    color: await el.evaluate((e) => (e as unknown as { style: { background: string } }).style.background),
  };
}

useAlliance('cop', { tak: true }, async (a) => {
  ({ jpn, usa, tak } = a);
  jpnPage = await a.newPage();
  jpnFrames = captureWsFrames(jpnPage);
  usaPage = await a.newPage();
  usaFrames = captureWsFrames(usaPage);
});

describe('COP in Chromium (two federated demo nodes)', { timeout: 180_000 }, () => {
  it('logs in as jpn-coord; a CoT event sent to the TCP port appears on the map', async () => {
    await login(jpnPage, base(jpn), 'jpn-coord');
    await expect.poll(() => byTestId(jpnPage, 'user-name').textContent(), { timeout: UI_TIMEOUT }).toContain('JPN');
    expect(await jpnPage.evaluate(() => (globalThis as unknown as { __kizuna: { trackCount(): number } }).__kizuna.trackCount())).toBe(0);

    // stale in 10 min, not sa()'s 60 s: a page that logs in later (USA, tests below) gets only non-stale tracks,
    // and on a loaded machine the tests in between can take longer than a minute
    tak.send(sa('E2E-ALPHA', 'ALPHA-1', { point: { ...CENTRE, hae: 10, ce: 5, le: 5 }, stale: new Date(Date.now() + 600_000).toISOString() }));
    await waitForTrackCount(jpnPage, 1);
    await waitForShown(jpnPage, 1);
    // the status bar says so too (DOM, not only the probe)
    await expect.poll(() => byTestId(jpnPage, 'track-counts').textContent(), { timeout: UI_TIMEOUT }).toMatch(/\b1\b/);
    expect(trackMessages(jpnFrames, 'E2E-ALPHA')[0]).toMatchObject({ callsign: 'ALPHA-1', origin: 'JPN', type: 'a-f-G-U-C' });
  });

  it('clicking the symbol opens its details: callsign and the label portion mark', async () => {
    const box = await byTestId(jpnPage, 'map').boundingBox();
    expect(box).not.toBeNull();
    // MapLibre may still be settling its first frames on a loaded machine: click until the panel opens
    await waitFor(async () => {
      await jpnPage.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
      return byTestId(jpnPage, 'details-callsign').isVisible();
    }, 'details panel after clicking the track', UI_TIMEOUT);
    expect(await byTestId(jpnPage, 'details-callsign').textContent()).toBe('ALPHA-1');
    expect(await byTestId(jpnPage, 'details-uid').textContent()).toBe('E2E-ALPHA');
    expect(await byTestId(jpnPage, 'details-origin').textContent()).toBe('JPN');
    const sent = trackMessages(jpnFrames, 'E2E-ALPHA')[0]!;
    const portion = await byTestId(jpnPage, 'details-portion').textContent();
    // demo default label for unlabelled TAK input: lowest JPN class, releasable to both nations
    expect(portion).toBe(sent.label.portion);
    expect(portion).toMatch(/^\(U\/\/REL TO (JPN, USA|USA, JPN)\)$/);
    await screenshot(jpnPage, 'map-details.png');
    await byTestId(jpnPage, 'details-close').click();
    await byTestId(jpnPage, 'details-panel').waitFor({ state: 'hidden' });
  });

  it('the symbol is drawn where the map puts the track, and still is after the map is dragged (overlay follows the camera)', async () => {
    const box = (await byTestId(jpnPage, 'map').boundingBox())!;
    const c = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    // centre of the opaque pixels of the overlay canvas (it holds only tracks and trails; one track here)
    const ink = () =>
      jpnPage.evaluate(() => {
        type Canvas = { width: number; height: number; getBoundingClientRect(): { left: number; top: number; width: number }; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
        const doc = (globalThis as unknown as { document: { querySelector(s: string): Canvas } }).document;
        const cv = doc.querySelector('[data-testid="track-overlay"]');
        const r = cv.getBoundingClientRect();
        const k = cv.width / r.width;
        const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
        let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
        for (let i = 3; i < d.length; i += 4) {
          if (d[i]! < 200) continue;
          const p = (i - 3) / 4;
          const x = p % cv.width;
          const y = Math.floor(p / cv.width);
          x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        }
        return x1 < 0 ? undefined : { x: r.left + (x0 + x1) / 2 / k, y: r.top + (y0 + y1) / 2 / k, w: (x1 - x0) / k };
      });
    const near = (p: { x: number; y: number } | undefined, q: { x: number; y: number }, tol: number) => !!p && Math.abs(p.x - q.x) <= tol && Math.abs(p.y - q.y) <= tol;
    // MapLibre's own reading of a pixel (the status bar shows the pointer's position) must be the track's
    const mapSaysTrackIsAt = async (p: { x: number; y: number }) => {
      await jpnPage.mouse.move(p.x, p.y);
      const text = (await byTestId(jpnPage, 'pointer-position').textContent()) ?? '';
      const m = /(\d+)°([\d.]+)′N (\d+)°([\d.]+)′E/.exec(text);
      expect(m, text).not.toBeNull();
      const lat = Number(m![1]) + Number(m![2]) / 60;
      const lon = Number(m![3]) + Number(m![4]) / 60;
      // ±0.25° is about 4 px at the opening zoom: the symbol centre, not just somewhere on the symbol
      expect(Math.abs(lat - CENTRE.lat)).toBeLessThan(0.25);
      expect(Math.abs(lon - CENTRE.lon)).toBeLessThan(0.25);
    };
    await waitFor(async () => near(await ink(), c, 6), 'symbol drawn at the map centre', UI_TIMEOUT);
    const before = (await ink())!;
    expect(before.w).toBeGreaterThan(10);
    await mapSaysTrackIsAt(before);

    const drag = async (dx: number, dy: number, from: { x: number; y: number }) => {
      await jpnPage.mouse.move(from.x, from.y);
      await jpnPage.mouse.down();
      await jpnPage.mouse.move(from.x + dx, from.y + dy, { steps: 12 });
      await sleep(400); // hold still before releasing: no inertia, the map ends where the pointer did
      await jpnPage.mouse.up();
    };
    // rightwards: the view moves west (eastwards it would soon stop at the antimeridian, renderWorldCopies off)
    await drag(220, 140, { x: c.x - 100, y: c.y - 100 });
    const target = { x: c.x + 220, y: c.y + 140 };
    // redrawn at the new place once the move ends (allowing the drag's few pixels of click tolerance)
    await waitFor(async () => near(await ink(), target, 12), 'symbol redrawn where the drag took it', UI_TIMEOUT);
    const after = (await ink())!;
    await mapSaysTrackIsAt(after);
    await waitFor(async () => {
      await jpnPage.mouse.click(after.x, after.y);
      return byTestId(jpnPage, 'details-callsign').isVisible();
    }, 'details after clicking the moved symbol', UI_TIMEOUT);
    expect(await byTestId(jpnPage, 'details-uid').textContent()).toBe('E2E-ALPHA');
    await byTestId(jpnPage, 'details-close').click();
    // back to the opening view for the tests (and screenshots) that follow
    await drag(-220, -140, { x: c.x + 100, y: c.y + 100 });
    await waitFor(async () => near(await ink(), c, 12), 'symbol back near the centre', UI_TIMEOUT);
  });

  it('the banner rises when higher-labelled releasable tracks appear (local HI, then a federated USA SECRET)', async () => {
    await expect.poll(async () => (await banner(jpnPage)).classification, { timeout: UI_TIMEOUT }).toBe('UNCLASSIFIED');
    const before = await banner(jpnPage);

    const hi = makeLabel(jpn.registry, { policy: 'JPN', classification: 'HI', relTo: ['JPN', 'USA'], owner: 'JPN' });
    // plain-TCP clients are cleared to the lowest class only (tcpClearance), so HI comes from the node's own feed
    await jpn.publishLocal(sa('E2E-HI', 'HI-TRACK', { point: { lat: 33, lon: 135, hae: 0, ce: 5, le: 5 } }), hi);
    await expect.poll(async () => (await banner(jpnPage)).classification, { timeout: UI_TIMEOUT }).toBe('HI');
    const mid = await banner(jpnPage);
    expect(mid.text).not.toBe(before.text);
    expect(mid.text).toBe(trackMessages(jpnFrames, 'E2E-HI')[0]!.label.marking);
    expect(mid.color).not.toBe(before.color);

    const secret = makeLabel(usa.registry, { policy: 'USA', classification: 'SECRET', relTo: ['USA', 'JPN'], owner: 'USA' });
    await usa.publishLocal(sa('E2E-USA-SECRET', 'EAGLE-7', { point: { lat: 31, lon: 139, hae: 9000, ce: 5, le: 5 }, type: 'a-f-A-M-F' }), secret);
    await waitForTrackCount(jpnPage, 3);
    const arrived = trackMessages(jpnFrames, 'E2E-USA-SECRET')[0]!;
    expect(arrived.origin).toBe('USA');
    expect(arrived.label.rank).toBeGreaterThan(trackMessages(jpnFrames, 'E2E-HI')[0]!.label.rank);
    await expect.poll(async () => (await banner(jpnPage)).classification, { timeout: UI_TIMEOUT }).toBe(arrived.label.classification);
    const after = await banner(jpnPage);
    expect(after.classification).not.toBe('HI');
    // the banner is the combined high-water mark: same class and REL TO set as the track (order may differ)
    const relSet = (marking: string) => (marking.split('REL TO ')[1] ?? '').split(',').map((x) => x.trim()).sort();
    expect(after.text.startsWith(`${arrived.label.classification}//`)).toBe(true);
    expect(relSet(after.text)).toEqual(relSet(arrived.label.marking));
    expect(relSet(after.text)).toEqual(['JPN', 'USA']);
    expect(after.color).not.toBe(mid.color);
    expect(await byTestId(jpnPage, 'banner-bottom').textContent()).toBe(after.text);
  });

  it('a USA-only (NOFORN) track reaches the USA page but never the JPN page: checked on raw WebSocket frames', async () => {
    await login(usaPage, base(usa), 'usa-coord');
    const noforn = makeLabel(usa.registry, { policy: 'USA', classification: 'SECRET', relTo: ['USA'], owner: 'USA' });
    const releasable = makeLabel(usa.registry, { policy: 'USA', classification: 'UNCLASSIFIED', relTo: ['USA', 'JPN'], owner: 'USA' });
    const secretEv = sa('E2E-NOFORN-UID', 'NOFORN-CALLSIGN', { detailXml: '<contact callsign="NOFORN-CALLSIGN"/><remarks>noforn-remark-text</remarks>', point: { lat: 30, lon: 136, hae: 0, ce: 5, le: 5 } });
    await usa.publishLocal(secretEv, noforn);
    // published after the NOFORN one on the same node: once this marker is on the JPN page, the feed moved past it
    await usa.publishLocal(sa('E2E-USA-MARKER', 'MARKER-1', { point: { lat: 30.5, lon: 136.5, hae: 0, ce: 5, le: 5 } }), releasable);

    await waitFor(() => trackMessages(usaFrames, 'E2E-NOFORN-UID').length > 0, 'NOFORN track on the USA page', UI_TIMEOUT);
    expect(trackMessages(usaFrames, 'E2E-NOFORN-UID')[0]!.label.marking).toContain('NOFORN');
    await waitFor(() => trackMessages(jpnFrames, 'E2E-USA-MARKER').length > 0, 'releasable USA marker on the JPN page', UI_TIMEOUT);
    await waitFor(() => usa.federation.status().every((p) => p.outboxDepth === 0), 'USA federation outbox drained', UI_TIMEOUT);
    await sleep(1500);

    expect(jpnFrames.length).toBeGreaterThan(3);
    for (const f of jpnFrames) {
      expect(f).not.toContain('E2E-NOFORN-UID');
      expect(f).not.toContain('NOFORN-CALLSIGN');
      expect(f).not.toContain('noforn-remark-text');
      expect(f).not.toContain('NOFORN');
    }
    expect(await jpn.store.events.getLatest('E2E-NOFORN-UID')).toBeUndefined();
    expect(await jpnPage.locator('body').textContent()).not.toContain('NOFORN-CALLSIGN');
    // USA sees all five tracks so far (JPN's two releasable ones included); JPN sees four
    await waitForTrackCount(usaPage, 5);
    expect(await jpnPage.evaluate(() => (globalThis as unknown as { __kizuna: { trackCount(): number } }).__kizuna.trackCount())).toBe(4);
  });

  it('saves a screenshot of the map with the exercise picture (symbols of both nations)', async () => {
    const now = Date.now();
    for (const unit of BILATERAL) {
      const node = unit.owner === 'JPN' ? jpn : usa;
      const label = makeLabel(node.registry, { policy: unit.owner, classification: unit.label.classification, relTo: unit.label.relTo, owner: unit.owner });
      await node.publishLocal(unitEvent(unit, now, ''), label);
    }
    const releasableFromUsa = BILATERAL.filter((u) => u.owner === 'USA' && u.label.relTo.includes('JPN')).length;
    const ownJpn = BILATERAL.filter((u) => u.owner === 'JPN').length;
    // ALPHA, HI, the USA SECRET and the USA marker from the earlier tests; USA-only units never arrive
    const expected = 4 + ownJpn + releasableFromUsa;
    expect(releasableFromUsa).toBeLessThan(BILATERAL.filter((u) => u.owner === 'USA').length);
    await waitForShown(jpnPage, expected);
    await waitForTrackCount(usaPage, 5 + BILATERAL.filter((u) => u.owner === 'USA' || u.label.relTo.includes('USA')).length);
    expect(await jpnPage.evaluate(() => (globalThis as unknown as { __kizuna: { trackCount(): number } }).__kizuna.trackCount())).toBe(expected);
    await sleep(1000); // let the last overlay redraw reach the screen before the picture
    const file = await screenshot(jpnPage, 'map.png');
    expect(file).toMatch(/map\.png$/);
  });

  it('declutters a crowded spot (one symbol, the rest dots) and shows every symbol when switched off, remembered after a reload', async () => {
    const probe = (read: 'dotCount' | 'shownCount') => jpnPage.evaluate(`window.__kizuna.${read}()`) as Promise<number>;
    const before = await probe('shownCount');
    // the exercise picture may itself have a crowded cell (its positions depend on the clock); it is static
    // from here on, so the crowd below adds exactly its own dots
    const dotsBefore = await probe('dotCount');
    const label = makeLabel(jpn.registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'], owner: 'JPN' });
    // six tracks within a few hundred metres (one screen cell at the opening zoom), far from everything else
    for (let i = 0; i < 6; i++) {
      await jpn.publishLocal(sa(`E2E-CROWD-${i}`, `CROWD-${i}`, { point: { lat: 40 + i * 0.002, lon: 150 + i * 0.002, hae: 0, ce: 5, le: 5 } }), label);
    }
    await waitForShown(jpnPage, before + 6);
    await expect.poll(() => probe('dotCount'), { timeout: UI_TIMEOUT }).toBe(dotsBefore + 5);
    const box = byTestId(jpnPage, 'display-declutter');
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await expect.poll(() => probe('dotCount'), { timeout: UI_TIMEOUT }).toBe(0);
    expect(await probe('shownCount')).toBe(before + 6);
    await jpnPage.reload();
    await waitForShown(jpnPage, before + 6);
    expect(await byTestId(jpnPage, 'display-declutter').isChecked()).toBe(false);
    expect(await probe('dotCount')).toBe(0);
    await byTestId(jpnPage, 'display-declutter').check();
    await expect.poll(() => probe('dotCount'), { timeout: UI_TIMEOUT }).toBe(dotsBefore + 5);
  });
});
