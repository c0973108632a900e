import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cotObject,
  label,
  makeIdentity,
  originate,
  startNode,
  storedIds,
  tmpDir,
  waitFor,
  type Identity,
  type TestNode,
} from './harness.js';

// Full mesh JPN–PHL–USA; each node relays what it accepted (like the node does), with cameFrom set.
// Dialing: jpn < phl < usa, so usa only listens, phl dials usa, jpn dials both.
describe('federation triangle JPN–USA–PHL: relay never widens release, loops never duplicate', () => {
  const t = tmpDir();
  let ids: Record<'JPN' | 'USA' | 'PHL', Identity>;
  let jpn: TestNode;
  let usa: TestNode;
  let phl: TestNode;

  beforeAll(async () => {
    ids = {
      JPN: await makeIdentity({ nodeId: 'jpn', nation: 'JPN' }),
      USA: await makeIdentity({ nodeId: 'usa', nation: 'USA' }),
      PHL: await makeIdentity({ nodeId: 'phl', nation: 'PHL' }),
    };
    usa = await startNode({ id: ids.USA, dir: t.dir, peers: [{ id: ids.JPN, port: 0 }, { id: ids.PHL, port: 0 }] });
    phl = await startNode({ id: ids.PHL, dir: t.dir, peers: [{ id: ids.USA, port: usa.port }, { id: ids.JPN, port: 0 }] });
    jpn = await startNode({ id: ids.JPN, dir: t.dir, peers: [{ id: ids.USA, port: usa.port }, { id: ids.PHL, port: phl.port }] });
    for (const n of [jpn, usa, phl]) {
      await waitFor(() => n.fed.status().every((s) => s.state === 'connected'), `${n.id.nodeId} links up`);
    }
  });
  afterAll(async () => {
    for (const n of [jpn, phl, usa]) await n?.close();
    t.cleanup();
  });

  const drained = (n: TestNode) => n.fed.status().every((s) => s.outboxDepth === 0);

  it('JPN data REL TO USA,JPN reaches USA and never PHL, directly or through USA', async () => {
    const secret = cotObject('jpn', label({ policy: 'JPN', classification: 'HI', relTo: ['USA', 'JPN'] }));
    await originate(jpn, secret);
    await waitFor(async () => (await storedIds(usa)).includes(`jpn:${secret.id}`), 'on USA');
    // Sentinel from USA to PHL, offered after USA stored (and relayed) the secret: per-link FIFO means a
    // relayed copy would reach PHL before the sentinel.
    const sentinel = cotObject('usa', label({ policy: 'USA', relTo: ['USA', 'PHL', 'JPN'] }));
    await originate(usa, sentinel);
    await waitFor(async () => (await storedIds(phl)).includes(`usa:${sentinel.id}`), 'sentinel on PHL');
    await waitFor(() => drained(jpn) && drained(usa), 'outboxes drained');
    expect(await storedIds(phl)).not.toContain(`jpn:${secret.id}`);
    expect(phl.accepted.map((o) => o.id)).not.toContain(secret.id);
    // Both boundaries said no, and said so in the audit.
    expect(jpn.audits.some((a) => a.kind === 'fed.withheld' && a.body.id === secret.id && a.body.peer === 'phl')).toBe(true);
    expect(usa.audits.some((a) => a.kind === 'fed.withheld' && a.body.id === secret.id && a.body.peer === 'phl')).toBe(true);
  });

  it('USA data REL TO all three reaches both, and JPN accepts it once although it arrives twice (direct + via PHL)', async () => {
    const shared = cotObject('usa', label({ policy: 'USA', classification: 'CONFIDENTIAL', relTo: ['USA', 'JPN', 'PHL'] }));
    const phlToJpnBefore = phl.fed.status().find((s) => s.peer === 'jpn')!.lastAckSeq;
    await originate(usa, shared);
    await waitFor(async () => (await storedIds(jpn)).includes(`usa:${shared.id}`), 'on JPN');
    await waitFor(async () => (await storedIds(phl)).includes(`usa:${shared.id}`), 'on PHL');
    // The second copy (PHL relays to JPN) must have been delivered and acked, then deduped.
    await waitFor(() => phl.fed.status().find((s) => s.peer === 'jpn')!.lastAckSeq > phlToJpnBefore, 'relay copy acked');
    await waitFor(() => [jpn, usa, phl].every(drained), 'all drained');
    expect(jpn.accepted.filter((o) => o.id === shared.id)).toHaveLength(1);
    expect(phl.accepted.filter((o) => o.id === shared.id)).toHaveLength(1);
    // never back to the origin: USA accepted nothing of its own
    expect(usa.accepted.filter((o) => o.origin === 'usa')).toHaveLength(0);
  });

  it('USA data REL TO USA,JPN never reaches PHL (relay by JPN is withheld too)', async () => {
    const bilateral = cotObject('usa', label({ policy: 'USA', classification: 'SECRET', relTo: ['USA', 'JPN'] }));
    await originate(usa, bilateral);
    await waitFor(async () => (await storedIds(jpn)).includes(`usa:${bilateral.id}`), 'on JPN');
    const sentinel = cotObject('jpn', label({ policy: 'JPN', relTo: ['JPN', 'USA'] }));
    await originate(jpn, sentinel); // jpn→phl is never releasable (no JPN–PHL table); use USA→PHL sentinel
    const s2 = cotObject('usa', label({ policy: 'USA', relTo: ['USA', 'PHL', 'JPN'] }));
    await waitFor(() => [jpn, usa].every(drained), 'drained');
    await originate(usa, s2);
    await waitFor(async () => (await storedIds(phl)).includes(`usa:${s2.id}`), 'sentinel on PHL');
    await waitFor(() => [jpn, usa, phl].every(drained), 'all drained');
    expect(await storedIds(phl)).not.toContain(`usa:${bilateral.id}`);
    expect(jpn.audits.some((a) => a.kind === 'fed.withheld' && a.body.id === bilateral.id && a.body.peer === 'phl')).toBe(true);
  });
});
