import { describe, expect, it } from 'vitest';
import type { KizunaNode } from '../../src/node/node.js';
import { makeLabel, serializeLabelXml, type SecurityLabel } from '../../src/labels/index.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { waitFor } from '../support/node-harness.js';
import { api, auditRows, jpnLabel, login, useLinkedPair } from './cluster.js';

/**
 * The write authority across two federated nodes: a JPN client attacking a USA-owned track and a USA client
 * attacking a JPN-owned one (findings 1-3 of the adversarial review), and the REST write paths (owner claims,
 * the explicit re-label, hidden answering like missing).
 */
let jpn: KizunaNode;
let usa: KizunaNode;
const clients: TestTakClient[] = [];

const low = { username: 'jpn-low', password: 'kizuna-demo', role: 'coordinator' as const, clearance: 'UNCLASSIFIED' };
useLinkedPair(
  [{ nation: 'JPN', relTo: ['JPN'] }, { nation: 'USA', relTo: ['USA'] }],
  { jpn: (n) => ({ seedUsers: [...(n.config.seedUsers ?? []), low] }) },
  (p) => ({ jpn, usa } = p),
  () => clients.forEach((c) => c.close()),
);

const connect = async (node: KizunaNode) => {
  const c = await TestTakClient.connect(node.ready.tcp);
  clients.push(c);
  return c;
};
const usaLabel = (relTo: string[], classification = 'UNCLASSIFIED', caveats: string[] = []): SecurityLabel =>
  makeLabel(usa.registry, { policy: 'USA', classification, relTo, owner: 'USA', ...(caveats.length ? { caveats } : {}) });
const latest = (node: KizunaNode, uid: string) => node.store.events.getLatest(uid);

describe('write authority across two federated nodes', () => {
  it("a JPN client can neither overwrite, delete nor pin USA's hidden S//NF track (finding 1)", async () => {
    await usa.publishLocal(sa('USA-SNF', 'USA-REAL'), usaLabel(['USA'], 'SECRET', ['NOFORN']));
    const before = await latest(usa, 'USA-SNF');
    const [attacker, usaWatch] = [await connect(jpn), await connect(usa)];
    // JPN's default label is JPN-only: make the attack releasable to USA so it would cross if it were stored
    const toUsa = serializeLabelXml(jpnLabel(jpn.registry, ['JPN', 'USA']));
    attacker.send(sa('USA-SNF', 'EVIL', { labelXml: toUsa, time: new Date(Date.now() + 86_400_000).toISOString() }));
    attacker.send({ ...sa('USA-SNF', 'EVIL'), type: 't-x-d-d', labelXml: toUsa, detailXml: '<link uid="NOBODY" relation="none" type="none"/>' });
    const marker = `m-${Math.random()}`;
    attacker.send(sa(marker, 'M', { labelXml: toUsa, detailXml: '<contact callsign="M"/>' }));
    await usaWatch.waitForUid(marker, 20_000);
    expect(await latest(usa, 'USA-SNF')).toEqual(before);
    expect(usaWatch.byUid('USA-SNF').filter((e) => e.callsign === 'EVIL')).toHaveLength(0);
  }, 60_000);

  it("a JPN client can neither widen nor rewrite USA's visible track, on either node (finding 2)", async () => {
    await usa.publishLocal(sa('USA-BILAT', 'USA-BILAT'), usaLabel(['USA', 'JPN']));
    await waitFor(async () => (await latest(jpn, 'USA-BILAT')) !== undefined, 'USA track on JPN', 20_000);
    const [onJpn, onUsa] = [await latest(jpn, 'USA-BILAT'), await latest(usa, 'USA-BILAT')];
    const [attacker, usaWatch] = [await connect(jpn), await connect(usa)];
    attacker.send(sa('USA-BILAT', 'HIJACK', { labelXml: serializeLabelXml(jpnLabel(jpn.registry, ['JPN', 'USA', 'PHL'])) }));
    attacker.send(sa('USA-BILAT', 'HIJACK2', { labelXml: serializeLabelXml(usaLabel(['USA', 'JPN', 'PHL', 'KOR'])) }));
    const marker = `m-${Math.random()}`;
    attacker.send(sa(marker, 'M', { labelXml: serializeLabelXml(jpnLabel(jpn.registry, ['JPN', 'USA'])), detailXml: '<contact callsign="M"/>' }));
    await usaWatch.waitForUid(marker, 20_000);
    expect(await latest(jpn, 'USA-BILAT')).toEqual(onJpn);
    expect(await latest(usa, 'USA-BILAT')).toEqual(onUsa);
  }, 60_000);

  it('a JPN client cannot claim USA ownership; a USA client cannot rewrite a JPN track (finding 3, both ways)', async () => {
    const [attacker, usaWatch] = [await connect(jpn), await connect(usa)];
    attacker.send(sa('CLAIMED-USA', 'FAKE', { labelXml: serializeLabelXml(usaLabel(['USA', 'JPN'])) }));
    await jpn.publishLocal(sa('JPN-BILAT', 'JPN-REAL'), jpnLabel(jpn.registry, ['JPN', 'USA']));
    await waitFor(async () => (await latest(usa, 'JPN-BILAT')) !== undefined, 'JPN track on USA', 20_000);
    const onUsa = await latest(usa, 'JPN-BILAT');
    const usaAttacker = await connect(usa);
    usaAttacker.send(sa('JPN-BILAT', 'USA-HIJACK', { labelXml: serializeLabelXml(usaLabel(['USA', 'JPN'])) }));
    usaAttacker.send({ ...sa('del', 'x'), type: 't-x-d-d', detailXml: '<link uid="JPN-BILAT" relation="none" type="none"/>' });
    const marker = `m-${Math.random()}`;
    attacker.send(sa(marker, 'M', { labelXml: serializeLabelXml(jpnLabel(jpn.registry, ['JPN', 'USA'])), detailXml: '<contact callsign="M"/>' }));
    await usaWatch.waitForUid(marker, 20_000);
    const jpnWatch = await connect(jpn);
    const m2 = `m2-${Math.random()}`;
    usaAttacker.send(sa(m2, 'M2', { labelXml: serializeLabelXml(usaLabel(['USA', 'JPN'])), detailXml: '<contact callsign="M2"/>' }));
    await jpnWatch.waitForUid(m2, 20_000);
    expect(await latest(jpn, 'CLAIMED-USA')).toBeUndefined();
    expect(await latest(usa, 'CLAIMED-USA')).toBeUndefined();
    expect(await latest(usa, 'JPN-BILAT')).toEqual(onUsa);
    expect((await latest(jpn, 'JPN-BILAT'))?.callsign).toBe('JPN-REAL');
  }, 60_000);
});

describe('REST writes through the write authority', () => {
  it('/api/cot refuses another owner; only a coordinator re-labels, audited with before and after', async () => {
    const op = await login(jpn, 'jpn-operator');
    const coord = await login(jpn, 'jpn-coord');
    const claim = `<event version="2.0" uid="REST-CLAIM" type="a-f-G" how="m-g" time="${new Date().toISOString()}" start="${new Date().toISOString()}" stale="${new Date(Date.now() + 60_000).toISOString()}"><point lat="1" lon="2" hae="0" ce="1" le="1"/><detail>${serializeLabelXml(usaLabel(['USA', 'JPN']))}</detail></event>`;
    const r = await api<{ code: string }>(jpn, op, 'POST', '/api/cot', { xml: claim });
    expect(r.status).toBe(403);
    expect(await latest(jpn, 'REST-CLAIM')).toBeUndefined();

    await jpn.publishLocal(sa('RELABEL-ME', 'R'), jpnLabel(jpn.registry, ['JPN']));
    expect((await api(jpn, op, 'POST', '/api/tracks/RELABEL-ME/label', { label: { classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'] } })).status).toBe(403);
    const ok = await api(jpn, coord, 'POST', '/api/tracks/RELABEL-ME/label', { label: { classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'] } });
    expect(ok.status).toBe(200);
    const after = await latest(jpn, 'RELABEL-ME');
    expect(after?.label.categories.find((c) => c.tagSet === 'Releasable To')?.values).toEqual(['JPN', 'USA']);
    await waitFor(async () => (await latest(usa, 'RELABEL-ME')) !== undefined, 'widened track reaches USA', 20_000);
    const audit = (await auditRows(jpn, 'track.relabel')).find((a) => a.body['uid'] === 'RELABEL-ME');
    expect(audit?.body['before']).toMatchObject({ owner: 'JPN' });
    expect(audit?.body['after']).toMatchObject({ owner: 'JPN' });
  }, 60_000);

  it('re-labelling a track the user may not see answers exactly like a missing one', async () => {
    const low = await login(jpn, 'jpn-low');
    const top = jpn.registry.classifications('JPN').at(-1)!;
    await jpn.publishLocal(sa('RELABEL-HIDDEN', 'H'), jpnLabel(jpn.registry, ['JPN'], top));
    const body = { label: { classification: 'UNCLASSIFIED', relTo: ['JPN'] } };
    const hidden = await api(jpn, low, 'POST', '/api/tracks/RELABEL-HIDDEN/label', body);
    const missing = await api(jpn, low, 'POST', '/api/tracks/NO-SUCH-TRACK/label', body);
    expect(hidden.status).toBe(404);
    expect(hidden).toEqual(missing);
    expect((await latest(jpn, 'RELABEL-HIDDEN'))?.label.classification).toBe(top);
  }, 60_000);

  it('a re-label that narrows a track withdraws it from every audience that loses it: TAK clients, peers', async () => {
    const coord = await login(jpn, 'jpn-coord');
    const [jpnLow, usaClient] = [await connect(jpn), await connect(usa)];
    await jpn.publishLocal(sa('NARROW-ME', 'N'), jpnLabel(jpn.registry, ['JPN', 'USA']));
    await jpnLow.waitForUid('NARROW-ME', 20_000);
    await usaClient.waitForUid('NARROW-ME', 20_000);
    await waitFor(async () => (await latest(usa, 'NARROW-ME')) !== undefined, 'track on USA', 20_000);
    const hi = jpn.registry.classifications('JPN')[1]!;
    const r = await api(jpn, coord, 'POST', '/api/tracks/NARROW-ME/label', { label: { classification: hi, relTo: ['JPN'] } });
    expect(r.status).toBe(200);
    const deleted = (c: TestTakClient) => c.byUid('NARROW-ME').some((e) => e.type === 't-x-d-d');
    // the plain-TCP client is cleared to the lowest level, the USA node is no longer in REL TO
    await waitFor(() => deleted(jpnLow), 'JPN low client told the track is gone', 20_000);
    await waitFor(() => deleted(usaClient), 'USA client told the track is gone', 20_000);
    await waitFor(async () => (await latest(usa, 'NARROW-ME')) === undefined, 'USA node dropped the track', 20_000);
    expect(jpnLow.byUid('NARROW-ME').filter((e) => e.type !== 't-x-d-d')).toHaveLength(1);
    // the owning node keeps the re-labelled track
    expect((await latest(jpn, 'NARROW-ME'))?.label.classification).toBe(hi);
  }, 60_000);

  it('a partner keeps following a federated track: updates and a delete from its origin node apply (they were refused after the first)', async () => {
    const watch = await connect(usa);
    await jpn.publishLocal(sa('JPN-MOVER', 'M1'), jpnLabel(jpn.registry, ['JPN', 'USA']));
    await waitFor(async () => (await latest(usa, 'JPN-MOVER'))?.callsign === 'M1', 'first position on USA', 20_000);
    await jpn.publishLocal(sa('JPN-MOVER', 'M2'), jpnLabel(jpn.registry, ['JPN', 'USA']));
    await waitFor(async () => (await latest(usa, 'JPN-MOVER'))?.callsign === 'M2', 'second position on USA', 20_000);
    await jpn.publishLocal({ ...sa('JPN-MOVER-DEL', 'x'), type: 't-x-d-d', detailXml: '<link uid="JPN-MOVER" relation="none" type="none"/>' }, jpnLabel(jpn.registry, ['JPN', 'USA']));
    await waitFor(async () => (await latest(usa, 'JPN-MOVER')) === undefined, 'delete applied on USA', 20_000);
    await waitFor(() => watch.byUid('JPN-MOVER').some((e) => e.type === 't-x-d-d'), 'USA client told', 20_000);
  }, 60_000);

  it('a re-label that only widens sends no delete; a refused re-label withdraws nothing', async () => {
    const op = await login(jpn, 'jpn-operator');
    const coord = await login(jpn, 'jpn-coord');
    const watch = await connect(jpn);
    await jpn.publishLocal(sa('WIDEN-ME', 'W'), jpnLabel(jpn.registry, ['JPN']));
    await watch.waitForUid('WIDEN-ME', 20_000);
    expect((await api(jpn, op, 'POST', '/api/tracks/WIDEN-ME/label', { label: { classification: 'UNCLASSIFIED', relTo: ['JPN'] } })).status).toBe(403);
    expect((await api(jpn, coord, 'POST', '/api/tracks/WIDEN-ME/label', { label: { classification: 'UNCLASSIFIED', relTo: ['JPN', 'USA'] } })).status).toBe(200);
    await waitFor(async () => (await latest(usa, 'WIDEN-ME')) !== undefined, 'widened track reaches USA', 20_000);
    await waitFor(() => watch.byUid('WIDEN-ME').length === 2, 'the re-labelled state reaches the client', 20_000);
    expect(watch.byUid('WIDEN-ME').map((e) => e.type)).not.toContain('t-x-d-d');
  }, 60_000);
});
