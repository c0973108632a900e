import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { request } from '../../src/marti/test-support.js';
import { waitFor } from '../support/node-harness.js';
import { useTestNode } from '../support/node-fixture.js';
import type { TestTakClient } from '../support/tak-client.js';
import { certFor, json, labelOf, marti, missionCot, takUser, type Id, type Node } from './support.js';

type MissionJson = { name: string; guid: string; token?: string; ownerRole?: { type: string }; classification: string; passwordProtected: boolean; keywords: string[]; contents: { data: { hash: string } }[]; uids: { data: string; details: { callsign: string } }[]; defaultRole: { type: string; permissions: string[] } };
type List = { version: string; type: string; nodeId: string; data: MissionJson[] };

/**
 * The Mission API as ATAK Data Sync and CloudTAK (@tak-ps/node-tak TAKAPI) call it: HTTPS with a client
 * certificate on the Marti port, the subscription token in `MissionAuthorization`, notifications on the
 * streaming port.
 */
describe('Mission API (Data Sync) on a real node', () => {
  let node: Node;
  let alice: Id; // JPN, creates missions
  let bob: Id; // JPN, subscribes
  let sam: Id; // USA certificate: sees only what is releasable to USA
  let bobTak: TestTakClient;
  let aliceTak: TestTakClient;
  let aliceToken = '';
  let bobToken = '';
  const A = 'ANDROID-alice';
  const B = 'ANDROID-bob';

  useTestNode({ nation: 'JPN' }, (n) => (node = n));
  beforeAll(async () => {
    ({ id: alice, tak: aliceTak } = await takUser(node, 'alice', 'JPN')); // uid A
    ({ id: bob, tak: bobTak } = await takUser(node, 'bob', 'JPN')); // uid B
    sam = await certFor(node, 'sam', 'USA');
    await waitFor(() => node.tak.clientCount === 2 && [...node.tak.connections()].every((c) => c.uid), 'two identified clients');
  }, 60_000);
  afterAll(() => {
    aliceTak?.close();
    bobTak?.close();
  });

  it('lists missions (empty) in TAK Server shape instead of 404', async () => {
    const r = await marti(node, alice, 'GET', '/Marti/api/missions');
    expect(r.status).toBe(200);
    expect(json<List>(r)).toMatchObject({ version: '3', type: 'Mission', data: [] });
  });

  it('creates a mission (201, owner token and role), announces it with t-x-m-n, gets it by name and guid', async () => {
    const label = labelOf(node, { relTo: ['JPN', 'USA'] });
    const r = await marti(node, alice, 'POST', `/Marti/api/missions/ops?creatorUid=${A}&description=Ops&tool=public&group=Cyan`, { label });
    expect(r.status).toBe(201);
    const m = json<List>(r).data[0]!;
    expect(m).toMatchObject({ name: 'ops', ownerRole: { type: 'MISSION_OWNER' }, passwordProtected: false, defaultRole: { type: 'MISSION_SUBSCRIBER' } });
    expect(m.guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.classification).toContain('UNCLASSIFIED');
    aliceToken = m.token!;
    expect(aliceToken.length).toBeGreaterThan(20);
    await waitFor(() => bobTak.byType('t-x-m-n').some((e) => e.detailXml.includes('name="ops"')), 't-x-m-n');
    const byGuid = await marti(node, bob, 'GET', `/Marti/api/missions/guid/${m.guid}`);
    expect(json<List>(byGuid).data[0]!.name).toBe('ops');
    // national-only mission for the hiding tests
    expect((await marti(node, alice, 'POST', `/Marti/api/missions/national?creatorUid=${A}`, { label: labelOf(node, { relTo: ['JPN'] }) })).status).toBe(201);
  });

  it('subscribes with a token (MissionAuthorization first, then Authorization) and lists roles', async () => {
    const r = await marti(node, bob, 'PUT', `/Marti/api/missions/ops/subscription?uid=${B}`);
    expect(r.status).toBe(201);
    const s = json<{ type: string; data: { token: string; clientUid: string; role: { type: string; permissions: string[] } } }>(r);
    expect(s.type).toBe('com.bbn.marti.sync.model.MissionSubscription');
    expect(s.data).toMatchObject({ clientUid: B, role: { type: 'MISSION_SUBSCRIBER', permissions: ['MISSION_READ', 'MISSION_WRITE'] } });
    bobToken = s.data.token;
    const role = await marti(node, bob, 'GET', '/Marti/api/missions/ops/role', { headers: { authorization: `Bearer ${bobToken}` } });
    expect(json<{ data: { type: string } }>(role).data.type).toBe('MISSION_SUBSCRIBER');
    // MissionAuthorization wins over Authorization
    const both = await marti(node, bob, 'GET', '/Marti/api/missions/ops/role', { token: aliceToken, headers: { authorization: `Bearer ${bobToken}` } });
    expect(json<{ data: { type: string } }>(both).data.type).toBe('MISSION_OWNER');
    const uids = json<{ data: string[] }>(await marti(node, alice, 'GET', '/Marti/api/missions/ops/subscriptions', { token: aliceToken }));
    expect(uids.data.sort()).toEqual([A, B].sort());
    const roles = json<{ data: { clientUid: string; role: { type: string }; token?: string }[] }>(await marti(node, alice, 'GET', '/Marti/api/missions/ops/subscriptions/roles', { token: aliceToken }));
    expect(roles.data.map((x) => `${x.clientUid}:${x.role.type}`).sort()).toEqual([`${A}:MISSION_OWNER`, `${B}:MISSION_SUBSCRIBER`].sort());
    expect(roles.data.every((x) => x.token === undefined)).toBe(true);
    // a subscription (with its token) is read only by its holder: bob cannot take the owner's token
    const own = await marti(node, bob, 'GET', `/Marti/api/missions/ops/subscription?uid=${B}`, { token: bobToken });
    expect(json<{ data: { token: string } }>(own).data.token).toBe(bobToken);
    const other = await marti(node, bob, 'GET', `/Marti/api/missions/ops/subscription?uid=${A}`, { token: bobToken });
    expect(other.status).toBe(404);
    expect(other.body.toString()).not.toContain(aliceToken);
  });

  it('adds a file by hash: subscribers get t-x-m-c with the content resource; the change is listed', async () => {
    const body = Buffer.from(`plan ${randomUUID()}`);
    const up = await request(node.ready.https, { method: 'POST', path: '/Marti/sync/upload?name=plan.txt&CreatorUid=' + A, ca: node.pki.caCertPem, id: alice, headers: { 'content-type': 'text/plain' }, body });
    expect(up.status).toBe(200);
    const hash = createHash('sha256').update(body).digest('hex');
    const r = await marti(node, alice, 'PUT', `/Marti/api/missions/ops/contents?creatorUid=${A}`, { token: aliceToken, body: { hashes: [hash] } });
    expect(r.status).toBe(200);
    expect(json<List>(r).data[0]!.contents.map((c) => c.data.hash)).toEqual([hash]);
    await waitFor(() => bobTak.byType('t-x-m-c').some((e) => e.detailXml.includes(hash)), 't-x-m-c for the file');
    const ch = bobTak.byType('t-x-m-c').find((e) => e.detailXml.includes(hash))!;
    expect(ch.detailXml).toMatch(/<mission type="CHANGE" tool="public" name="ops" guid="[^"]+" authorUid="ANDROID-alice"><MissionChanges><MissionChange><contentResource>/);
    expect(ch.detailXml).toContain('<type>ADD_CONTENT</type>');
    const changes = json<{ type: string; data: { type: string; contentResource?: { hash: string } }[] }>(await marti(node, bob, 'GET', '/Marti/api/missions/ops/changes?secago=600', { token: bobToken }));
    expect(changes.type).toBe('MissionChange');
    expect(changes.data.map((c) => c.type)).toEqual(['CREATE_MISSION', 'ADD_CONTENT']);
    // removing it: REMOVE_CONTENT; squashed keeps only the last change per content
    expect((await marti(node, alice, 'DELETE', `/Marti/api/missions/ops/contents?hash=${hash}&creatorUid=${A}`, { token: aliceToken })).status).toBe(200);
    const squashed = json<{ data: { type: string }[] }>(await marti(node, bob, 'GET', '/Marti/api/missions/ops/changes', { token: bobToken }));
    expect(squashed.data.map((c) => c.type)).toEqual(['CREATE_MISSION', 'REMOVE_CONTENT']);
    const all = json<{ data: { type: string }[] }>(await marti(node, bob, 'GET', '/Marti/api/missions/ops/changes?squashed=false', { token: bobToken }));
    expect(all.data.map((c) => c.type)).toEqual(['CREATE_MISSION', 'ADD_CONTENT', 'REMOVE_CONTENT']);
    const future = json<{ data: unknown[] }>(await marti(node, bob, 'GET', `/Marti/api/missions/ops/changes?start=${new Date(Date.now() + 60_000).toISOString()}`, { token: bobToken }));
    expect(future.data).toEqual([]);
  });

  it('CoT with <marti><dest mission> reaches the subscribers, joins the mission and is served by /cot', async () => {
    const id = `MK-${randomUUID()}`;
    aliceTak.send(missionCot(id, 'ops'));
    await bobTak.waitForUid(id);
    await waitFor(async () => json<List>(await marti(node, bob, 'GET', '/Marti/api/missions/ops', { token: bobToken })).data[0]!.uids.some((u) => u.data === id), 'uid in mission');
    const cot = await marti(node, bob, 'GET', '/Marti/api/missions/ops/cot', { token: bobToken });
    expect(cot.status).toBe(200);
    expect(cot.body.toString()).toMatch(new RegExp(`^<\\?xml[^>]*\\?><events><event[^>]*uid="${id}"`));
    await waitFor(() => bobTak.byType('t-x-m-c').some((e) => e.detailXml.includes(`<contentUid>${id}</contentUid>`)), 't-x-m-c for the uid');
  });

  it('each item keeps its own label: a JPN-only item in a JPN+USA mission is hidden from USA (contents, changes, cot)', async () => {
    const id = `MK-${randomUUID()}`;
    aliceTak.send(missionCot(id, 'ops', labelOf(node, { relTo: ['JPN'] })));
    await waitFor(async () => json<List>(await marti(node, alice, 'GET', '/Marti/api/missions/ops', { token: aliceToken })).data[0]!.uids.some((u) => u.data === id), 'national item in mission');
    const asSam = json<List>(await marti(node, sam, 'GET', '/Marti/api/missions/ops')).data[0]!;
    expect(asSam.uids.map((u) => u.data)).not.toContain(id);
    const samChanges = (await marti(node, sam, 'GET', '/Marti/api/missions/ops/changes?squashed=false')).body.toString();
    expect(samChanges).not.toContain(id);
    expect((await marti(node, sam, 'GET', '/Marti/api/missions/ops/cot')).body.toString()).not.toContain(id);
    expect((await marti(node, bob, 'GET', '/Marti/api/missions/ops/cot', { token: bobToken })).body.toString()).toContain(id);
  });

  it('a hidden mission answers exactly like a missing one: get, guid, subscribe, invite, password, changes, cot, delete, contents, keywords', async () => {
    const national = json<List>(await marti(node, alice, 'GET', '/Marti/api/missions/national')).data[0]!;
    expect(json<List>(await marti(node, sam, 'GET', '/Marti/api/missions')).data.map((m) => m.name)).toEqual(['ops']);
    // each call once for the hidden mission and once for a missing one: `m` names the mission by name or guid
    type Named = { name: string; guid: string };
    const calls: [string, (m: Named) => string][] = [
      ['GET', (m) => `/Marti/api/missions/${m.name}`],
      ['GET', (m) => `/Marti/api/missions/guid/${m.guid}`],
      ['PUT', (m) => `/Marti/api/missions/${m.name}/subscription?uid=S`],
      ['PUT', (m) => `/Marti/api/missions/${m.name}/invite/clientUid/X`],
      ['GET', (m) => `/Marti/api/missions/${m.name}?password=guess`],
      ['PUT', (m) => `/Marti/api/missions/${m.name}/password?password=x`],
      ['GET', (m) => `/Marti/api/missions/${m.name}/changes`],
      ['GET', (m) => `/Marti/api/missions/${m.name}/cot`],
      ['DELETE', (m) => `/Marti/api/missions/${m.name}`],
      ['DELETE', (m) => `/Marti/api/missions?guid=${m.guid}`],
      ['PUT', (m) => `/Marti/api/missions/${m.name}/contents`],
      ['PUT', (m) => `/Marti/api/missions/${m.name}/keywords`],
    ];
    const missingMission: Named = { name: 'nosuch', guid: randomUUID() };
    for (const [method, path] of calls) {
      const [hidden, missing] = [path(national), path(missingMission)];
      const body = hidden.endsWith('/contents') ? { uids: [] } : hidden.endsWith('/keywords') ? ['k'] : undefined;
      const h = await marti(node, sam, method, hidden, { token: aliceToken, ...(body ? { body } : {}) });
      const m = await marti(node, sam, method, missing, { token: aliceToken, ...(body ? { body } : {}) });
      expect([method, hidden, h.status]).toEqual([method, hidden, 404]);
      expect(h.body.toString()).toBe(m.body.toString());
    }
  });

  it('password-protected missions: hidden from the plain list, readable with the password or a token', async () => {
    const r = await marti(node, alice, 'POST', `/Marti/api/missions/locked?creatorUid=${A}&password=s3cret`);
    expect(json<List>(r).data[0]!.passwordProtected).toBe(true);
    expect(json<List>(await marti(node, bob, 'GET', '/Marti/api/missions')).data.map((m) => m.name)).not.toContain('locked');
    expect(json<List>(await marti(node, bob, 'GET', '/Marti/api/missions?passwordProtected=true')).data.map((m) => m.name)).toContain('locked');
    expect((await marti(node, bob, 'GET', '/Marti/api/missions/locked')).status).toBe(403);
    expect((await marti(node, bob, 'GET', '/Marti/api/missions/locked?password=wrong')).status).toBe(403);
    expect((await marti(node, bob, 'PUT', `/Marti/api/missions/locked/subscription?uid=${B}&password=wrong`)).status).toBe(403);
    const sub = await marti(node, bob, 'PUT', `/Marti/api/missions/locked/subscription?uid=${B}&password=s3cret`);
    expect(sub.status).toBe(201);
    const token = json<{ data: { token: string } }>(sub).data.token;
    expect((await marti(node, bob, 'GET', '/Marti/api/missions/locked', { token })).status).toBe(200);
  });

  it('log entries, keywords and invitations', async () => {
    const log = await marti(node, bob, 'POST', '/Marti/api/missions/logs/entries', { token: bobToken, body: { content: 'contact at gate', creatorUid: B, missionNames: ['ops'], dtg: '2026-01-01T00:00:00Z', keywords: ['gate'] } });
    expect(log.status).toBe(201);
    const entry = json<{ type: string; data: { id: string; content: string; missionNames: string[] } }>(log);
    expect(entry.type).toBe('com.bbn.marti.sync.model.LogEntry');
    expect(entry.data).toMatchObject({ content: 'contact at gate', missionNames: ['ops'] });
    const logs = json<{ data: { id: string }[] }>(await marti(node, bob, 'GET', '/Marti/api/missions/ops/log', { token: bobToken }));
    expect(logs.data.map((l) => l.id)).toEqual([entry.data.id]);
    expect((await marti(node, sam, 'GET', `/Marti/api/missions/logs/entries/${entry.data.id}`)).status).toBe(404); // labelled JPN-only by default
    expect((await marti(node, bob, 'DELETE', `/Marti/api/missions/logs/entries/${entry.data.id}`, { token: bobToken })).status).toBe(200);

    const kw = await marti(node, alice, 'PUT', '/Marti/api/missions/ops/keywords', { token: aliceToken, body: ['harbour', 'night'] });
    expect(json<List>(kw).data[0]!.keywords).toEqual(['harbour', 'night']);
    const less = await marti(node, alice, 'DELETE', '/Marti/api/missions/ops/keywords/night', { token: aliceToken });
    expect(json<List>(less).data[0]!.keywords).toEqual(['harbour']);

    const C = 'ANDROID-carol';
    expect((await marti(node, alice, 'PUT', `/Marti/api/missions/ops/invite/clientUid/${B}?creatorUid=${A}&role=MISSION_READONLY_SUBSCRIBER`, { token: aliceToken })).status).toBe(200);
    await waitFor(() => bobTak.byType('t-x-m-i').some((e) => e.detailXml.includes('type="MISSION_READONLY_SUBSCRIBER"')), 't-x-m-i');
    const inv = json<{ data: string[] }>(await marti(node, bob, 'GET', `/Marti/api/missions/all/invitations?clientUid=${B}`));
    expect(inv.data).toEqual(['ops']);
    expect(json<{ data: string[] }>(await marti(node, bob, 'GET', `/Marti/api/missions/all/invitations?clientUid=${C}`)).data).toEqual([]);
  });

  it('only the owner deletes; subscribers get t-x-m-d', async () => {
    expect((await marti(node, bob, 'DELETE', '/Marti/api/missions/ops', { token: bobToken })).status).toBe(403);
    const r = await marti(node, alice, 'DELETE', `/Marti/api/missions/ops?creatorUid=${A}`, { token: aliceToken });
    expect(r.status).toBe(200);
    expect(json<List>(r).data[0]!.name).toBe('ops');
    await waitFor(() => bobTak.byType('t-x-m-d').some((e) => e.detailXml.includes('name="ops"')), 't-x-m-d');
    expect((await marti(node, bob, 'GET', '/Marti/api/missions/ops')).status).toBe(404);
  });
});
