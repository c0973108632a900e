/**
 * /api/shapes against a real node: a drawing is stored as its ATAK CoT with the chosen label; only its holder
 * changes or deletes it (a second operator of the same nation is refused exactly like for a missing shape);
 * viewers cannot draw; sizes are bounded before any work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCotXml } from '../../src/cot/xml.js';
import { startTestNode } from '../support/node-harness.js';
import { loginToken } from '../support/http.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
let node: Node;
const tokens: Record<string, string> = {};
const PASSWORD = 'correct-horse-battery';

async function call(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`http://127.0.0.1:${node.ready.http}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[user]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

const polygon = (name: string, uid?: string) => ({ shape: { ...(uid ? { uid } : {}), kind: 'polygon', name, points: [[26, 127], [26, 127.1], [26.1, 127.1]], color: '#ff0000' } });

beforeAll(async () => {
  const users = ['op-a', 'op-b', 'viewer', 'coord'].map((u) => ({ username: u, password: PASSWORD, role: (u.startsWith('op') ? 'operator' : u === 'coord' ? 'coordinator' : 'viewer') as 'operator' }));
  node = await startTestNode({ seedUsers: users });
  for (const u of users) {
    tokens[u.username] = await loginToken(node.ready.http, u.username, PASSWORD);
  }
}, 60_000);

afterAll(async () => {
  await node?.stop();
});

describe('/api/shapes', () => {
  it('stores the drawing as ATAK CoT with the label the user chose; the picture carries its geometry', async () => {
    const r = await call('op-a', 'POST', '/api/shapes', { ...polygon('Area A'), label: { classification: 'HI', relTo: ['JPN'] } });
    expect(r.status).toBe(200);
    const uid = (r.json as { uids: string[] }).uids[0]!;
    const stored = (await node.store.events.getLatest(uid))!;
    expect(stored.type).toBe('u-d-f');
    expect(stored.label.classification).toBe('HI');
    const ev = parseCotXml(stored.xml);
    expect(ev.callsign).toBe('Area A');
    const view = (await call('op-b', 'GET', `/api/tracks/${uid}`)).json as { shape: { kind: string; points: unknown[]; stroke: string } };
    expect(view.shape).toMatchObject({ kind: 'polygon', stroke: '#ff0000' });
    expect(view.shape.points).toHaveLength(4);
  });

  it('another operator of the same nation can neither overwrite nor delete it; refused answers like missing; the holder can', async () => {
    const uid = ((await call('op-a', 'POST', '/api/shapes', polygon('Mine'))).json as { uids: string[] }).uids[0]!;
    const overwrite = await call('op-b', 'POST', '/api/shapes', polygon('Theirs', uid));
    expect(overwrite.status).toBe(403);
    const del = await call('op-b', 'DELETE', `/api/shapes/${uid}`);
    const missing = await call('op-b', 'DELETE', '/api/shapes/kz-shape-none');
    expect(del.status).toBe(403);
    expect(missing).toEqual(del);
    expect((await node.store.events.getLatest(uid))?.callsign).toBe('Mine');
    // the holder edits and deletes; an unlabelled edit keeps the label
    expect((await call('op-a', 'POST', '/api/shapes', polygon('Mine, renamed', uid))).status).toBe(200);
    expect((await node.store.events.getLatest(uid))?.callsign).toBe('Mine, renamed');
    expect((await call('op-a', 'DELETE', `/api/shapes/${uid}`)).status).toBe(200);
    expect(await node.store.events.getLatest(uid)).toBeUndefined();
  });

  it('viewers cannot draw; nobody labels above their clearance', async () => {
    expect((await call('viewer', 'POST', '/api/shapes', polygon('V'))).status).toBe(403);
    const low = await call('op-a', 'POST', '/api/shapes', { ...polygon('Too high'), label: { classification: 'NO-SUCH-LEVEL' } });
    expect(low.status).toBeGreaterThanOrEqual(400);
  });

  it('bounded: vertices per shape, shapes per import, radius, uid form', async () => {
    const many = Array.from({ length: 2001 }, (_, i) => [26 + i / 1e5, 127]);
    expect((await call('op-a', 'POST', '/api/shapes', { shape: { kind: 'line', name: 'x', points: many } })).status).toBe(400);
    const shapes = Array.from({ length: 501 }, (_, i) => ({ kind: 'marker', name: `m${i}`, points: [[26, 127]] }));
    expect((await call('op-a', 'POST', '/api/shapes/import', { shapes, label: { classification: 'UNCLASSIFIED' } })).status).toBe(400);
    expect((await call('op-a', 'POST', '/api/shapes', { shape: { kind: 'circle', name: 'x', points: [[26, 127]], radius: 1e9 } })).status).toBe(400);
    expect((await call('op-a', 'POST', '/api/shapes', { shape: { kind: 'circle', name: 'x', points: [[26, 127]] } })).status).toBe(400);
    expect((await call('op-a', 'POST', '/api/shapes', polygon('x', '<evil uid>'))).status).toBe(400);
    const ok = await call('op-a', 'POST', '/api/shapes/import', { shapes: shapes.slice(0, 3), label: { classification: 'UNCLASSIFIED' } });
    expect((ok.json as { uids: string[] }).uids).toHaveLength(3);
  });
});

describe('POST /api/calendar/:id (edit)', () => {
  const ev = (title: string) => ({ title, start: '2026-05-01T00:00:00.000Z', end: '2026-05-02T00:00:00.000Z', participants: ['JPN'] });
  it('the author and a coordinator edit; another operator is refused; a missing id is not found; the label stays', async () => {
    const created = await call('op-a', 'POST', '/api/calendar', { ...ev('Drill'), label: { classification: 'HI' } });
    expect(created.status).toBe(200);
    const id = (created.json as { id: string }).id;
    expect((await call('op-b', 'POST', `/api/calendar/${id}`, ev('Hijacked'))).status).toBe(403);
    const mine = await call('op-a', 'POST', `/api/calendar/${id}`, ev('Drill, moved'));
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ id, title: 'Drill, moved', label: { classification: 'HI' } });
    expect((await call('coord', 'POST', `/api/calendar/${id}`, ev('Drill, by coordinator'))).status).toBe(200);
    expect((await call('op-a', 'POST', '/api/calendar/JPN-nope', ev('x'))).status).toBe(404);
    expect((await call('op-a', 'POST', `/api/calendar/${id}`, { ...ev('bad'), end: '2026-04-01T00:00:00.000Z' })).status).toBe(400);
  });
});
