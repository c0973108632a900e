/**
 * /api/missions against real nodes: browser users reach the Mission API's own service with a session. The
 * listing and every route go through the release guard (a mission above a user's clearance, or a national
 * mission on the partner's node, is not there: hidden answers exactly like missing), subscribing and adding
 * content take an operator, and content is only what the user can see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, waitFor, type NodePair } from '../support/index.js';
import { startTestNode } from '../support/node-harness.js';
import { certFor, json, labelOf, marti, type Id, type Node } from '../missions/support.js';
import { loginToken } from '../support/http.js';

const PASSWORD = 'correct-horse-battery';
type Mission = { name: string; subscribed: boolean; classification: string; classificationJa: string; tracks: { uid: string; callsign: string }[]; logs?: unknown[] };

async function login(node: Node, username: string, password = PASSWORD): Promise<string> {
  return loginToken(node.ready.http, username, password);
}

function caller(node: Node, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: unknown }> => {
    const r = await fetch(`http://127.0.0.1:${node.ready.http}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, text, json: text ? JSON.parse(text) : undefined };
  };
}
type Call = ReturnType<typeof caller>;
const names = async (call: Call) => ((await call('GET', '/api/missions')).json as { missions: Mission[] }).missions.map((m) => m.name).sort();

describe('/api/missions on one node', () => {
  let node: Node;
  let alice: Id;
  const as: Record<string, Call> = {};

  beforeAll(async () => {
    const users = [
      { username: 'op-a', password: PASSWORD, role: 'operator' as const },
      { username: 'viewer', password: PASSWORD, role: 'viewer' as const },
      { username: 'low-op', password: PASSWORD, role: 'operator' as const, clearance: 'UNCLASSIFIED' },
    ];
    node = await startTestNode({ nation: 'JPN', seedUsers: users });
    for (const u of users) as[u.username] = caller(node, await login(node, u.username));
    alice = await certFor(node, 'alice', 'JPN');
    expect((await marti(node, alice, 'POST', '/Marti/api/missions/ops?creatorUid=ANDROID-alice&description=Ops', { label: labelOf(node, { relTo: ['JPN', 'USA'] }) })).status).toBe(201);
    expect((await marti(node, alice, 'POST', '/Marti/api/missions/hi-ops?creatorUid=ANDROID-alice', { label: labelOf(node, { classification: 'HI', relTo: ['JPN'] }) })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('lists the missions created over the Marti API that each user may see', async () => {
    expect(await names(as['op-a']!)).toEqual(['hi-ops', 'ops']);
    expect(await names(as['viewer']!)).toEqual(['hi-ops', 'ops']);
    expect(await names(as['low-op']!)).toEqual(['ops']);
  });

  it('each mission carries its marking in English and in Japanese, as the server renders them (the panel never composes one)', async () => {
    const list = ((await as['op-a']!('GET', '/api/missions')).json as { missions: Mission[] }).missions;
    const hi = list.find((m) => m.name === 'hi-ops')!;
    expect(hi.classification).toMatch(/^HI\b/);
    expect(hi.classificationJa).toMatch(/^秘\/\//);
    const ops = list.find((m) => m.name === 'ops')!;
    expect(ops.classificationJa).toMatch(/^秘密区分なし/);
    expect(((await as['op-a']!('GET', '/api/missions/hi-ops')).json as Mission).classificationJa).toBe(hi.classificationJa);
    // TAK clients get TAK Server's JSON, without the panel's field
    const tak = json<{ data: Record<string, unknown>[] }>(await marti(node, alice, 'GET', '/Marti/api/missions/hi-ops')).data[0]!;
    expect(tak).not.toHaveProperty('classificationJa');
  });

  it('a mission above the user’s clearance answers exactly like a missing one, on every route', async () => {
    const low = as['low-op']!;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['POST', '/subscription', undefined],
      ['DELETE', '/subscription', undefined],
      ['POST', '/contents', { uid: 'anything' }],
    ] as const) {
      const hidden = await low(method, `/api/missions/hi-ops${suffix}`, body);
      const missing = await low(method, `/api/missions/no-such-mission${suffix}`, body);
      expect(hidden.status, `${method} ${suffix}`).toBe(404);
      expect(hidden.text).toBe(missing.text);
    }
  });

  it('viewers read but cannot subscribe or add; an operator subscribes and unsubscribes', async () => {
    const detail = await as['viewer']!('GET', '/api/missions/ops');
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({ name: 'ops', subscribed: false, tracks: [], logs: [] });
    expect((await as['viewer']!('POST', '/api/missions/ops/subscription')).status).toBe(403);
    expect((await as['viewer']!('POST', '/api/missions/ops/contents', { uid: 'x' })).status).toBe(403);

    expect((await as['op-a']!('POST', '/api/missions/ops/subscription')).status).toBe(200);
    const listed = ((await as['op-a']!('GET', '/api/missions')).json as { missions: Mission[] }).missions.find((m) => m.name === 'ops')!;
    expect(listed.subscribed).toBe(true);
    // the same subscription the Mission API keeps: the owner sees it among the mission's subscribers
    const subs = json<{ data: string[] }>(await marti(node, alice, 'GET', '/Marti/api/missions/ops/subscriptions'));
    expect(subs.data).toContain('kizuna-web:op-a');
    expect((await as['op-a']!('DELETE', '/api/missions/ops/subscription')).status).toBe(200);
    expect(((await as['op-a']!('GET', '/api/missions/ops')).json as Mission).subscribed).toBe(false);
  });

  it('adds a drawn shape the user can see; a track the user cannot see answers like a missing one', async () => {
    const op = as['op-a']!;
    const drawn = await op('POST', '/api/shapes', { shape: { kind: 'marker', name: 'Rally', points: [[26.2, 127.7]] } });
    const uid = (drawn.json as { uids: string[] }).uids[0]!;
    await waitFor(async () => (await node.store.events.getLatest(uid)) !== undefined, 'shape stored');
    expect((await op('POST', '/api/missions/ops/subscription')).status).toBe(200);
    const added = await op('POST', '/api/missions/ops/contents', { uid });
    expect(added.status).toBe(200);
    expect((added.json as Mission).tracks).toMatchObject([{ uid, callsign: 'Rally' }]);
    // also on the Marti side, as the same mission item
    const viaMarti = json<{ data: { uids: { data: string }[] }[] }>(await marti(node, alice, 'GET', '/Marti/api/missions/ops'));
    expect(viaMarti.data[0]!.uids.map((u) => u.data)).toContain(uid);

    const secret = await op('POST', '/api/shapes', { shape: { kind: 'marker', name: 'Secret', points: [[26.3, 127.8]] }, label: { classification: 'HI', relTo: ['JPN'] } });
    const secretUid = (secret.json as { uids: string[] }).uids[0]!;
    await waitFor(async () => (await node.store.events.getLatest(secretUid)) !== undefined, 'secret stored');
    const low = as['low-op']!;
    expect((await low('POST', '/api/missions/ops/subscription')).status).toBe(200);
    const hidden = await low('POST', '/api/missions/ops/contents', { uid: secretUid });
    const missing = await low('POST', '/api/missions/ops/contents', { uid: 'kz-shape-none' });
    expect(hidden.status).toBe(404);
    expect(hidden.text).toBe(missing.text);
    // and the HI item op-a could add is not in what low-op reads
    expect((await op('POST', '/api/missions/ops/contents', { uid: secretUid })).status).toBe(200);
    const lowView = (await low('GET', '/api/missions/ops')).json as Mission;
    expect(lowView.tracks.map((t) => t.uid)).toEqual([uid]);
  });

  it('refuses malformed bodies before any work', async () => {
    expect((await as['op-a']!('POST', '/api/missions/ops/contents', { uid: 'x', extra: 1 })).status).toBe(400);
    expect((await as['op-a']!('POST', '/api/missions/ops/contents', { uid: 'x'.repeat(300) })).status).toBe(400);
  });
});

describe('/api/missions across two nodes', () => {
  let pair: NodePair;
  afterAll(async () => {
    await pair?.stop();
  });

  it('a JPN-only mission is invisible to the USA node’s users; the bilateral one is listed', async () => {
    pair = await startPair('missions-web');
    const jpn = pair.jpn as Node;
    const usa = pair.usa as Node;
    const alice = await certFor(jpn, 'alice', 'JPN');
    expect((await marti(jpn, alice, 'POST', '/Marti/api/missions/jpn-only?creatorUid=ANDROID-alice', { label: labelOf(jpn, { relTo: ['JPN'] }) })).status).toBe(201);
    expect((await marti(jpn, alice, 'POST', '/Marti/api/missions/joint?creatorUid=ANDROID-alice', { label: labelOf(jpn, { relTo: ['JPN', 'USA'] }) })).status).toBe(201);
    const usaOp = caller(usa, await login(usa, 'usa-operator', 'kizuna-demo'));
    await waitFor(async () => (await names(usaOp)).includes('joint'), 'joint listed on USA', 20_000);
    expect(await names(usaOp)).toEqual(['joint']);
    const hidden = await usaOp('GET', '/api/missions/jpn-only');
    const missing = await usaOp('GET', '/api/missions/no-such-mission');
    expect(hidden.status).toBe(404);
    expect(hidden.text).toBe(missing.text);
    const jpnOp = caller(jpn, await login(jpn, 'jpn-operator', 'kizuna-demo'));
    expect(await names(jpnOp)).toEqual(['joint', 'jpn-only']);
  }, 90_000);
});
