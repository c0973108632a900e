import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { generateBindingKeys, labelToJson, verifyBinding, labelFromJson } from '../../src/labels/index.js';
import { bindingDigest, signBatchBinding, verifyBatchBinding } from '../../src/labels/binding.js';
import type { SecurityLabel } from '../../src/labels/types.js';
import { FrameReader, decodeFrame, encodeEnvelopeBody, encodeFrame, envelopeFrame, lengthPrefixed, type Envelope, type Frame } from '../../src/federation/wire.js';
import { join } from 'node:path';
import { signBinding } from '../../src/labels/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { cotObject, jpnAndUsa, label, registry, relUsa, startNode, storedIds, tmpDir, useJpnUsa, waitFor } from './harness.js';

/**
 * Protocol v3 batch binding: one signature per run of envelopes over their per-object binding digests.
 * Receiver: each object is still checked against ITS label (a swapped payload or label fails, a forged
 * batch signature fails every object), rejects are audited; an unsigned envelope outside a batch fails.
 * Sender: a v3 peer gets BatchBinding + unsigned envelopes; a v1/v2 peer still gets one JWS per envelope.
 */
function framer(sock: tls.TLSSocket) {
  const frames: Frame[] = [];
  const reader = new FrameReader();
  sock.on('data', (c: Buffer) => reader.push(c).forEach((b) => frames.push(decodeFrame(b))));
  sock.on('error', () => undefined);
  return { frames, send: (f: Frame) => sock.write(lengthPrefixed(encodeFrame(f))) };
}

describe('batch binding primitives', () => {
  it('verifies the signed list and nothing else', async () => {
    const k = await generateBindingKeys();
    const other = await generateBindingKeys();
    const l = registry.translate(relUsa(), 'USA');
    const ds = [bindingDigest(new Uint8Array([1]), l), new Uint8Array(0), bindingDigest(new Uint8Array([2]), l)];
    const jws = signBatchBinding(k.privateJwk, ds);
    expect(verifyBatchBinding(k.publicJwk, jws, ds)).toBe(true);
    expect(verifyBatchBinding(other.publicJwk, jws, ds)).toBe(false);
    expect(verifyBatchBinding(k.publicJwk, jws, [ds[2]!, ds[1]!, ds[0]!])).toBe(false);
    expect(verifyBatchBinding(k.publicJwk, jws, ds.slice(0, 2))).toBe(false);
    expect(verifyBatchBinding(k.publicJwk, 'garbage', ds)).toBe(false);
    // the digest depends on the label, not only on the bytes
    const higher = registry.translate(label({ policy: 'JPN', classification: 'GOKUHI', relTo: ['USA', 'JPN'] }), 'USA');
    expect(bindingDigest(new Uint8Array([1]), higher).equals(ds[0]!)).toBe(false);
  });
});

describe('protocol v3 receiver', () => {
  const pair = useJpnUsa({ usaOnly: true });

  async function v3Peer() {
    const sock = tls.connect({ host: '127.0.0.1', port: pair.usa.port, ca: pair.USA.ca.certPem, cert: pair.JPN.cert.certPem, key: pair.JPN.cert.keyPem, checkServerIdentity: () => undefined });
    const p = framer(sock);
    await new Promise<void>((ok, fail) => sock.once('secureConnect', ok).once('error', fail));
    p.send({ hello: { protocolVersions: [1, 2, 3], nodeId: 'jpn', nation: 'JPN', bindingPublicJwk: JSON.stringify(pair.JPN.binding.publicJwk) } });
    await waitFor(() => p.frames.some((f) => 'helloAck' in f), 'hello ack');
    expect(p.frames.find((f) => 'helloAck' in f)).toMatchObject({ helloAck: { chosenVersion: 3 } });
    return { sock, ...p };
  }
  const envelope = (l: SecurityLabel, o: { bindLabel?: SecurityLabel } = {}) => {
    const obj = cotObject('jpn', l);
    const payload = new TextEncoder().encode(JSON.stringify(obj.event));
    const wire = registry.translate(l, 'USA');
    return { obj, payload, wire, digest: bindingDigest(payload, o.bindLabel ?? wire) };
  };
  const body = (e: ReturnType<typeof envelope>, payload = e.payload) =>
    encodeEnvelopeBody({ origin: 'jpn', id: e.obj.id, kind: 'cot', labelJson: labelToJson(e.wire), bindingJws: '', payload });

  it('accepts a signed batch; rejects and audits a tampered payload, a swapped label and a foreign signature', async () => {
    const p = await v3Peer();
    const ok1 = envelope(relUsa());
    const tampered = envelope(relUsa());
    const swapped = envelope(relUsa(), { bindLabel: registry.translate(label({ policy: 'JPN', classification: 'GOKUHI', relTo: ['USA', 'JPN'] }), 'USA') });
    const ok2 = envelope(relUsa());
    const run = [ok1, tampered, swapped, ok2];
    p.send({ batchBinding: { firstSeq: 1, digests: run.map((e) => e.digest), jws: signBatchBinding(pair.JPN.binding.privateJwk, run.map((e) => e.digest)) } });
    p.sock.write(envelopeFrame(1, body(ok1)));
    const evil = new TextEncoder().encode(JSON.stringify({ ...tampered.obj.event, callsign: 'EVIL' }));
    p.sock.write(envelopeFrame(2, body(tampered, evil)));
    p.sock.write(envelopeFrame(3, body(swapped)));
    p.sock.write(envelopeFrame(4, body(ok2)));
    await waitFor(() => p.frames.some((f) => 'ack' in f && f.ack.seq === 4), 'ack of seq 4');

    // a batch signed with another key: every object in it fails
    const other = await generateBindingKeys();
    const forged = [envelope(relUsa()), envelope(relUsa())];
    p.send({ batchBinding: { firstSeq: 5, digests: forged.map((e) => e.digest), jws: signBatchBinding(other.privateJwk, forged.map((e) => e.digest)) } });
    forged.forEach((e, i) => p.sock.write(envelopeFrame(5 + i, body(e))));
    // an unsigned envelope beyond the batch's run
    const outside = envelope(relUsa());
    p.sock.write(envelopeFrame(7, body(outside)));
    await waitFor(() => p.frames.some((f) => 'ack' in f && f.ack.seq === 7), 'ack of seq 7');

    const rejected = pair.usa.audits.filter((x) => x.kind === 'fed.rejected');
    const code = (id: string) => rejected.find((x) => x.body.id === id)?.body.code;
    for (const e of [tampered, swapped, ...forged, outside]) expect(code(e.obj.id)).toBe('BINDING_INVALID');
    expect(code(ok1.obj.id)).toBeUndefined();
    expect(pair.usa.accepted.map((x) => x.id)).toEqual([ok1.obj.id, ok2.obj.id]);
    const stored = await storedIds(pair.usa);
    for (const e of [tampered, swapped, ...forged, outside]) expect(stored).not.toContain(`jpn:${e.obj.id}`);
    expect(p.frames.flatMap((f) => ('error' in f ? [f.error.seq] : []))).toEqual([2, 3, 5, 6, 7]);
    p.sock.destroy();
  });

  it('a batch signed correctly does not let data past our own guard', async () => {
    const p = await v3Peer();
    const before = pair.usa.accepted.length;
    const jpnOnly = envelope(label({ policy: 'JPN', classification: 'HI', relTo: ['JPN'] }));
    p.send({ batchBinding: { firstSeq: 10, digests: [jpnOnly.digest], jws: signBatchBinding(pair.JPN.binding.privateJwk, [jpnOnly.digest]) } });
    p.sock.write(envelopeFrame(10, body(jpnOnly)));
    await waitFor(() => p.frames.some((f) => 'ack' in f && f.ack.seq === 10), 'ack');
    const audit = pair.usa.audits.find((x) => x.kind === 'fed.rejected' && x.body.id === jpnOnly.obj.id);
    expect(audit?.body.code).toBe('FED_REJECTED');
    expect(pair.usa.accepted.length).toBe(before);
    p.sock.destroy();
  });

  it('a v2 link refuses a BatchBinding frame', async () => {
    const sock = tls.connect({ host: '127.0.0.1', port: pair.usa.port, ca: pair.USA.ca.certPem, cert: pair.JPN.cert.certPem, key: pair.JPN.cert.keyPem, checkServerIdentity: () => undefined });
    const p = framer(sock);
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    await new Promise<void>((ok, fail) => sock.once('secureConnect', ok).once('error', fail));
    p.send({ hello: { protocolVersions: [1, 2], nodeId: 'jpn', nation: 'JPN', bindingPublicJwk: '{}' } });
    await waitFor(() => p.frames.some((f) => 'helloAck' in f), 'hello ack');
    const e = envelope(relUsa());
    p.send({ batchBinding: { firstSeq: 1, digests: [e.digest], jws: signBatchBinding(pair.JPN.binding.privateJwk, [e.digest]) } });
    await closed;
    expect(p.frames.some((f) => 'error' in f && f.error.code === 'FED_PROTOCOL')).toBe(true);
  });
});

describe('protocol v3 sender, and v1/v2 peers still served', () => {
  const t = tmpDir();
  afterAll(() => t.cleanup());

  /** A raw "usa" that the real jpn node dials, speaking the given versions; collects envelopes. */
  async function receiveFromNode(versions: number[], n: number) {
    const { JPN, USA } = await jpnAndUsa();
    const got: { frames: Frame[] } = { frames: [] };
    const server = tls.createServer({ cert: USA.cert.certPem, key: USA.cert.keyPem, ca: JPN.ca.certPem, requestCert: true, rejectUnauthorized: true }, (sock) => {
      const p = framer(sock);
      got.frames = p.frames;
      p.send({ hello: { protocolVersions: versions, nodeId: 'usa', nation: 'USA', bindingPublicJwk: JSON.stringify(USA.binding.publicJwk) } });
      const timer = setInterval(() => {
        const h = p.frames.find((f) => 'hello' in f);
        if (!h) return;
        clearInterval(timer);
        const common = versions.filter((v) => 'hello' in h && h.hello.protocolVersions.includes(v));
        p.send({ helloAck: { chosenVersion: Math.max(...common), resumeAfterSeq: 0 } });
      }, 5);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const d = tmpDir();
    const jpn = await startNode({ id: JPN, dir: d.dir, peers: [{ id: USA, port: (server.address() as AddressInfo).port }] });
    const objs = Array.from({ length: n }, () => cotObject('jpn', relUsa()));
    await Promise.all(objs.map((o) => jpn.fed.offer(o)));
    await waitFor(() => got.frames.filter((f) => 'envelope' in f).length >= n, 'envelopes');
    await jpn.close();
    await new Promise<void>((r) => server.close(() => r()));
    d.cleanup();
    const envs = got.frames.flatMap((f) => ('envelope' in f ? [f.envelope] : []));
    const batches = got.frames.flatMap((f) => ('batchBinding' in f ? [f.batchBinding] : []));
    return { JPN, envs, batches };
  }

  const labelOf = (e: Envelope) => registry.validate(labelFromJson(e.labelJson));

  it('v3: one BatchBinding per run, unsigned envelopes whose digests match', async () => {
    const { JPN, envs, batches } = await receiveFromNode([1, 2, 3], 100);
    expect(envs).toHaveLength(100);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThan(envs.length / 10);
    for (const b of batches) expect(verifyBatchBinding(JPN.binding.publicJwk, b.jws, b.digests)).toBe(true);
    for (const e of envs) {
      expect(e.bindingJws).toBe('');
      const b = batches.filter((x) => e.seq >= x.firstSeq && e.seq < x.firstSeq + x.digests.length).at(-1)!;
      expect(bindingDigest(e.payload, labelOf(e)).equals(b.digests[e.seq - b.firstSeq]!)).toBe(true);
    }
  });

  for (const versions of [[1], [1, 2]]) {
    it(`v${Math.max(...versions)}: every envelope carries its own valid JWS, no BatchBinding`, async () => {
      const { JPN, envs, batches } = await receiveFromNode(versions, 20);
      expect(batches).toEqual([]);
      expect(envs).toHaveLength(20);
      for (const e of envs) expect(await verifyBinding(JPN.binding.publicJwk, e.bindingJws, e.payload, labelOf(e))).toBe(true);
    });
  }
});

describe('upgrade: outbox rows written before v3 (already signed) still go out on a v3 link', () => {
  it('a legacy row between new rows is delivered and verified on its own JWS; the new rows by batch', async () => {
    const t = tmpDir();
    const { JPN, USA } = await jpnAndUsa();
    // jpn's database as an older version left it: one signed envelope body queued for usa
    const legacy = cotObject('jpn', relUsa());
    const payload = new TextEncoder().encode(JSON.stringify(legacy.event));
    const wire = registry.translate(legacy.event.label, 'USA');
    const jws = await signBinding(JPN.binding.privateJwk, payload, wire);
    const old = await openSqliteStore(join(t.dir, 'jpn.db'));
    await old.outbox.enqueue('usa', [
      { key: `jpn:${legacy.id}`, payload: encodeEnvelopeBody({ origin: 'jpn', id: legacy.id, kind: 'cot', labelJson: labelToJson(wire), bindingJws: jws, payload }) },
    ]);
    await old.close();
    const usa = await startNode({ id: USA, dir: t.dir, peers: [{ id: JPN, port: 0 }], relay: false });
    const jpn = await startNode({ id: JPN, dir: t.dir, peers: [{ id: USA, port: usa.port }] });
    try {
      const fresh = Array.from({ length: 5 }, () => cotObject('jpn', relUsa()));
      await Promise.all(fresh.map((o) => jpn.fed.offer(o)));
      await waitFor(() => usa.accepted.length === 6, 'all six accepted');
      expect(usa.accepted.map((x) => x.id).sort()).toEqual([legacy.id, ...fresh.map((o) => o.id)].sort());
      expect(usa.audits.filter((a) => a.kind === 'fed.rejected')).toEqual([]);
    } finally {
      await jpn.close();
      await usa.close();
      t.cleanup();
    }
  });
});
