import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { cotObject, label, jpnAndUsa, originate, startNode, storedIds, tmpDir, waitFor, type TestNode } from './harness.js';
import { appendAdmitted } from '../support/admitted.js';

/**
 * The node stores an event, then offers it: a kill -9 between the two commits would lose the event for
 * the federation. Simulated deterministically here: events written to the store without an offer (what
 * such a crash leaves behind) are offered on the next start, those older than the checkpoint are not,
 * and events already delivered are not duplicated on the peer.
 */
const t = tmpDir();
const open: TestNode[] = [];
afterAll(async () => {
  for (const n of open) await n.close().catch(() => undefined);
  t.cleanup();
});

describe('offer journal (store → outbox crash window)', () => {
  it('re-offers events stored since the checkpoint after a restart; no loss, no duplicates', async () => {
    const { JPN, USA } = await jpnAndUsa();
    const usa = await startNode({ id: USA, dir: t.dir, peers: [{ id: JPN, port: 0 }], relay: false });
    open.push(usa);
    let jpn = await startNode({ id: JPN, dir: t.dir, peers: [{ id: USA, port: usa.port }] });
    const l = label({ policy: 'JPN', relTo: ['JPN', 'USA'] });
    const delivered = [cotObject('jpn', l), cotObject('jpn', l), cotObject('jpn', l)];
    for (const o of delivered) await originate(jpn, o);
    await waitFor(() => usa.accepted.length === 3, 'first three delivered');
    await jpn.close(); // writes the checkpoint (now − safety margin)

    // What a crash between "stored" and "offered" leaves: in the store, in no outbox.
    const orphans = [cotObject('jpn', l), cotObject('jpn', l)];
    const ancient = cotObject('jpn', l);
    ancient.event.receivedAt = Date.now() - 3_600_000; // before the checkpoint: already offered by definition
    const s = await openSqliteStore(jpn.dbFile);
    await appendAdmitted(s, [...orphans.map((o) => o.event), ancient.event]);
    await s.close();

    jpn = await startNode({ id: JPN, dir: t.dir, peers: [{ id: USA, port: usa.port }] });
    open.push(jpn);
    await waitFor(() => usa.accepted.length >= 5, 'orphans delivered after restart');
    await waitFor(() => jpn.fed.status()[0]!.outboxDepth === 0, 're-offers drained');
    const ids = await storedIds(usa);
    expect(ids).toEqual([...delivered, ...orphans].map((o) => `jpn:${o.id}`).sort());
    expect(usa.accepted.map((o) => o.id).sort()).toEqual([...delivered, ...orphans].map((o) => o.id).sort());
    expect(ids).not.toContain(`jpn:${ancient.id}`);
  }, 60_000);
});
