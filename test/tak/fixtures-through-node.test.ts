import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { asMultiset, describeEachCorpus, ownFixtures, repoRoot, withRealTimes, detailChildren } from '../cot/fixtures.js';
import { parseCotXml, serializeCotXml } from '../../src/cot/xml.js';
import { stripMarti } from '../../src/tak/routing.js';
import { startTestNode, waitFor } from '../support/node-harness.js';
import { TestTakClient, sa } from '../support/tak-client.js';
import { deleteTarget } from '../../src/tak/control.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const BROKERED = (type: string) => !type.startsWith('t-x-takp') && type !== 't-x-c-t';

describeEachCorpus('every CoT fixture crosses a real node: XML in, XML and protobuf out', (corpus) => {
  let node: Node;
  let sender: TestTakClient;
  let xmlRx: TestTakClient;
  let protoRx: TestTakClient;

  beforeAll(async () => {
    node = await startTestNode({ nation: 'JPN' });
    sender = await TestTakClient.connect(node.ready.tcp);
    xmlRx = await TestTakClient.connect(node.ready.tcp);
    protoRx = await TestTakClient.connect(node.ready.tcp, { negotiate: true });
    await protoRx.negotiated();
  });
  afterAll(async () => {
    expect(xmlRx.errors).toEqual([]);
    expect(protoRx.errors).toEqual([]);
    for (const c of [sender, xmlRx, protoRx]) c.close();
    await node.stop();
  });

  for (const f of corpus.fixtures) {
    it(`${f.name} (${f.kind})`, async () => {
      const text = withRealTimes(f.bytes.toString('utf8'));
      if (f.kind === 'malformed') {
        // skipped with a logged code; the connection and the node go on
        sender.sendXml(text);
        const probe = `PROBE-${f.name}`;
        sender.send(sa(probe, 'PROBE'));
        await xmlRx.waitForUid(probe);
        expect(sender.closed).toBe(false);
        return;
      }
      const original = parseCotXml(Buffer.from(text));
      if (!BROKERED(original.type)) {
        // control messages act on their own connection (a t-x-takp-q switches it to protobuf): use a fresh one
        const before = [xmlRx, protoRx].map((c) => c.byUid(original.uid).filter((e) => e.type === original.type).length);
        const own = await TestTakClient.connect(node.ready.tcp);
        own.sendXml(text);
        const probe = `PROBE-${f.name}`;
        sender.send(sa(probe, 'PROBE'));
        await xmlRx.waitForUid(probe);
        await waitFor(() => own.events.length > 0 || original.type !== 't-x-c-t', 'pong or nothing');
        own.close();
        const after = [xmlRx, protoRx].map((c) => c.byUid(original.uid).filter((e) => e.type === original.type).length);
        expect(after).toEqual(before);
        return;
      }
      if (original.type === 't-x-d-d') {
        // a delete acts on its target: the sender first holds it, then the delete arrives everywhere as the
        // target's tombstone (uid = target, see docs/write-authority.md)
        const target = deleteTarget(original.detailXml) ?? original.uid;
        sender.send(sa(target, 'TARGET'));
        await xmlRx.waitForUid(target);
        await protoRx.waitForUid(target);
        sender.sendXml(text);
        for (const rx of [xmlRx, protoRx]) await waitFor(() => rx.byUid(target).some((e) => e.type === 't-x-d-d'), `tombstone of ${target}`);
        return;
      }
      if ((original.destCallsigns?.length ?? 0) + (original.destUids?.length ?? 0) > 0) {
        // directed (marti/dest) to a callsign not connected here: delivered to nobody else
        sender.sendXml(text);
        const probe = `PROBE-${f.name}`;
        sender.send(sa(probe, 'PROBE'));
        await xmlRx.waitForUid(probe);
        await protoRx.waitForUid(probe);
        expect(xmlRx.byUid(original.uid).filter((e) => e.type === original.type)).toHaveLength(0);
        expect(protoRx.byUid(original.uid).filter((e) => e.type === original.type)).toHaveLength(0);
        return;
      }
      // the sender prefixes an XML prolog per event, as commo does
      sender.sendXml('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text.trim());
      await waitFor(() => xmlRx.byUid(original.uid).some((e) => e.type === original.type), `xml ${original.uid}`);
      await waitFor(() => protoRx.byUid(original.uid).some((e) => e.type === original.type), `proto ${original.uid}`);
      const viaXml = xmlRx.byUid(original.uid).at(-1)!;
      const viaProto = protoRx.byUid(original.uid).at(-1)!;
      // <detail> content survives both wire formats (minus <marti>, which the server resolves)
      const expected = detailChildren(serializeCotXml({ ...original, detailXml: stripMarti(original.detailXml) }));
      expect(detailChildren(serializeCotXml({ ...viaXml, labelXml: undefined }))).toEqual(expected);
      // protobuf carries the well-known detail elements in typed fields: same content, order may differ
      expect(asMultiset(detailChildren(serializeCotXml({ ...viaProto, labelXml: undefined })))).toEqual(asMultiset(expected));
      expect(viaProto.point.lat).toBeCloseTo(original.point.lat, 6);
      expect(viaXml.labelXml).toBeDefined();
    });
  }
});

describe('an independent Python standard-library TAK client', () => {
  it('sends a fixture and receives the other side’s events', async () => {
    const node = await startTestNode({ nation: 'USA' });
    const js = await TestTakClient.connect(node.ready.tcp);
    try {
      const fixture = join(ownFixtures, 'cot/fts-2020-pli-atak-3.12.xml');
      const py = spawn('python3', [join(repoRoot, 'test/python/tak_client.py'), '127.0.0.1', String(node.ready.tcp), '--send', fixture, '--wait', '8', '--expect', '1']);
      let out = '';
      py.stdout.on('data', (d: Buffer) => (out += d.toString()));
      py.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const sent = parseCotXml(withRealTimes((await import('node:fs')).readFileSync(fixture, 'utf8')));
      await js.waitForUid(sent.uid);
      js.send(sa('JS-TO-PY', '日本語コール'));
      const code = await new Promise<number>((r) => py.on('close', (c) => r(c ?? -1)));
      expect(code, out).toBe(0);
      const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { uid: string; callsign: string });
      expect(lines).toContainEqual(expect.objectContaining({ uid: 'JS-TO-PY', callsign: '日本語コール' }));
    } finally {
      js.close();
      await node.stop();
    }
  });
});
