/**
 * A federated object's later updates and its delete, sent by its origin node, are accepted by the partner.
 * Before the fix the partner held a federated object as `peer:<nation>` while the write authority expected its
 * origin node (`node:<origin>`), so every update and delete from the origin was refused (WRITE_NOT_HOLDER):
 * a drawn shape, once shared, could never be changed or removed on the partner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type NodePair } from '../support/pair.js';
import { waitFor } from '../support/node-harness.js';

let pair: NodePair;
let token = '';
const url = (path: string) => `http://127.0.0.1:${pair.jpn.ready.http}${path}`;
const post = (path: string, body: unknown) => fetch(url(path), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const shape = (name: string, uid?: string) => ({ shape: { ...(uid ? { uid } : {}), kind: 'polygon', name, points: [[26, 127], [26, 128], [27, 128]] }, label: { classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'] } });

beforeAll(async () => {
  pair = await startPair('fed-update-delete');
  const r = await fetch(url('/api/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'jpn-operator', password: 'kizuna-demo' }) });
  token = ((await r.json()) as { token: string }).token;
}, 120_000);

afterAll(async () => {
  await pair?.stop();
});

describe('federated updates and deletes from the origin node', () => {
  it('a shape drawn on JPN is renamed and then deleted on USA too; the partner holds it as node:JPN', async () => {
    const uid = ((await (await post('/api/shapes', shape('Fed area'))).json()) as { uids: string[] }).uids[0]!;
    await waitFor(async () => (await pair.usa.store.events.getLatest(uid)) !== undefined, 'shape on USA', 30_000);
    expect((await pair.usa.store.events.getLatest(uid))?.originator).toBe('node:JPN');
    expect((await post('/api/shapes', shape('Fed area, renamed', uid))).status).toBe(200);
    await waitFor(async () => (await pair.usa.store.events.getLatest(uid))?.callsign === 'Fed area, renamed', 'update on USA', 30_000);
    const del = await fetch(url(`/api/shapes/${uid}`), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(del.status).toBe(200);
    await waitFor(async () => (await pair.usa.store.events.getLatest(uid)) === undefined, 'delete on USA', 30_000);
  }, 120_000);
});
