import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabel, serializeLabelXml, type SecurityLabel } from '../../src/labels/index.js';
import { startTestNode, sleep, waitFor } from '../support/node-harness.js';
import { TestTakClient, sa } from '../support/tak-client.js';

/**
 * The write authority on one real node, attacked as the adversarial review did: from an anonymous
 * plain-TCP client cleared only to the node's lowest level. Each case failed on the code before it.
 */
type Node = Awaited<ReturnType<typeof startTestNode>>;

describe('write authority on a real node (anonymous plain TCP attacker)', () => {
  let node: Node;
  const clients: TestTakClient[] = [];
  const connect = async () => {
    const c = await TestTakClient.connect(node.ready.tcp);
    clients.push(c);
    return c;
  };
  const label = (classification: 'low' | 'high', relTo: string[], owner = 'JPN', policy = 'JPN'): SecurityLabel => {
    const classes = node.registry.classifications(policy);
    return makeLabel(node.registry, { policy, classification: classification === 'low' ? classes[0]! : classes.at(-1)!, relTo, owner });
  };
  /** a marker event sent after the attack: once a watcher sees it, the attack event has been handled */
  const fence = async (attacker: TestTakClient, watcher: TestTakClient) => {
    const uid = `fence-${Math.random()}`;
    attacker.send(sa(uid, 'FENCE'));
    await watcher.waitForUid(uid);
  };

  beforeAll(async () => {
    node = await startTestNode({ nation: 'JPN', defaultLabel: { relTo: ['JPN'] } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.stop();
  });

  it('a t-x-d-d whose own uid is a hidden track never replaces it (finding 1)', async () => {
    await node.publishLocal(sa('HIDDEN-1', 'REAL'), label('high', ['JPN']));
    const before = await node.store.events.getLatest('HIDDEN-1');
    const [a, w] = [await connect(), await connect()];
    // its own uid is the hidden track's, its link names a uid nobody holds (or the attacker's own track)
    a.send({ ...sa('HIDDEN-1', 'EVIL'), type: 't-x-d-d', time: new Date(Date.now() + 86_400_000).toISOString(), detailXml: '<link uid="NO-SUCH-UID" relation="none" type="none"/>' });
    a.send(sa('DECOY-1', 'DECOY'));
    await w.waitForUid('DECOY-1');
    a.send({ ...sa('HIDDEN-1', 'EVIL'), type: 't-x-d-d', detailXml: '<link uid="DECOY-1" relation="none" type="none"/>' });
    a.send({ ...sa('HIDDEN-1', 'EVIL'), type: 't-x-d-d', detailXml: '<link uid="HIDDEN-1" relation="none" type="none"/>' });
    a.send({ ...sa('HIDDEN-1', 'EVIL'), type: 't-x-d-d', detailXml: '' });
    await fence(a, w);
    const after = await node.store.events.getLatest('HIDDEN-1');
    expect(after).toEqual(before);
    expect(after?.callsign).toBe('REAL');
  });

  it('an event time far in the future is clamped, so a track cannot be pinned (finding 1)', async () => {
    const [a, w] = [await connect(), await connect()];
    a.send(sa('PIN-1', 'FUTURE', { time: new Date(Date.now() + 86_400_000).toISOString(), stale: new Date(Date.now() + 86_460_000).toISOString() }));
    await w.waitForUid('PIN-1');
    const pinned = await node.store.events.getLatest('PIN-1');
    expect(pinned!.time).toBeLessThanOrEqual(Date.now() + 60_000);
    a.send(sa('PIN-1', 'NOW'));
    await waitFor(async () => (await node.store.events.getLatest('PIN-1'))?.callsign === 'NOW', 'a later update replaces it');
  });

  it("re-sending a visible track's uid can neither widen its label nor rewrite it (finding 2)", async () => {
    const own = label('low', ['JPN']);
    await node.publishLocal(sa('VISIBLE-NF', 'NODE-TRACK'), own);
    const [a, w] = [await connect(), await connect()];
    await w.waitForUid('VISIBLE-NF');
    a.send(sa('VISIBLE-NF', 'HIJACK', { labelXml: serializeLabelXml(label('low', ['JPN', 'USA'])) }));
    a.send(sa('VISIBLE-NF', 'HIJACK2'));
    await fence(a, w);
    const kept = await node.store.events.getLatest('VISIBLE-NF');
    expect(kept?.callsign).toBe('NODE-TRACK');
    expect(kept?.label).toEqual(own);
    expect(w.byUid('VISIBLE-NF').map((e) => e.callsign)).toEqual(['NODE-TRACK']);
  });

  it('its own track a client may narrow but never widen by an update (finding 2)', async () => {
    const [a, w] = [await connect(), await connect()];
    a.send(sa('OWN-1', 'MINE', { labelXml: serializeLabelXml(label('low', ['JPN', 'USA'])) }));
    await w.waitForUid('OWN-1');
    a.send(sa('OWN-1', 'NARROW', { labelXml: serializeLabelXml(label('low', ['JPN'])) }));
    await waitFor(async () => (await node.store.events.getLatest('OWN-1'))?.callsign === 'NARROW', 'narrowed');
    a.send(sa('OWN-1', 'WIDE', { labelXml: serializeLabelXml(label('low', ['JPN', 'USA', 'PHL'])) }));
    await fence(a, w);
    const kept = await node.store.events.getLatest('OWN-1');
    expect(kept?.callsign).toBe('NARROW');
    expect(kept?.label.categories.find((c) => c.tagSet === 'Releasable To')?.values ?? []).not.toContain('USA');
  });

  it('a client can never name another nation as owner (finding 3)', async () => {
    const [a, w] = [await connect(), await connect()];
    const usaOwned = makeLabel(node.registry, { policy: 'USA', classification: 'UNCLASSIFIED', relTo: ['USA', 'JPN'], owner: 'USA' });
    a.send(sa('CLAIM-USA', 'FAKE-USA', { labelXml: serializeLabelXml(usaOwned) }));
    await fence(a, w);
    expect(await node.store.events.getLatest('CLAIM-USA')).toBeUndefined();
    expect(w.byUid('CLAIM-USA')).toHaveLength(0);
  });

  it('a probe delete of a hidden uid and of a missing uid leave the same trace (finding 4)', async () => {
    await node.publishLocal(sa('HIDDEN-2', 'REAL'), label('high', ['JPN']));
    const [a, w] = [await connect(), await connect()];
    const probe = (uid: string) => ({ ...sa(`probe-${uid}`, 'P'), type: 't-x-d-d', detailXml: `<link uid="${uid}" relation="none" type="none"/>` });
    a.send(probe('HIDDEN-2'));
    a.send(probe('NEVER-EXISTED'));
    await fence(a, w);
    // replay to a new client of the same clearance: nothing about either uid, nor the probes
    const late = await connect();
    await late.waitForUid('VISIBLE-NF');
    await sleep(100);
    for (const uid of ['HIDDEN-2', 'NEVER-EXISTED', 'probe-HIDDEN-2', 'probe-NEVER-EXISTED']) expect(late.byUid(uid)).toHaveLength(0);
    expect(await node.store.events.getLatest('probe-HIDDEN-2')).toBeUndefined();
    expect(await node.store.events.getLatest('probe-NEVER-EXISTED')).toBeUndefined();
    expect((await node.store.events.getLatest('HIDDEN-2'))?.callsign).toBe('REAL');
    // both refusals are audited with the same code; only the missing uid may be named
    const rows = (await node.store.auditRange(1, 100_000)).filter((r) => r.kind === 'write.refused').map((r) => JSON.parse(r.body) as { code: string; uid?: string; op: string });
    const deletes = rows.filter((r) => r.op === 'delete');
    expect(new Set(deletes.map((r) => r.code))).toEqual(new Set(['WRITE_NOT_HOLDER']));
    expect(deletes.some((r) => r.uid === 'HIDDEN-2')).toBe(false);
  });

  it('a gateway (PyTAK-style one-shot sender) keeps its tracks after it disconnects (finding 5)', async () => {
    const [g, w] = [await connect(), await connect()];
    const track = (uid: string) => sa(uid, uid, { detailXml: `<contact callsign="${uid}"/>` });
    g.send({ ...sa('pytak-hello', 'x'), type: 't-x-d-d', detailXml: '' });
    g.send(track('AIS-1'));
    g.send(track('AIS-2'));
    await w.waitForUid('AIS-2');
    const n = node.tak.clientCount;
    g.close();
    await waitFor(() => node.tak.clientCount === n - 1, 'the node saw the disconnect');
    await fence(await connect(), w);
    expect((await node.store.events.getLatest('AIS-1'))?.type).toBe('a-f-G-U-C');
    expect((await node.store.events.getLatest('AIS-2'))?.type).toBe('a-f-G-U-C');
    expect(w.byType('t-x-d-d').filter((e) => e.uid === 'AIS-2' || e.uid === 'AIS-1')).toHaveLength(0);
  });

  it("an ATAK-like client's own SA gets the disconnect t-x-d-d; the tracks it relayed do not (finding 5)", async () => {
    const [c, w] = [await connect(), await connect()];
    c.send(sa('ATAK-SELF', 'ME')); // contact endpoint: its own SA
    c.send(sa('MARKER-1', 'SPOT', { type: 'a-h-G', detailXml: '<contact callsign="SPOT"/>' }));
    await w.waitForUid('MARKER-1');
    c.close();
    await waitFor(() => w.byType('t-x-d-d').some((e) => e.uid === 'ATAK-SELF'), 'disconnect delete delivered');
    expect(await node.store.events.getLatest('ATAK-SELF')).toBeUndefined();
    expect((await node.store.events.getLatest('MARKER-1'))?.callsign).toBe('SPOT');
    // it reconnects later: its own uid is still its own
    const again = await connect();
    again.send(sa('ATAK-SELF', 'BACK'));
    await waitFor(async () => (await node.store.events.getLatest('ATAK-SELF'))?.callsign === 'BACK', 'own uid again');
  });
});
