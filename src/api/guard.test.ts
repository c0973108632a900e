import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Doc } from '../store/types.js';
import { startBench, storedEvent, type Bench } from './test-support.js';

/** Strings that exist only inside objects a JPN user may not see. Any of them in a body is a leak. */
const SECRET_MARKERS = ['usa-only-uid', 'NOFORN-CS', 'usa-only-remark', 'USA EYES ONLY', 'usa-secret-chat', 'USA-000000001-deadbeef'];
const HIGH_MARKERS = ['jpn-gokuhi-uid', 'GOKUHI REQUEST', 'gokuhi-chat'];

let b: Bench;
let admin: string;
let lowop: string;
let gokuhiRequestId: string;
const usaRequestId = 'USA-000000001-deadbeef';

function noLeak(text: string, markers = SECRET_MARKERS): void {
  for (const m of markers) expect(text, `leaked ${m}`).not.toContain(m);
}

beforeAll(async () => {
  b = await startBench();
  admin = await b.login('admin');
  lowop = await b.login('lowop');
  const L = b.labels;
  await b.feed.publish(storedEvent({ uid: 'jpn-hi-uid', label: L.jpnHi }));
  await b.feed.publish(storedEvent({ uid: 'jpn-gokuhi-uid', label: L.jpnGokuhi }));
  await b.feed.publish(storedEvent({ uid: 'usa-rel-uid', label: L.usaRelJpn, origin: 'USA' }));
  await b.feed.publish(storedEvent({ uid: 'usa-only-uid', label: L.usaOnly, origin: 'USA', callsign: 'NOFORN-CS', remarks: 'usa-only-remark' }));

  // A USA-only request replicated into this node (as a faulty peer would): the API must still withhold it.
  const usaDoc: Doc = {
    collection: 'request',
    id: usaRequestId,
    version: 1,
    label: L.usaOnly,
    updatedAt: Date.now(),
    body: {
      owner: 'USA', rev: 1, id: usaRequestId, kind: 'isr', title: 'USA EYES ONLY', description: 'USA EYES ONLY body',
      requester: 'usa-coord', nations: ['JPN', 'USA'], priority: 'immediate', stage: 'submitted', round: 1, createdAt: new Date().toISOString(),
    },
  };
  await b.coordination.applyRemote(usaDoc, 'USA');
  expect(await b.coordination.getRequest(usaRequestId)).toBeDefined();

  const visible = await b.call('POST', '/api/requests', {
    token: admin,
    body: { kind: 'rfi', title: 'HI REQUEST', description: 'ok', nations: ['USA'], priority: 'routine', label: { classification: 'HI', relTo: ['USA'] } },
  });
  expect(visible.status).toBe(200);
  const high = await b.call('POST', '/api/requests', {
    token: admin,
    body: { kind: 'rfi', title: 'GOKUHI REQUEST', description: 'high', nations: ['USA'], priority: 'routine', label: { classification: 'GOKUHI', relTo: ['USA'] } },
  });
  expect(high.status).toBe(200);
  gokuhiRequestId = high.json.id;
  await b.call('POST', '/api/chat/rooms/bilateral/messages', { token: admin, body: { text: 'gokuhi-chat', label: { classification: 'GOKUHI' } } });
  await b.call('POST', '/api/chat/rooms/bilateral/messages', { token: admin, body: { text: 'hi-chat', label: { classification: 'HI' } } });
  await b.call('POST', '/api/calendar', {
    token: admin,
    body: { title: 'GOKUHI REQUEST drill', start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z', participants: ['USA'], label: { classification: 'GOKUHI' } },
  });
  await b.call('POST', '/api/calendar', {
    token: admin,
    body: { title: 'open drill', start: '2030-02-01T00:00:00Z', end: '2030-02-02T00:00:00Z', participants: ['USA'], label: { classification: 'UNCLASSIFIED' } },
  });
});
afterAll(async () => b.stop());

describe('tracks', () => {
  it('lists only releasable tracks, with totals that count only those', async () => {
    const r = await b.call('GET', '/api/tracks', { token: admin });
    expect(r.status).toBe(200);
    expect(r.json.items.map((t: { uid: string }) => t.uid).sort()).toEqual(['jpn-gokuhi-uid', 'jpn-hi-uid', 'usa-rel-uid']);
    expect(r.json.total).toBe(3);
    noLeak(r.text);
    // the USA label reaches the JPN user translated into the JPN policy
    const usa = r.json.items.find((t: { uid: string }) => t.uid === 'usa-rel-uid');
    expect(usa.label.policy).toBe('JPN');
    expect(usa.origin).toBe('USA');
  });

  it('applies the clearance ceiling: a HI-cleared user neither sees nor counts GOKUHI', async () => {
    const r = await b.call('GET', '/api/tracks', { token: lowop });
    const uids = r.json.items.map((t: { uid: string }) => t.uid);
    expect(uids).toContain('jpn-hi-uid');
    expect(uids).not.toContain('jpn-gokuhi-uid');
    expect(r.json.total).toBe(uids.length);
    noLeak(r.text, [...SECRET_MARKERS, ...HIGH_MARKERS]);
  });

  it('filters and pages without counting withheld tracks', async () => {
    const page = await b.call('GET', '/api/tracks?limit=1', { token: admin });
    expect(page.json.items).toHaveLength(1);
    expect(page.json.total).toBe(3);
    const next = await b.call('GET', `/api/tracks?limit=5&after=${page.json.items[0].uid}`, { token: admin });
    expect(next.json.items).toHaveLength(2);
    const usa = await b.call('GET', '/api/tracks?origin=USA', { token: admin });
    expect(usa.json.items.map((t: { uid: string }) => t.uid)).toEqual(['usa-rel-uid']);
    expect(usa.json.total).toBe(1);
  });

  it('answers a withheld track exactly like a missing one', async () => {
    const denied = await b.call('GET', '/api/tracks/usa-only-uid', { token: admin });
    const missing = await b.call('GET', '/api/tracks/never-existed', { token: admin });
    expect(denied.status).toBe(404);
    expect(denied.text).toBe(missing.text);
    const ok = await b.call('GET', '/api/tracks/jpn-hi-uid', { token: admin });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ uid: 'jpn-hi-uid', callsign: 'jpn-hi-uid', course: 90.5, speed: 12.25 });
    expect((await b.call('GET', '/api/tracks/jpn-gokuhi-uid', { token: lowop })).text).toBe(missing.text);
  });
});

describe('requests', () => {
  it('lists only releasable requests', async () => {
    const r = await b.call('GET', '/api/requests', { token: admin });
    expect(r.status).toBe(200);
    const titles = r.json.items.map((x: { title: string }) => x.title);
    expect(titles).toContain('HI REQUEST');
    expect(titles).toContain('GOKUHI REQUEST');
    noLeak(r.text);
    const low = await b.call('GET', '/api/requests', { token: lowop });
    expect(low.json.items.map((x: { title: string }) => x.title)).toEqual(['HI REQUEST']);
    noLeak(low.text, [...SECRET_MARKERS, ...HIGH_MARKERS]);
  });

  it('pages past withheld requests with a cursor that is never a withheld id', async () => {
    const p1 = await b.call('GET', '/api/requests?limit=1', { token: lowop });
    expect(p1.json.items).toHaveLength(1);
    expect(p1.json.next).toBeUndefined();
    const a1 = await b.call('GET', '/api/requests?limit=1', { token: admin });
    expect(a1.json.next).toBe(a1.json.items[0].id);
    const a2 = await b.call('GET', `/api/requests?limit=1&after=${a1.json.next}`, { token: admin });
    expect(a2.json.items).toHaveLength(1);
    expect(a2.json.items[0].id).not.toBe(a1.json.items[0].id);
    expect(a2.json.next).toBeUndefined();
    noLeak(a1.text + a2.text);
  });

  it('GET, every action and comments on a withheld request answer exactly like a missing one', async () => {
    const coord = await b.login('coord');
    const pairs: [string, string][] = [
      ['GET', ''],
      ['POST', '/submit'],
      ['POST', '/concur'],
      ['POST', '/not-concur'],
      ['POST', '/return'],
      ['POST', '/execute'],
      ['POST', '/close'],
      ['POST', '/comments'],
    ];
    for (const [method, suffix] of pairs) {
      const body = method === 'GET' ? {} : { body: suffix === '/comments' ? { text: 'x' } : {} };
      const denied = await b.call(method, `/api/requests/${usaRequestId}${suffix}`, { token: coord, ...body });
      const missing = await b.call(method, `/api/requests/JPN-000000000-00000000${suffix}`, { token: coord, ...body });
      expect(denied.status, `${method} ${suffix}`).toBe(404);
      expect(denied.text).toBe(missing.text);
    }
    // nothing was recorded for the withheld request
    const bundle = await b.coordination.getRequest(usaRequestId);
    expect(bundle!.concurrences).toHaveLength(0);
    expect(bundle!.comments).toHaveLength(0);
  });

  it('a user cleared to HI cannot act on or even see a GOKUHI request', async () => {
    const r = await b.call('POST', `/api/requests/${gokuhiRequestId}/submit`, { token: lowop, body: {} });
    expect(r.status).toBe(404);
    noLeak(r.text, HIGH_MARKERS);
  });

  it('refuses to create above the writer clearance', async () => {
    const r = await b.call('POST', '/api/requests', {
      token: lowop,
      body: { kind: 'rfi', title: 'too high', description: '', nations: ['USA'], priority: 'routine', label: { classification: 'KIMITSU' } },
    });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('FORBIDDEN');
  });
});

describe('chat, calendar, posture', () => {
  it('chat lists only releasable messages', async () => {
    const admin1 = await b.call('GET', '/api/chat/rooms/bilateral/messages', { token: admin });
    expect(admin1.json.items.map((m: { text: string }) => m.text)).toEqual(['gokuhi-chat', 'hi-chat']);
    const low = await b.call('GET', '/api/chat/rooms/bilateral/messages', { token: lowop });
    expect(low.json.items.map((m: { text: string }) => m.text)).toEqual(['hi-chat']);
    noLeak(low.text, HIGH_MARKERS);
  });

  it('calendar lists only releasable events', async () => {
    const low = await b.call('GET', '/api/calendar', { token: lowop });
    expect(low.json.items.map((e: { title: string }) => e.title)).toEqual(['open drill']);
    noLeak(low.text, HIGH_MARKERS);
    const all = await b.call('GET', '/api/calendar', { token: admin });
    expect(all.json.items).toHaveLength(2);
  });

  it('posture passes the guard and shows both nations', async () => {
    const p = await b.call('GET', '/api/posture', { token: lowop });
    expect(p.status).toBe(200);
    expect(p.json.alliance).toBe('peacetime');
  });

  it('rooms that do not exist are NOT_FOUND', async () => {
    const r = await b.call('GET', '/api/chat/rooms/nope/messages', { token: admin });
    expect(r.status).toBe(404);
  });
});
