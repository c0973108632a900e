import { describe, expect, it } from 'vitest';
import { makeLabel } from '../../src/labels/index.js';
import type { KizunaNode } from '../../src/node/node.js';
import { sa, TestTakClient } from '../support/tak-client.js';
import { waitFor } from '../support/node-harness.js';
import { allEvents, auditRows, hasUid, jpnLabel, useTrilateral } from './cluster.js';

/**
 * Three real nodes in a full mesh JPN–USA–PHL. Objects REL TO USA,JPN reach the partner and never
 * PHL, neither directly nor relayed by the partner; objects releasable to PHL do reach it (the
 * links work, so absence means the guard withheld). The line topology (relay through USA only) is
 * relay-line.test.ts.
 */
let jpn: KizunaNode;
let usa: KizunaNode;
let phl: KizunaNode;
useTrilateral(undefined, (t) => ({ jpn, usa, phl } = t));

const idOf = async (n: KizunaNode, uid: string) => (await allEvents(n)).find((e) => e.uid === uid)!.id;

describe('triangle JPN–USA–PHL with real nodes', () => {
  it('JPN data REL TO USA,JPN reaches USA and never PHL (direct or via USA)', async () => {
    const phlTak = await TestTakClient.connect(phl.ready.tcp);
    const uid = `JPN-bilateral-${Date.now()}`;
    try {
      await jpn.publishLocal(sa(uid, 'JPN-BILAT'), jpnLabel(jpn.registry, ['JPN', 'USA']));
      await waitFor(() => hasUid(usa, uid), 'on USA', 20_000);
      const id = await idOf(jpn, uid);
      // Both egress decisions towards PHL were made and audited: JPN's own, and USA's relay.
      await waitFor(async () => (await auditRows(jpn, 'fed.withheld')).some((r) => r.body.id === id && r.body.peer === 'PHL'), 'JPN withheld from PHL', 20_000);
      await waitFor(async () => (await auditRows(usa, 'fed.withheld')).some((r) => r.body.id === id && r.body.peer === 'PHL'), 'USA relay withheld from PHL', 20_000);
      // A control object releasable to PHL, originated on USA, to prove the links to PHL deliver.
      const ctl = `USA-ctl-${Date.now()}`;
      await usa.publishLocal(sa(ctl, 'USA-CTL'), makeLabel(usa.registry, { policy: 'USA', classification: 'UNCLASSIFIED', relTo: ['USA', 'JPN', 'PHL'], owner: 'USA' }));
      await phlTak.waitForUid(ctl, 20_000);
      expect(await hasUid(phl, uid)).toBe(false);
      expect(phlTak.byUid(uid)).toEqual([]);
      // never relayed back to its origin either (JPN has exactly its own copy)
      expect((await jpn.store.events.history(uid)).length).toBe(1);
    } finally {
      phlTak.close();
    }
  }, 120_000);

  it('USA data REL TO USA,JPN reaches JPN, and PHL is refused for releasability (not translation) on both paths', async () => {
    const uid = `USA-bilateral-${Date.now()}`;
    const ctl = `USA-all-${Date.now()}`;
    const usaLabel = (relTo: string[]) => makeLabel(usa.registry, { policy: 'USA', classification: 'UNCLASSIFIED', relTo, owner: 'USA' });
    await usa.publishLocal(sa(uid, 'USA-BILAT'), usaLabel(['USA', 'JPN']));
    await usa.publishLocal(sa(ctl, 'USA-ALL'), usaLabel(['USA', 'JPN', 'PHL']));
    await waitFor(async () => (await hasUid(jpn, uid)) && (await hasUid(phl, ctl)) && (await hasUid(jpn, ctl)), 'deliveries', 20_000);
    const id = await idOf(usa, uid);
    // JPN received it from USA and re-offered it to PHL (cameFrom USA): the guard withheld it there.
    await waitFor(async () => (await auditRows(jpn, 'fed.withheld')).some((r) => r.body.id === id && r.body.peer === 'PHL'), 'JPN relay decision', 20_000);
    const direct = (await auditRows(usa, 'fed.withheld')).find((r) => r.body.id === id && r.body.peer === 'PHL');
    const relay = (await auditRows(jpn, 'fed.withheld')).find((r) => r.body.id === id && r.body.peer === 'PHL');
    expect(direct?.body.reason).toBe('DENY_RELEASABILITY');
    expect(relay?.body.reason).toBe('DENY_RELEASABILITY');
    expect(await hasUid(phl, uid)).toBe(false);
    // PHL got the all-nations control exactly once although two paths offered it (USA direct, JPN relay)
    expect((await phl.store.events.history(ctl)).length).toBe(1);
  }, 120_000);
});
