import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { type1 } from '../support/ais-encode.js';
import { byTestId, launchChromium, login, newContext, UI_TIMEOUT } from './support/browser.js';
import { ensureWebBuilt } from './support/web-build.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** Chromium: the feed status tab shows an administrator the live counters; an operator has no such tab. */
describe('sensor feed status in the web page', () => {
  let node: Node;
  let browser: Browser;
  beforeAll(async () => {
    await ensureWebBuilt();
    node = await startTestNode({
      nation: 'JPN',
      seedUsers: [
        { username: 'feed-admin', password: 'feed-admin-pass', role: 'administrator' },
        { username: 'feed-op', password: 'feed-op-pass', role: 'operator' },
      ],
      feeds: [{ id: 'ais-harbour', kind: 'ais', transport: 'udp', port: 0, label: { classification: 'UNCLASSIFIED', relTo: ['USA'] } }],
    });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  });

  it('administrator sees the feed connected with its counters; operator does not see the tab', async () => {
    const sock = dgram.createSocket('udp4');
    // the same radio message twice (a second receiver's copy): counted, not a second update
    const copy = type1({ mmsi: 431200001, lat: 35.4, lon: 139.6 });
    const port = node.feeds.get('ais-harbour')!.status().port!;
    await new Promise<void>((r) => sock.send(`${copy}\r\n${copy}\r\nnot nmea at all\r\n`, port, '127.0.0.1', () => r()));
    sock.close();
    await waitFor(() => node.feeds.get('ais-harbour')!.status().written === 1, 'the first update written');
    const base = `http://127.0.0.1:${node.ready.http}`;

    const admin = await (await newContext(browser)).newPage();
    await login(admin, base, 'feed-admin', 'feed-admin-pass');
    await byTestId(admin, 'nav-desk').click();
    await byTestId(admin, 'desk-tab-feeds').click();
    const row = byTestId(admin, 'feed-row-ais-harbour');
    await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toContain('ais-harbour (ais, udp');
    expect(cells[1]).toBe('connected');
    expect(cells[3]).toBe('1'); // the bad line
    expect(cells[5]).toBe('1'); // the receiver copy
    expect(cells[6]).toBe('1 / 0'); // its first update written, none live only yet
    expect(cells[8]).toBe('1'); // one vessel

    const op = await (await newContext(browser)).newPage();
    await login(op, base, 'feed-op', 'feed-op-pass');
    await byTestId(op, 'nav-desk').click();
    await byTestId(op, 'desk-tab-requests').waitFor({ state: 'visible' });
    expect(await byTestId(op, 'desk-tab-feeds').count()).toBe(0);
  }, 300_000);
});
