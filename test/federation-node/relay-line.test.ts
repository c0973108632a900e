import { describe, expect, it } from 'vitest';
import { makeLabel } from '../../src/labels/index.js';
import type { KizunaNode } from '../../src/node/node.js';
import type { StoredEvent } from '../../src/store/types.js';
import { serializeCotXml } from '../../src/cot/xml.js';
import { DELETE } from '../../src/tak/control.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { waitFor } from '../support/node-harness.js';
import { allEvents, api, auditRows, hasUid, jpnLabel, login, openWs, useTrilateral, type Trilateral } from './cluster.js';

/**
 * Trilateral sharing through a partner: three real nodes in a line JPN–USA–PHL (JPN and PHL not linked,
 * each holding the other's binding public key as an `originator`). A JPN track released to PHL reaches
 * PHL through USA, once, in PHL's policy; a JPN track not released to PHL never reaches it; a JPN-only
 * track never leaves JPN. Then the direct JPN–PHL link is added: still exactly one copy at PHL.
 */
const idOf = async (n: KizunaNode, uid: string) => (await allEvents(n)).find((e) => e.uid === uid)!.id;
const withheld = async (n: KizunaNode, id: string, peer: string) => (await auditRows(n, 'fed.withheld')).some((r) => r.body.id === id && r.body.peer === peer);

describe('relay through a partner, three nodes in a line JPN–USA–PHL', () => {
  let c: Trilateral;
  useTrilateral({ JPN: ['USA'], USA: ['JPN', 'PHL'], PHL: ['USA'] }, (t) => (c = t));

  it('trilateral reaches PHL via USA once, in PHL policy; bilateral never reaches PHL; national never leaves JPN', async () => {
    const { jpn, usa, phl } = c;
    const phlTak = await TestTakClient.connect(phl.ready.tcp);
    const token = await login(phl, 'phl-coord');
    const ws = await openWs(phl, token);
    const stamp = Date.now();
    const [tri, bi, nat] = [`JPN-TRI-${stamp}`, `JPN-BI-${stamp}`, `JPN-NAT-${stamp}`];
    try {
      await jpn.publishLocal(sa(nat, 'JPN-NAT'), jpnLabel(jpn.registry, ['JPN']));
      await jpn.publishLocal(sa(bi, 'JPN-BI'), jpnLabel(jpn.registry, ['JPN', 'USA']));
      await jpn.publishLocal(sa(tri, 'JPN-TRI'), jpnLabel(jpn.registry, ['JPN', 'USA', 'PHL'], 'HI'));

      await phlTak.waitForUid(tri, 30_000);
      await waitFor(() => ws.raw.some((f) => f.includes(tri)), 'trilateral on the PHL WebSocket', 30_000);
      await waitFor(() => hasUid(usa, bi), 'bilateral on USA', 20_000);
      // the decisions that keep the others away were made and audited
      await waitFor(async () => withheld(usa, await idOf(usa, bi), 'PHL'), 'USA relay withheld the bilateral from PHL', 20_000);
      await waitFor(async () => withheld(jpn, await idOf(jpn, nat), 'USA'), 'JPN withheld the national from USA', 20_000);

      // trilateral: once at PHL, originator label kept (owner JPN), rendered in PHL policy
      const triAtPhl = (await allEvents(phl)).filter((e) => e.uid === tri);
      expect(triAtPhl).toHaveLength(1);
      expect((await phl.store.events.history(tri)).length).toBe(1);
      expect(triAtPhl[0]!.label).toMatchObject({ policy: 'JPN', classification: 'HI', owner: 'JPN' });
      expect(triAtPhl[0]!.origin).toBe('JPN');
      const tracks = await api<{ items: { uid: string; label: { policy: string; marking: string } }[]; total: number }>(phl, token, 'GET', '/api/tracks');
      const view = tracks.json.items.find((t) => t.uid === tri)!;
      expect(view.label).toMatchObject({ policy: 'PHL', marking: 'CONFIDENTIAL//REL TO JPN, PHL, USA' });
      expect((await auditRows(phl, 'fed.rejected')).filter((r) => r.body.id === triAtPhl[0]!.id)).toEqual([]);

      // bilateral and national: not in PHL's store, TAK stream or REST (items or count); national not on USA
      for (const uid of [bi, nat]) {
        expect(await hasUid(phl, uid), uid).toBe(false);
        expect(phlTak.byUid(uid), uid).toEqual([]);
        expect(ws.raw.some((f) => f.includes(uid)), uid).toBe(false);
        expect(tracks.json.items.some((t) => t.uid === uid), uid).toBe(false);
        expect(JSON.stringify(tracks.json)).not.toContain(uid);
      }
      expect(tracks.json.total).toBe(tracks.json.items.length);
      expect(await hasUid(usa, nat)).toBe(false);
      // nothing went back to its origin
      expect((await jpn.store.events.history(tri)).length).toBe(1);
    } finally {
      phlTak.close();
      ws.close();
    }
  }, 150_000);

  it('a USA track releasable to PHL reaches it directly (the USA–PHL link is the only path)', async () => {
    const uid = `USA-ALL-${Date.now()}`;
    await c.usa.publishLocal(sa(uid, 'USA-ALL'), makeLabel(c.usa.registry, { policy: 'USA', classification: 'UNCLASSIFIED', relTo: ['USA', 'JPN', 'PHL'], owner: 'USA' }));
    await waitFor(() => hasUid(c.phl, uid), 'on PHL', 20_000);
    await waitFor(() => hasUid(c.jpn, uid), 'on JPN', 20_000);
  }, 60_000);

  const latestAt = async (n: KizunaNode, uid: string) => (await n.store.events.latest({ now: 0, includeStale: true, includeDeleted: true, limit: 100_000 })).find((e) => e.uid === uid);
  const rejectedAt = async (n: KizunaNode, id: string) => (await auditRows(n, 'fed.rejected')).filter((r) => r.body.id === id);

  it('the second and third positions and the owner’s delete arrive at PHL; USA’s forged update and delete of the JPN track are refused there', async () => {
    const { jpn, usa, phl } = c;
    const uid = `JPN-MOVE-${Date.now()}`;
    const label = jpnLabel(jpn.registry, ['JPN', 'USA', 'PHL']);
    const at = (lat: number, dt: number) => sa(uid, 'JPN-MOVE', { point: { lat, lon: 139.76, hae: 10, ce: 5, le: 5 }, time: new Date(Date.now() + dt).toISOString(), start: new Date(Date.now() + dt).toISOString() });
    await jpn.publishLocal(at(35.1, 0), label);
    await waitFor(async () => (await latestAt(phl, uid))?.xml.includes('lat="35.1"') === true, 'first position on PHL', 30_000);
    await jpn.publishLocal(at(35.2, 1000), label);
    await waitFor(async () => (await latestAt(phl, uid))?.xml.includes('lat="35.2"') === true, 'second position on PHL', 30_000);
    await jpn.publishLocal(at(35.3, 2000), label);
    await waitFor(async () => (await latestAt(phl, uid))?.xml.includes('lat="35.3"') === true, 'third position on PHL', 30_000);
    expect((await phl.store.events.history(uid)).length).toBe(3);

    // USA forges in its own name: a position and a delete of JPN's track (link-bound by USA, no JPN binding)
    const mine = (await latestAt(usa, uid))!;
    const forgedMove: StoredEvent = { ...mine, origin: 'USA', id: `forged-move-${uid}`, time: mine.time + 5000, xml: mine.xml.replace('lat="35.3"', 'lat="10.0"') };
    const del = { ...sa(uid, 'X'), type: DELETE, time: new Date(mine.time + 6000).toISOString(), detailXml: `<link uid="${uid}" relation="none" type="none"/>` };
    const forgedDelete: StoredEvent = { ...mine, origin: 'USA', id: `forged-del-${uid}`, type: DELETE, time: mine.time + 6000, xml: serializeCotXml(del) };
    // ... and in JPN's name, reusing the originator binding JPN gave the third position (content changed)
    const replayed: StoredEvent = { ...mine, xml: serializeCotXml({ ...del, uid }), type: DELETE, time: mine.time + 7000 };
    for (const ev of [forgedMove, forgedDelete, replayed]) expect(await usa.federation.offer({ kind: 'cot', origin: ev.origin, id: ev.id, event: ev }, undefined, 'PHL'), ev.id).toEqual(['PHL']);
    await waitFor(async () => (await rejectedAt(phl, replayed.id)).some((r) => r.body.code === 'BINDING_INVALID'), 'replayed binding refused at PHL', 30_000);
    // the relay's own forgeries pass the boundary (USA's binding is valid) and the write authority refuses them
    for (const id of [forgedMove.id, forgedDelete.id]) await waitFor(async () => (await rejectedAt(phl, id)).some((r) => r.body.code === 'FORBIDDEN'), `${id} refused at PHL`, 30_000);
    expect((await auditRows(phl, 'write.refused')).filter((r) => r.body.uid === uid).length).toBeGreaterThanOrEqual(2);
    await waitFor(async () => (await phl.federation.status()).every((p) => p.outboxDepth === 0) && (await usa.federation.status()).every((p) => p.outboxDepth === 0), 'drained', 20_000);
    const still = (await latestAt(phl, uid))!;
    expect(still.type).not.toBe(DELETE);
    expect(still.xml).toContain('lat="35.3"');
    expect(still.origin).toBe('JPN');
    for (const id of [forgedMove.id, forgedDelete.id]) expect((await phl.store.events.history(uid)).some((e) => e.id === id), id).toBe(false);

    // the owner's own delete, relayed with JPN's binding, is accepted
    await jpn.publishLocal({ ...sa(uid, 'JPN-MOVE'), type: DELETE, detailXml: `<link uid="${uid}" relation="none" type="none"/>` });
    await waitFor(async () => (await latestAt(phl, uid))?.type === DELETE, 'JPN delete on PHL', 30_000);
  }, 180_000);
});

describe('with the direct JPN–PHL link added, no duplicates at PHL', () => {
  let c: Trilateral;
  useTrilateral({ JPN: ['USA', 'PHL'], USA: ['JPN', 'PHL'], PHL: ['USA', 'JPN'] }, (t) => (c = t));

  it('the trilateral track is stored and streamed once although both paths offer it', async () => {
    const { jpn, usa, phl } = c;
    const phlTak = await TestTakClient.connect(phl.ready.tcp);
    const uid = `JPN-TRI-MESH-${Date.now()}`;
    try {
      await jpn.publishLocal(sa(uid, 'JPN-TRI'), jpnLabel(jpn.registry, ['JPN', 'USA', 'PHL']));
      await phlTak.waitForUid(uid, 30_000);
      await waitFor(() => hasUid(usa, uid), 'on USA', 20_000);
      const id = await idOf(jpn, uid);
      // USA's relay copy was offered to PHL too (or arrived first): either way PHL holds one
      await waitFor(async () => (await usa.federation.status()).every((p) => p.outboxDepth === 0), 'USA outboxes drained', 20_000);
      await waitFor(async () => (await jpn.federation.status()).every((p) => p.outboxDepth === 0), 'JPN outboxes drained', 20_000);
      expect((await phl.store.events.history(uid)).length).toBe(1);
      expect((await allEvents(phl)).filter((e) => e.uid === uid && e.id === id)).toHaveLength(1);
      expect(phlTak.byUid(uid)).toHaveLength(1);
      // loops end: PHL's onward offer of its copy to USA and USA's to PHL are dropped as seen, nothing returns to JPN
      await waitFor(async () => (await phl.federation.status()).every((p) => p.outboxDepth === 0), 'PHL outboxes drained', 20_000);
      expect((await usa.store.events.history(uid)).length).toBe(1);
      expect((await jpn.store.events.history(uid)).length).toBe(1);
    } finally {
      phlTak.close();
    }
  }, 120_000);
});
