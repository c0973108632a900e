import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { makeLabel, serializeLabelXml } from '../../src/labels/index.js';
import { serializeCotXml } from '../../src/cot/xml.js';
import { startTestNode, sleep, waitFor, type TestNode } from '../support/node-harness.js';
import { useTestNode } from '../support/node-fixture.js';
import { TestTakClient, sa } from '../support/tak-client.js';

describe('TAK streaming on a real node (TCP, port 0)', () => {
  let node: TestNode;
  const clients: TestTakClient[] = [];
  const connect = async (negotiate = false) => {
    const c = await TestTakClient.connect(node.ready.tcp, { negotiate });
    clients.push(c);
    return c;
  };
  const untilStored = (uid: string) => waitFor(async () => (await node.store.events.getLatest(uid)) !== undefined, `${uid} stored`);
  /** JPN-only at the policy's top level: above every plain TCP client, which is cleared to the lowest level by default. */
  const highLabel = () => {
    const policy = node.registry.policyOf('JPN');
    return makeLabel(node.registry, { policy, classification: node.registry.classifications(policy).at(-1)!, relTo: ['JPN'], owner: 'JPN' });
  };
  /**
   * Absence is shown against a marker sent after it: once `c` has the marker, what came before it had its
   * chance, and `marginMs` more covers delivery by another path (replay, another client's connection).
   */
  const afterMarker = async (c: TestTakClient, marker: string, marginMs = 200) => {
    const got = await c.waitForUid(marker);
    await sleep(marginMs);
    return got;
  };

  useTestNode({ nation: 'JPN' }, (n) => (node = n));
  afterAll(() => {
    for (const c of clients) c.close();
  });

  it('broadcasts an SA to other clients, never back to the sender', async () => {
    const a = await connect();
    const b = await connect();
    await sleep(100);
    a.send(sa('ALPHA-1', 'ALPHA'));
    const got = await afterMarker(b, 'ALPHA-1');
    expect(got.callsign).toBe('ALPHA');
    // the label the node stamped travels with the event inside <detail>
    expect(got.labelXml).toContain('urn:nato:stanag:4774:confidentialitymetadatalabel:1:0');
    expect(a.byUid('ALPHA-1')).toHaveLength(0);
  });

  it('replays the current non-stale picture to a client that connects later', async () => {
    const a = await connect();
    a.send(sa('STALE-1', 'OLD', { stale: new Date(Date.now() - 1000).toISOString(), time: new Date(Date.now() - 5000).toISOString() }));
    a.send(sa('FRESH-1', 'FRESH'));
    await untilStored('FRESH-1');
    await untilStored('STALE-1');
    const late = await connect();
    await afterMarker(late, 'FRESH-1');
    expect(late.byUid('STALE-1')).toHaveLength(0);
  });

  it('negotiates TAK protocol v1; XML and protobuf clients see each other', async () => {
    const x = await connect();
    const p = await connect(true);
    await p.negotiated();
    expect(p.byType('t-x-takp-v')).toHaveLength(1);
    p.send(sa('PROTO-1', 'PROTO', { detailXml: '<contact callsign="PROTO" endpoint="*:-1:stcp"/><remarks>日本語のリマーク</remarks>' }));
    const fromProto = await x.waitForUid('PROTO-1');
    expect(fromProto.detailXml).toContain('日本語のリマーク');
    x.send(sa('XML-1', 'XMLER', { detailXml: '<contact callsign="XMLER"/><custom a="1"><nested>keep me</nested></custom>' }));
    const fromXml = await p.waitForUid('XML-1');
    expect(fromXml.detailXml).toContain('<nested>keep me</nested>');
  });

  it('answers a ping with a pong to the pinging client only', async () => {
    const a = await connect();
    const b = await connect();
    a.send({ ...sa('ping-uid', 'x'), type: 't-x-c-t', detailXml: '' });
    await waitFor(() => a.byType('t-x-c-t-r').length === 1, 'pong');
    await sleep(150);
    expect(b.byType('t-x-c-t-r')).toHaveLength(0);
    expect(b.byType('t-x-c-t')).toHaveLength(0);
  });

  it('delivers directed messages (marti/dest callsign) only to the addressee', async () => {
    const a = await connect();
    const b = await connect();
    const c = await connect();
    b.send(sa('BRAVO-UID', 'BRAVO'));
    c.send(sa('CHARLIE-UID', 'CHARLIE'));
    await waitFor(() => a.byUid('BRAVO-UID').length > 0 && a.byUid('CHARLIE-UID').length > 0, 'SAs seen');
    a.send({
      ...sa('GeoChat.A.BRAVO.1', 'ALPHA'),
      type: 'b-t-f',
      detailXml: '<__chat chatroom="BRAVO" senderCallsign="ALPHA"/><marti><dest callsign="BRAVO"/></marti><remarks>hello bravo</remarks>',
    });
    const got = await afterMarker(b, 'GeoChat.A.BRAVO.1');
    expect(got.detailXml).not.toContain('<marti'); // resolved by the server, stripped on delivery
    expect(c.byUid('GeoChat.A.BRAVO.1')).toHaveLength(0);
  });

  it('honours t-x-d-d: the deleted uid leaves the picture', async () => {
    const a = await connect();
    a.send(sa('DEL-ME', 'DELME'));
    await untilStored('DEL-ME');
    a.send({ ...sa('del-1', 'x'), type: 't-x-d-d', detailXml: '<link uid="DEL-ME" relation="none" type="none"/><__forcedelete/>' });
    await waitFor(async () => (await node.store.events.getLatest('DEL-ME')) === undefined, 'deleted');
  });

  it('refuses a t-x-d-d for a track the sender may not see (the track stays, nobody is told)', async () => {
    const a = await connect();
    const b = await connect();
    await node.publishLocal(sa('HIGH-DEL', 'HIGHDEL'), highLabel());
    a.send({ ...sa('del-high', 'x'), type: 't-x-d-d', detailXml: '<link uid="HIGH-DEL" relation="none" type="none"/><__forcedelete/>' });
    a.send(sa('AFTER-DEL', 'AFTER'));
    await afterMarker(b, 'AFTER-DEL');
    expect(await node.store.events.getLatest('HIGH-DEL')).toBeDefined();
    expect(b.byUid('del-high')).toHaveLength(0);
  });

  it('refuses an update that re-uses the uid of a track the sender may not see', async () => {
    const a = await connect();
    const b = await connect();
    await node.publishLocal(sa('HIGH-UID', 'REAL'), highLabel());
    a.send(sa('HIGH-UID', 'SPOOF'));
    a.send(sa('AFTER-SPOOF', 'AFTER'));
    await afterMarker(b, 'AFTER-SPOOF');
    const kept = await node.store.events.getLatest('HIGH-UID');
    expect(kept?.callsign).toBe('REAL');
    expect(b.byUid('HIGH-UID')).toHaveLength(0);
    // its own uid a client updates freely
    a.send(sa('AFTER-SPOOF', 'AFTER2'));
    await waitFor(() => b.byUid('AFTER-SPOOF').some((e) => e.callsign === 'AFTER2'), 'own update');
  });

  it('never delivers what the audience may not receive, and refuses input above the sender clearance', async () => {
    const a = await connect();
    const b = await connect();
    const high = highLabel();
    const stored = await node.publishLocal(sa('HIGH-1', 'HIGH'), high);
    expect(stored).toBeDefined();
    a.send({ ...sa('CLAIMS-HIGH', 'X'), labelXml: serializeLabelXml(high) });
    const policy = node.registry.policyOf('JPN');
    const low = makeLabel(node.registry, { policy, classification: node.registry.classifications(policy)[0]!, relTo: ['JPN', 'USA'], owner: 'JPN' });
    await node.publishLocal(sa('LOW-1', 'LOW'), low);
    await afterMarker(b, 'LOW-1', 300);
    expect(b.byUid('HIGH-1')).toHaveLength(0);
    expect(b.byUid('CLAIMS-HIGH')).toHaveLength(0);
    expect(await node.store.events.getLatest('CLAIMS-HIGH')).toBeUndefined();
    // and not on replay either
    const late = await connect();
    await afterMarker(late, 'LOW-1');
    expect(late.byUid('HIGH-1')).toHaveLength(0);
  });

  it('survives bad input: DOCTYPE, garbage, oversize, split UTF-8; other clients keep working', async () => {
    const good = await connect();
    const sender = await connect();
    const doctype = await connect();
    doctype.sendXml('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><event/>');
    const garbage = await connect();
    garbage.sendXml(Buffer.from([0x00, 0x01, 0x02, 0xff, 0x41, 0x42]));
    const huge = await connect();
    huge.sendXml('<event version="2.0" uid="huge" type="a-f-G" time="x" start="x" stale="x"><detail><remarks>' + 'A'.repeat(1_100_000));
    await waitFor(() => doctype.closed && garbage.closed && huge.closed, 'bad clients disconnected');
    // a multi-byte character split across two writes, event split across reads
    const xml = Buffer.from(serializeCotXml(sa('UTF8-1', '絆テスト')));
    const cut = xml.indexOf(Buffer.from('絆')) + 1;
    sender.sendXml(xml.subarray(0, cut));
    await sleep(50);
    sender.sendXml(Buffer.concat([xml.subarray(cut), Buffer.from(serializeCotXml(sa('MERGED-2', 'M2')))]));
    const got = await good.waitForUid('UTF8-1');
    expect(got.callsign).toBe('絆テスト');
    await good.waitForUid('MERGED-2');
    expect(sender.closed).toBe(false);
  });

  it('drops a client that never reads instead of stalling the others', async () => {
    const small = await startTestNode({ nation: 'JPN', limits: { maxSendQueueBytes: 512 * 1024 } });
    try {
      const stuck = await new Promise<net.Socket>((resolve) => {
        const s = net.connect(small.ready.tcp, '127.0.0.1', () => resolve(s));
      });
      stuck.pause(); // never reads
      const reader = await TestTakClient.connect(small.ready.tcp);
      const writer = await TestTakClient.connect(small.ready.tcp);
      const big = 'R'.repeat(20_000);
      // 16 MB: far more than the stuck client's kernel buffers plus the 512 KiB bound; the reader keeps up
      for (let i = 0; i < 800; i++) writer.send(sa(`FLOOD-${i}`, 'F', { detailXml: `<contact callsign="F"/><remarks>${big}</remarks>` }));
      await reader.waitForUid('FLOOD-799', 30_000);
      await waitFor(() => small.tak.clientCount === 2, 'stuck client dropped', 15_000);
      reader.close();
      writer.close();
      stuck.destroy();
    } finally {
      await small.stop();
    }
  });
});
