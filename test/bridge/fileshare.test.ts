import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { issueClientCert } from '../../src/certs/index.js';
import { labelToJson, makeLabel, parseLabelXml, serializeLabelXml, type SecurityLabel } from '../../src/labels/index.js';
import { parseCotXml } from '../../src/cot/xml.js';
import { request } from '../../src/marti/test-support.js';
import { startTestNode, sleep, waitFor } from '../support/node-harness.js';
import { TestTakClient, sa } from '../support/tak-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** A b-f-t-r as ATAK sends it after uploading (takaware capture shape), naming the node's content URL. */
function fileShare(o: { hash: string; httpsPort: number; senderUid: string; uid?: string; label?: SecurityLabel }) {
  const now = Date.now();
  const t = new Date(now).toISOString();
  const ev = parseCotXml(
    `<event version="2.0" uid="${o.uid ?? randomUUID()}" type="b-f-t-r" how="h-e" time="${t}" start="${t}" stale="${new Date(now + 60_000).toISOString()}">` +
      '<point lat="36.0" lon="139.0" hae="0" ce="9.9" le="NaN"/><detail>' +
      `<fileshare filename="plan.zip" senderUrl="https://localhost:${o.httpsPort}/Marti/sync/content?hash=${o.hash}" sizeInBytes="5" ` +
      `sha256="${o.hash}" senderUid="${o.senderUid}" senderCallsign="SENDER" name="plan"/>` +
      `<ackrequest uid="${randomUUID()}" ackrequested="true" tag="plan"/></detail></event>`,
  );
  return o.label ? { ...ev, labelXml: serializeLabelXml(o.label) } : ev;
}

describe('file-share notifications carry the label of the shared file', () => {
  let node: Node;
  const clients: TestTakClient[] = [];
  let cleared: TestTakClient; // certificate client: full JPN clearance
  let receiver: TestTakClient; // certificate client
  let low: TestTakClient; // plain TCP: UNCLASSIFIED only
  const hashes: Record<'hi' | 'unclas', string> = { hi: '', unclas: '' };
  const labels: Record<'hi' | 'unclas', SecurityLabel> = {} as never;
  let id: { key: string; cert: string };

  const upload = async (content: string, label: SecurityLabel) => {
    const body = Buffer.from(content);
    const r = await request(node.ready.https, {
      method: 'POST',
      path: `/Marti/sync/upload?name=plan.zip&CreatorUid=ANDROID-SENDER`,
      ca: node.pki.caCertPem,
      id,
      headers: { 'content-type': 'application/octet-stream', 'x-kizuna-label': labelToJson(label) },
      body,
    });
    expect(r.status).toBe(200);
    const hash = createHash('sha256').update(body).digest('hex');
    expect(JSON.parse(r.body.toString()).Hash).toBe(hash);
    return hash;
  };

  beforeAll(async () => {
    node = await startTestNode({ nation: 'JPN' });
    const mk = (classification: string) => makeLabel(node.registry, { policy: 'JPN', classification, relTo: ['JPN'], owner: 'JPN' });
    labels.hi = mk('HI');
    labels.unclas = mk('UNCLASSIFIED');
    const c = await issueClientCert(node.pki, { name: 'uploader', nation: 'JPN', groups: ['Cyan'], role: 'operator' });
    id = { key: c.keyPem!, cert: c.certPem };
    hashes.hi = await upload(`secret plan ${randomUUID()}`, labels.hi);
    hashes.unclas = await upload(`open plan ${randomUUID()}`, labels.unclas);
    // Certificate clients also publish into __ANON__ (the group of plain-TCP clients) so that only the
    // label decides whether the low-clearance client gets a share.
    const tlsClient = async (name: string) => {
      const cc = await issueClientCert(node.pki, { name, nation: 'JPN', groups: ['Cyan', '__ANON__'], role: 'operator' });
      const t = await TestTakClient.connectTls(node.ready.tls, { key: cc.keyPem!, cert: cc.certPem, ca: node.pki.caCertPem });
      clients.push(t);
      return t;
    };
    cleared = await tlsClient('sender');
    receiver = await tlsClient('receiver');
    low = await TestTakClient.connect(node.ready.tcp);
    clients.push(low);
    cleared.send(sa('ANDROID-SENDER', 'SENDER'));
    await waitFor(() => node.tak.clientCount === 3, 'three clients');
    await waitFor(async () => (await node.store.events.getLatest('ANDROID-SENDER')) !== undefined, 'sender SA stored');
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node?.stop();
  });

  it('a share of a HI file reaches only recipients cleared for HI, stamped with the file label', async () => {
    const share = fileShare({ hash: hashes.hi, httpsPort: node.ready.https, senderUid: 'ANDROID-SENDER' });
    cleared.send(share);
    const got = await receiver.waitForUid(share.uid);
    expect(parseLabelXml(got.labelXml!)).toMatchObject({ policy: 'JPN', classification: 'HI' });
    const stored = await node.store.events.getLatest(share.uid);
    expect(stored!.label.classification).toBe('HI');
    // sentinel on the same path: an UNCLASSIFIED share sent after it reaches the low client ...
    const open = fileShare({ hash: hashes.unclas, httpsPort: node.ready.https, senderUid: 'ANDROID-SENDER' });
    cleared.send(open);
    const openGot = await low.waitForUid(open.uid);
    expect(parseLabelXml(openGot.labelXml!).classification).toBe('UNCLASSIFIED');
    // ... and the HI share, sent first, never did (the sender's default label would have been UNCLASSIFIED)
    expect(low.byUid(share.uid)).toHaveLength(0);
  });

  it('an explicit lower label on the share does not lower it; a higher one is kept', async () => {
    const lowered = fileShare({ hash: hashes.hi, httpsPort: node.ready.https, senderUid: 'ANDROID-SENDER', label: labels.unclas });
    cleared.send(lowered);
    await receiver.waitForUid(lowered.uid);
    expect((await node.store.events.getLatest(lowered.uid))!.label.classification).toBe('HI');
    const raised = fileShare({
      hash: hashes.unclas,
      httpsPort: node.ready.https,
      senderUid: 'ANDROID-SENDER',
      label: makeLabel(node.registry, { policy: 'JPN', classification: 'GOKUHI', relTo: ['JPN'], owner: 'JPN' }),
    });
    cleared.send(raised);
    await receiver.waitForUid(raised.uid);
    expect((await node.store.events.getLatest(raised.uid))!.label.classification).toBe('GOKUHI');
    const sentinel = fileShare({ hash: hashes.unclas, httpsPort: node.ready.https, senderUid: 'ANDROID-SENDER' });
    cleared.send(sentinel);
    await low.waitForUid(sentinel.uid);
    expect(low.byUid(lowered.uid)).toHaveLength(0);
    expect(low.byUid(raised.uid)).toHaveLength(0);
  });

  it('a client not cleared for the file cannot announce it; an unknown hash keeps the default label', async () => {
    const sneaky = fileShare({ hash: hashes.hi, httpsPort: node.ready.https, senderUid: 'LOW' });
    low.send(sneaky);
    const unknown = fileShare({ hash: 'ab'.repeat(32), httpsPort: node.ready.https, senderUid: 'LOW' });
    low.send(unknown);
    // the connection processes its events in order: once the second is stored, the first was decided
    await waitFor(async () => (await node.store.events.getLatest(unknown.uid)) !== undefined, 'unknown-hash share stored');
    expect((await node.store.events.getLatest(unknown.uid))!.label.classification).toBe('UNCLASSIFIED');
    await receiver.waitForUid(unknown.uid);
    expect(await node.store.events.getLatest(sneaky.uid)).toBeUndefined();
    expect(receiver.byUid(sneaky.uid)).toHaveLength(0);
  });

  it('clientEndPoints reports the time of each client\'s last event, not its connection time', async () => {
    const before = Date.now();
    await sleep(30); // the next event must be distinguishable from connect time at ms resolution
    cleared.send(sa('ANDROID-SENDER', 'SENDER'));
    await waitFor(async () => ((await node.store.events.getLatest('ANDROID-SENDER'))?.receivedAt ?? 0) > before, 'fresh SA stored');
    const conn = [...node.tak.connections()].find((c) => c.uid === 'ANDROID-SENDER')!;
    expect(conn.lastEventAt).toBeGreaterThan(before);
    expect(conn.lastEventAt).toBeGreaterThan(conn.connectedAt);
    const r = await request(node.ready.https, { path: '/Marti/api/clientEndPoints', ca: node.pki.caCertPem, id });
    expect(r.status).toBe(200);
    const data = (JSON.parse(r.body.toString()) as { data: { uid: string; lastEventTime: string }[] }).data;
    const entry = data.find((d) => d.uid === 'ANDROID-SENDER')!;
    expect(Date.parse(entry.lastEventTime)).toBe(conn.lastEventAt);
  });
});
