/** GET /api/history: sampled past positions, each event released with its own stored label. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityLabel } from '../labels/types.js';
import type { StoredEvent } from '../store/types.js';
import { appendAdmitted } from '../../test/support/admitted.js';
import { cotXml, startBench, storedEvent, type Bench } from './test-support.js';

let b: Bench;
let viewer: string;
const NOW = Date.now();
const MIN = 60_000;

/** A stored event as it was at `time`, at (lat, lon): the XML carries the same instant. */
function pastEvent(uid: string, time: number, lat: number, label: SecurityLabel, extra: { origin?: string; callsign?: string } = {}): StoredEvent {
  const e = storedEvent({ uid, label, ...extra });
  const iso = new Date(time).toISOString();
  const xml = cotXml({ uid, lat, lon: 139, label, ...(extra.callsign ? { callsign: extra.callsign } : {}) }).replace(/(time|start)="[^"]+"/g, `$1="${iso}"`);
  return { ...e, time, receivedAt: time, stale: time + 10 * MIN, xml };
}

beforeAll(async () => {
  b = await startBench();
  viewer = await b.login('viewer');
  const L = b.labels;
  await appendAdmitted(b.store, [
    pastEvent('ship-1', NOW - 50 * MIN, 30, L.jpnUnclass),
    pastEvent('ship-1', NOW - 20 * MIN, 31, L.jpnUnclass),
    // relabelled to USA eyes only in between: that sample must stay hidden
    pastEvent('ship-1', NOW - 10 * MIN, 32.5, L.usaOnly),
    pastEvent('usa-only-uid', NOW - 30 * MIN, 33, L.usaOnly, { origin: 'USA', callsign: 'NOFORN-CS' }),
    pastEvent('usa-rel', NOW - 30 * MIN, 34, L.usaRelJpn, { origin: 'USA' }),
  ]);
});
afterAll(() => b?.stop());

describe('GET /api/history', () => {
  it('returns the releasable past positions, oldest first, and nothing the user may not see', async () => {
    const r = await b.call('GET', `/api/history?since=${NOW - 60 * MIN}&until=${NOW}&step=60000`, { token: viewer });
    expect(r.status).toBe(200);
    expect(r.json.items.map((t: { uid: string; lat: number }) => [t.uid, t.lat])).toEqual([
      ['ship-1', 30],
      ['usa-rel', 34],
      ['ship-1', 31],
    ]);
    expect(r.json.items[0].time).toBe(new Date(NOW - 50 * MIN).toISOString());
    expect(r.text).not.toContain('NOFORN');
    expect(r.text).not.toContain('usa-only-uid');
    // the hidden sample's latitude as a JSON number anywhere (a plain substring also matches times like 13:35:32.575Z)
    expect(r.text).not.toMatch(/[:,[]32\.5[,\]}]/);
  });

  it('raises the step so a window has at most 720 samples per uid', async () => {
    const r = await b.call('GET', `/api/history?since=${NOW - 24 * 60 * MIN}&until=${NOW}&step=1000`, { token: viewer });
    expect(r.status).toBe(200);
    expect(r.json.step).toBe(120_000);
  });

  it('refuses a window over 24 h, an inverted one, and anonymous callers', async () => {
    expect((await b.call('GET', `/api/history?since=${NOW - 25 * 60 * MIN}&until=${NOW}`, { token: viewer })).status).toBe(400);
    expect((await b.call('GET', `/api/history?since=${NOW}&until=${NOW - 1}`, { token: viewer })).status).toBe(400);
    expect((await b.call('GET', `/api/history?since=x&until=${NOW}`, { token: viewer })).status).toBe(400);
    expect((await b.call('GET', `/api/history?since=${NOW - MIN}&until=${NOW}`)).status).toBe(401);
  });
});
