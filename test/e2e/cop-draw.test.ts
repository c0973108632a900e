/**
 * Drawing, overlays and alerts in real Chromium against two federated demo nodes (JPN, USA): a drawn polygon
 * reaches a TAK client as u-d-f and the partner node when its label allows, never when it does not; only the
 * holder may delete it; an imported KML shows with its chosen label; an export holds only what was released;
 * an incoming request and a TAK 911 raise notifications.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeLabel } from '../../src/labels/index.js';
import type { KizunaNode } from '../../src/node/node.js';
import { waitFor } from '../support/node-harness.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { base, useAlliance, type Alliance } from './support/alliance.js';
import { DEMO_PASSWORD, UI_TIMEOUT, byTestId, login, screenshot } from './support/browser.js';

let alliance: Alliance;
let jpn: KizunaNode;
let usa: KizunaNode;
let jpnPage: Page;
let usaPage: Page;
let tak: TestTakClient;

async function token(node: KizunaNode, username: string): Promise<string> {
  const r = await fetch(`${base(node)}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  return ((await r.json()) as { token: string }).token;
}
async function rest(node: KizunaNode, tok: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${base(node)}${path}`, { method, headers: { authorization: `Bearer ${tok}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

/** Draws a polygon of three clicks around the map centre and shares it with the given name. */
async function drawPolygon(page: Page, name: string, opts: { withoutUsa?: boolean } = {}): Promise<void> {
  await byTestId(page, 'draw-polygon').click();
  const box = (await byTestId(page, 'map').boundingBox())!;
  const c = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  for (const [dx, dy] of [[-60, -40], [60, -40], [0, 50]] as const) await page.mouse.click(c.x + dx, c.y + dy);
  await byTestId(page, 'draw-finish').click();
  await byTestId(page, 'shape-name').fill(name);
  await byTestId(page, 'shape-label-classification').waitFor({ state: 'visible' });
  if (opts.withoutUsa) await byTestId(page, 'shape-label-relto-USA').uncheck();
  await byTestId(page, 'shape-save').click();
  await byTestId(page, 'shape-panel').waitFor({ state: 'hidden' });
}

const takShape = (name: string) => tak.byType('u-d-f').find((e) => e.callsign === name);

useAlliance('cop-draw', { tak: true }, async (a) => {
  ({ jpn, usa, tak } = a);
  alliance = a;
  jpnPage = await a.newPage();
  usaPage = await a.newPage();
  await login(jpnPage, base(jpn), 'jpn-operator');
  await login(usaPage, base(usa), 'usa-coord');
});

describe('draw, share, import, export and alerts in Chromium', { timeout: 180_000 }, () => {
  let sharedUid = '';

  it('a drawn polygon reaches a TAK client as u-d-f CoT and the partner node (releasable to USA)', async () => {
    await drawPolygon(jpnPage, 'E2E search area');
    await waitFor(() => takShape('E2E search area') !== undefined, 'u-d-f at the TAK client', UI_TIMEOUT);
    const ev = takShape('E2E search area')!;
    sharedUid = ev.uid;
    // ATAK's polygon: vertices as <link point>, closed (first vertex repeated), colours as ARGB ints
    expect(ev.detailXml.match(/<link point="/g)).toHaveLength(4);
    expect(ev.detailXml).toMatch(/<strokeColor value="-?\d+"\/>/);
    expect(ev.detailXml).toContain('<fillColor value=');
    await waitFor(async () => (await usa.store.events.getLatest(sharedUid)) !== undefined, 'shape on the USA node', UI_TIMEOUT);
    // drawn on both maps with its portion mark
    await byTestId(usaPage, `shape-tag-${sharedUid}`).waitFor({ state: 'visible' });
    expect(await byTestId(usaPage, `shape-tag-${sharedUid}`).textContent()).toMatch(/^\(U\/\/REL TO (JPN, USA|USA, JPN)\) E2E search area$/);
    await byTestId(jpnPage, `shape-tag-${sharedUid}`).waitFor({ state: 'visible' });
    await screenshot(jpnPage, 'map-drawn-area.png');
  });

  it('a polygon labelled JPN-only reaches the JPN TAK client but never the USA node', async () => {
    await drawPolygon(jpnPage, 'E2E JPN only', { withoutUsa: true });
    await waitFor(() => takShape('E2E JPN only') !== undefined, 'JPN-only u-d-f at the TAK client', UI_TIMEOUT);
    const hidden = takShape('E2E JPN only')!.uid;
    // a later releasable marker crossing proves the link carried everything sent before it
    await drawPolygon(jpnPage, 'E2E marker after');
    await waitFor(() => takShape('E2E marker after') !== undefined, 'second shape at the TAK client', UI_TIMEOUT);
    const after = takShape('E2E marker after')!.uid;
    await waitFor(async () => (await usa.store.events.getLatest(after)) !== undefined, 'later shape on USA', UI_TIMEOUT);
    expect(await usa.store.events.getLatest(hidden)).toBeUndefined();
    expect(await byTestId(usaPage, `shape-tag-${hidden}`).count()).toBe(0);
  });

  it("another nation's user cannot delete or overwrite the shape (write authority); its holder can delete it", async () => {
    const usaOp = await token(usa, 'usa-operator');
    const del = await rest(usa, usaOp, 'DELETE', `/api/shapes/${encodeURIComponent(sharedUid)}`);
    expect(del.status).toBe(403);
    const put = await rest(usa, usaOp, 'POST', '/api/shapes', { shape: { uid: sharedUid, kind: 'polygon', name: 'HIJACKED', points: [[1, 1], [1, 2], [2, 2]] } });
    expect(put.status).toBe(403);
    // refused looks exactly like missing
    const missing = await rest(usa, usaOp, 'DELETE', '/api/shapes/no-such-shape');
    expect(missing).toEqual(del);
    expect(takShape('HIJACKED')).toBeUndefined();
    expect((await jpn.store.events.getLatest(sharedUid))?.callsign).toBe('E2E search area');

    // the holder deletes it from the map: a t-x-d-d reaches the TAK client; the partner's map drops it
    // both test polygons sit at the map centre, tags overlapping: the click goes to this tag's element
    await byTestId(jpnPage, `shape-tag-${sharedUid}`).dispatchEvent('click');
    await byTestId(jpnPage, 'shape-delete').click();
    await waitFor(() => tak.byType('t-x-d-d').some((e) => e.detailXml.includes(`uid="${sharedUid}"`)), 't-x-d-d at the TAK client', UI_TIMEOUT);
    await byTestId(usaPage, `shape-tag-${sharedUid}`).waitFor({ state: 'detached' });
  });

  it('an imported KML overlay shows every feature with the label chosen at import; a bad file names its problem', async () => {
    await byTestId(jpnPage, 'overlay-import').click();
    await byTestId(jpnPage, 'overlay-file').setInputFiles({ name: 'broken.kml', mimeType: 'application/vnd.google-earth.kml+xml', buffer: Buffer.from('<kml><Document><Placemark></Document></kml>') });
    await expect.poll(() => byTestId(jpnPage, 'overlay-error').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^broken\.kml is not valid KML: .+/);
    const kml = readFileSync(new URL('../fixtures/overlays/naha-port.kml', import.meta.url));
    await byTestId(jpnPage, 'overlay-file').setInputFiles({ name: 'naha-port.kml', mimeType: 'application/vnd.google-earth.kml+xml', buffer: kml });
    await expect.poll(() => byTestId(jpnPage, 'overlay-status').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^3 features ready/);
    await byTestId(jpnPage, 'overlay-label-classification').selectOption('HI');
    await byTestId(jpnPage, 'overlay-import-go').click();
    await byTestId(jpnPage, 'overlay-panel').waitFor({ state: 'hidden' });
    // the line and the polygon are drawn as shapes, the point is a spot marker (a track symbol)
    for (const name of ['Port approach', 'Port fence']) {
      const tag = jpnPage.locator('[data-testid^="shape-tag-"]', { hasText: name });
      await tag.waitFor({ state: 'visible' });
      expect(await tag.textContent()).toMatch(/^\(HI\/\/REL TO (JPN, USA|USA, JPN)\) /);
    }
    await waitFor(async () => (await jpn.store.events.latest({ now: Date.now() })).some((e) => e.callsign === 'Naha LZ'), 'spot marker stored', UI_TIMEOUT);
    const spots = (await jpn.store.events.latest({ now: Date.now() })).filter((e) => e.type === 'b-m-p-s-m' && e.callsign === 'Naha LZ');
    expect(spots).toHaveLength(1);
    expect(spots[0]!.label.classification).toBe('HI');
  });

  it('an export holds what the user sees and nothing the guard withheld, with the banner label in its metadata', async () => {
    const releasable = makeLabel(jpn.registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'], owner: 'JPN' });
    const jpnOnly = makeLabel(jpn.registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['JPN'], owner: 'JPN' });
    await jpn.publishLocal(sa('E2E-EXPORT-REL', 'EXPORT-REL', { point: { lat: 32, lon: 137, hae: 0, ce: 5, le: 5 } }), releasable);
    await jpn.publishLocal(sa('E2E-EXPORT-HIDDEN', 'EXPORT-HIDDEN', { point: { lat: 32.1, lon: 137, hae: 0, ce: 5, le: 5 } }), jpnOnly);
    await waitFor(async () => (await usa.store.events.getLatest('E2E-EXPORT-REL')) !== undefined, 'releasable track on USA', UI_TIMEOUT);
    await usaPage.waitForFunction(() => (globalThis as unknown as { __kizuna: { trackCount(): number } }).__kizuna.trackCount() >= 1, undefined, { timeout: UI_TIMEOUT });
    for (const fmt of ['geojson', 'kml'] as const) {
      const [dl] = await Promise.all([usaPage.waitForEvent('download'), byTestId(usaPage, `export-${fmt}`).click()]);
      const text = readFileSync((await dl.path())!, 'utf8');
      const banner = (await byTestId(usaPage, 'banner-top').textContent()) ?? '';
      expect(text).toContain('EXPORT-REL');
      expect(text).toContain('E2E marker after');
      expect(text).not.toContain('EXPORT-HIDDEN');
      expect(text).not.toContain('E2E JPN only');
      if (fmt === 'geojson') {
        const j = JSON.parse(text) as { metadata: { classification: string }; features: { properties: { uid: string; portion: string } }[] };
        expect(j.metadata.classification).toBe(banner);
        expect(j.features.find((f) => f.properties.uid === 'E2E-EXPORT-REL')?.properties.portion).toMatch(/^\(U\/\/REL TO/);
      } else {
        expect(text).toContain(`<Data name="classification"><value>${banner.replace(/&/g, '&amp;')}</value></Data>`);
      }
    }
  });

  it('a request takes its area from a drawn polygon; the form remembers the kind; the calendar creates and edits events', async () => {
    const uid = takShape('E2E marker after')!.uid;
    await byTestId(jpnPage, `shape-tag-${uid}`).dispatchEvent('click');
    await byTestId(jpnPage, 'shape-use-request').click();
    await byTestId(jpnPage, 'request-form').waitFor({ state: 'visible' });
    expect(await byTestId(jpnPage, 'req-form-area').inputValue()).toBe(uid);
    await byTestId(jpnPage, 'req-form-kind').selectOption('logistics');
    await byTestId(jpnPage, 'req-form-title').fill('E2E area request');
    await byTestId(jpnPage, 'req-form-create').click();
    await expect.poll(() => byTestId(jpnPage, 'request-title').textContent(), { timeout: UI_TIMEOUT }).toBe('E2E area request');
    const tok = await token(jpn, 'jpn-operator');
    const list = (await rest(jpn, tok, 'GET', '/api/requests?limit=200')).json as { items: { title: string; kind: string; area?: { type: string; coordinates: number[][][] } }[] };
    const req = list.items.find((r) => r.title === 'E2E area request')!;
    expect(req.area?.type).toBe('Polygon');
    expect(req.area!.coordinates[0]).toHaveLength(4);
    // the next form starts from the kind chosen last
    await byTestId(jpnPage, 'request-new').click();
    expect(await byTestId(jpnPage, 'req-form-kind').inputValue()).toBe('logistics');
    await byTestId(jpnPage, 'req-form-cancel').click();

    await byTestId(jpnPage, 'desk-tab-calendar').click();
    await byTestId(jpnPage, 'calendar-new').click();
    await byTestId(jpnPage, 'cal-form-title').fill('E2E exercise');
    await byTestId(jpnPage, 'cal-form-start').fill('2026-06-01T09:00');
    await byTestId(jpnPage, 'cal-form-end').fill('2026-06-02T17:00');
    await byTestId(jpnPage, 'cal-form-nation-USA').waitFor({ state: 'visible' });
    await byTestId(jpnPage, 'cal-form-save').click();
    const row = jpnPage.locator('[data-testid^="calendar-row-"]', { hasText: 'E2E exercise' });
    await row.waitFor({ state: 'visible' });
    const id = ((await row.getAttribute('data-testid')) ?? '').replace('calendar-row-', '');
    await byTestId(jpnPage, `calendar-edit-${id}`).click();
    await byTestId(jpnPage, 'cal-form-title').fill('E2E exercise (moved)');
    await byTestId(jpnPage, 'cal-form-save').click();
    await expect.poll(() => byTestId(jpnPage, `calendar-row-${id}`).textContent(), { timeout: UI_TIMEOUT }).toContain('E2E exercise (moved)');
    // the partner sees the edit
    await byTestId(usaPage, 'nav-desk').click();
    await byTestId(usaPage, 'desk-tab-calendar').click();
    await expect.poll(() => byTestId(usaPage, `calendar-row-${id}`).textContent(), { timeout: UI_TIMEOUT }).toContain('E2E exercise (moved)');
    await byTestId(jpnPage, 'nav-map').click();
  });

  it('an incoming request and a TAK 911 raise a toast, the badge and the title', async () => {
    const jpnCoord = await alliance.newPage();
    await login(jpnCoord, base(jpn), 'jpn-coord');
    const usaTok = await token(usa, 'usa-coord');
    const created = await rest(usa, usaTok, 'POST', '/api/requests', { kind: 'hadr', title: 'E2E alert request', description: 'x', nations: ['USA', 'JPN'], priority: 'priority', label: { classification: 'UNCLASSIFIED', relTo: ['USA', 'JPN'] } });
    expect(created.status).toBe(200);
    const id = (created.json as { id: string }).id;
    expect((await rest(usa, usaTok, 'POST', `/api/requests/${id}/submit`, {})).status).toBe(200);
    const reqToast = jpnCoord.locator('[data-testid="alert-toast"][data-kind="request"]');
    await reqToast.waitFor({ state: 'visible' });
    expect(await reqToast.textContent()).toContain('New request from USA: E2E alert request');

    // ATAK's 911 from a TAK client, and the feeds' squawk alert shape (uid-9-1-1, 911 Alert, linked aircraft)
    const now = Date.now();
    tak.send({ ...sa('E2E-UNIT-9-1-1', 'E2E-UNIT-Alert'), type: 'b-a-o-tbl', time: new Date(now).toISOString(), start: new Date(now).toISOString(), stale: new Date(now + 600_000).toISOString(), detailXml: '<link uid="E2E-UNIT" relation="p-p" type="a-f-G-U-C"/><contact callsign="E2E-UNIT-Alert"/><emergency type="911 Alert">E2E-UNIT</emergency>' });
    const sos = jpnCoord.locator('[data-testid="alert-toast"][data-kind="emergency"]');
    await sos.waitFor({ state: 'visible' });
    expect(await sos.textContent()).toContain('EMERGENCY 911 Alert: E2E-UNIT');
    expect(Number(await byTestId(jpnCoord, 'alerts-badge').textContent())).toBeGreaterThanOrEqual(2);
    expect(await jpnCoord.title()).toMatch(/^\(\d+\) /);
    await byTestId(jpnCoord, 'alerts-button').click();
    expect(await byTestId(jpnCoord, 'alerts-list').textContent()).toContain('E2E alert request');
    await screenshot(jpnCoord, 'alerts.png');
    // the cancel removes the emergency toast
    tak.send({ ...sa('E2E-UNIT-9-1-1', 'E2E-UNIT-Alert'), type: 'b-a-o-can', detailXml: '<link uid="E2E-UNIT" relation="p-p" type="a-f-G-U-C"/><emergency cancel="true">E2E-UNIT</emergency>' });
    await sos.waitFor({ state: 'detached' });
  });
});
