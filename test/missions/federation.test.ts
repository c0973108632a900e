import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { useDemoNodes, waitFor } from '../support/index.js';
import type { TestTakClient } from '../support/tak-client.js';
import { json, labelOf, marti, missionCot, takUser, type Id, type Node } from './support.js';

type Mission = { name: string; uids: { data: string }[] };
const missionOn = async (node: Node, id: Id, name: string): Promise<Mission | undefined> => {
  const r = await marti(node, id, 'GET', `/Marti/api/missions/${encodeURIComponent(name)}`);
  return r.status === 200 ? json<{ data: Mission[] }>(r).data[0] : undefined;
};

/**
 * A bilateral mission between the JPN and USA nodes: offered to USA because its label allows USA, with its
 * releasable items; a JPN-only item and a JPN-only mission never reach USA; USA's own item flows back.
 */
describe('missions between two nodes', () => {
  let jpn: Node;
  let usa: Node;
  let alice: Id; // on JPN
  let sam: Id; // on USA
  let aliceTak: TestTakClient;
  let samTak: TestTakClient;

  useDemoNodes('pair-missions', { scenario: false }, (n) => ([jpn, usa] = n as [Node, Node]));
  beforeAll(async () => {
    ({ id: alice, tak: aliceTak } = await takUser(jpn, 'alice', 'JPN'));
    ({ id: sam, tak: samTak } = await takUser(usa, 'sam', 'USA'));
    await waitFor(() => [...jpn.tak.connections()].some((c) => c.uid) && [...usa.tak.connections()].some((c) => c.uid), 'clients identified');
  }, 90_000);
  afterAll(() => {
    aliceTak?.close();
    samTak?.close();
  });

  it('offers the bilateral mission and its releasable items to USA, never the national ones', async () => {
    // the national mission first: the federation link keeps order, so once the later one is there, this one was not sent
    expect((await marti(jpn, alice, 'POST', '/Marti/api/missions/jpn-only?creatorUid=ANDROID-alice', { label: labelOf(jpn, { relTo: ['JPN'] }) })).status).toBe(201);
    expect((await marti(jpn, alice, 'POST', '/Marti/api/missions/joint?creatorUid=ANDROID-alice&description=Joint', { label: labelOf(jpn, { relTo: ['JPN', 'USA'] }) })).status).toBe(201);
    await waitFor(async () => (await missionOn(usa, sam, 'joint')) !== undefined, 'joint mission on USA', 20_000);
    expect(await usa.store.missions.missionByName('jpn-only')).toBeUndefined();
    await waitFor(() => samTak.byType('t-x-m-n').some((e) => e.detailXml.includes('name="joint"')), 't-x-m-n on USA');
    expect(samTak.byType('t-x-m-n').some((e) => e.detailXml.includes('jpn-only'))).toBe(false);

    const national = `MK-nat-${randomUUID()}`;
    const shared = `MK-shared-${randomUUID()}`;
    aliceTak.send(missionCot(national, 'joint', labelOf(jpn, { relTo: ['JPN'] })));
    aliceTak.send(missionCot(shared, 'joint', labelOf(jpn, { relTo: ['JPN', 'USA'] })));
    await waitFor(async () => (await missionOn(usa, sam, 'joint'))?.uids.some((u) => u.data === shared) === true, 'shared item on USA', 20_000);
    // the JPN node holds both
    await waitFor(async () => (await missionOn(jpn, alice, 'joint'))?.uids.length === 2, 'both items on JPN');
    // the national item reached USA in no form: not in the mission, its changes or its store
    const onUsa = await missionOn(usa, sam, 'joint');
    expect(onUsa!.uids.map((u) => u.data)).toEqual([shared]);
    const guid = (await usa.store.missions.missionByName('joint'))!.guid;
    expect(JSON.stringify(await usa.store.missions.changes(guid))).not.toContain(national);
    expect(JSON.stringify(await usa.store.missions.items(guid, 'uid'))).not.toContain(national);
    expect(await usa.store.events.getLatest(national)).toBeUndefined();
    expect(samTak.byUid(national)).toEqual([]);
  });

  it("USA's own item joins the mission on both nodes (the partner's write, under each node's authority)", async () => {
    const mine = `MK-usa-${randomUUID()}`;
    const label = labelOf(usa, { relTo: ['USA', 'JPN'] });
    samTak.send(missionCot(mine, 'joint', label));
    await waitFor(async () => (await missionOn(usa, sam, 'joint'))?.uids.some((u) => u.data === mine) === true, 'USA item on USA');
    await waitFor(async () => (await missionOn(jpn, alice, 'joint'))?.uids.some((u) => u.data === mine) === true, 'USA item on JPN', 20_000);
    const guid = (await jpn.store.missions.missionByName('joint'))!.guid;
    const item = await jpn.store.missions.item(guid, 'uid', mine);
    expect(item?.label.owner).toBe('USA');
    // held by the partner's node, the identity its later updates and deletes are judged by (docs/write-authority.md)
    expect(item?.originator).toBe('node:USA');
  });
});
