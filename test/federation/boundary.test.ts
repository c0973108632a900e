import { describe, expect, it } from 'vitest';
import { generateBindingKeys, labelToJson, signBinding } from '../../src/labels/index.js';
import type { SecurityLabel } from '../../src/labels/types.js';
import { encodeEnvelopeBody, envelopeFrame } from '../../src/federation/wire.js';
import { makeCa, makeNodeCert } from './pki.js';
import { cotObject, label, originate, rawPeer, registry, relUsa, startNode, storedIds, tmpDir, useJpnUsa, waitFor, type Identity } from './harness.js';

describe('federation boundary: identity from certificates, defence in depth at the receiver', () => {
  const pair = useJpnUsa({ usaOnly: true });

  it('refuses a peer whose certificate comes from an untrusted CA, and audits it', async () => {
    const rogueCa = await makeCa('JPN'); // claims JPN, but is not the CA configured for peer jpn
    const rogue: Identity = { ...pair.JPN, ca: rogueCa, cert: await makeNodeCert(rogueCa, { nodeId: 'jpn', nation: 'JPN' }) };
    const d = tmpDir();
    const fake = await startNode({ id: rogue, dir: d.dir, peers: [{ id: pair.USA, port: pair.usa.port }] });
    try {
      await waitFor(() => pair.usa.audits.some((a) => a.kind === 'fed.untrusted'), 'untrusted audit on USA');
      await fake.fed.offer(cotObject('jpn', label({ policy: 'JPN', relTo: ['USA', 'JPN'] })));
      expect(fake.fed.status()[0]!.state).not.toBe('connected');
      expect(pair.usa.fed.status()[0]!.state).not.toBe('connected');
      expect(pair.usa.accepted).toHaveLength(0);
    } finally {
      await fake.close();
      d.cleanup();
    }
  });

  it('refuses a certificate from the right CA whose nation is not the configured one', async () => {
    const liar = await makeNodeCert(pair.JPN.ca, { nodeId: 'jpn', nation: 'JPN', sanNation: 'PHL' });
    const before = pair.usa.audits.length;
    const p = await rawPeer({ port: pair.usa.port, cert: liar, caPem: pair.USA.ca.certPem });
    await p.closed;
    expect(pair.usa.audits.slice(before).some((a) => a.kind === 'fed.untrusted' && a.body.reason === 'nation-mismatch')).toBe(true);
  });

  it('rejects and audits forged, wrong-label and tampered envelopes, acking them so they are not resent', async () => {
    const p = await rawPeer({ port: pair.usa.port, cert: pair.JPN.cert, caPem: pair.USA.ca.certPem });
    p.send({ hello: { protocolVersions: [1], nodeId: 'jpn', nation: 'JPN', bindingPublicJwk: JSON.stringify(pair.JPN.binding.publicJwk) } });
    await waitFor(() => p.frames.some((f) => 'helloAck' in f), 'hello ack');

    const mk = async (seq: number, l: SecurityLabel, o: { signWith?: typeof pair.JPN.binding.privateJwk; bindLabel?: SecurityLabel; sendLabel?: SecurityLabel } = {}) => {
      const obj = cotObject('jpn', l);
      const payload = new TextEncoder().encode(JSON.stringify(obj.event));
      const wire = o.sendLabel ?? safeTranslate(l);
      const jws = await signBinding(o.signWith ?? pair.JPN.binding.privateJwk, payload, o.bindLabel ?? wire);
      const body = encodeEnvelopeBody({ origin: 'jpn', id: obj.id, kind: 'cot', labelJson: labelToJson(wire), bindingJws: jws, payload });
      p.sock.write(envelopeFrame(seq, body));
      return obj;
    };
    const otherKeys = await generateBindingKeys();
    // 1: JPN-only data, correctly signed: the sender's guard was bypassed; ours is not.
    const jpnOnly = label({ policy: 'JPN', classification: 'HI', relTo: ['JPN'] });
    const a = await mk(1, jpnOnly, { sendLabel: { ...safeTranslate(relUsa()) } , bindLabel: undefined });
    // 2: releasable label, binding signed by someone else's key
    const b = await mk(2, relUsa(), { signWith: otherKeys.privateJwk });
    // 3: binding over one label, another label sent (label swapped after signing)
    const c = await mk(3, relUsa(), { bindLabel: safeTranslate(label({ policy: 'JPN', classification: 'GOKUHI', relTo: ['USA', 'JPN'] })) });
    // 4: honest envelope (control): must be accepted
    const ok = await mk(4, relUsa());
    await waitFor(() => p.frames.some((f) => 'ack' in f && f.ack.seq === 4), 'ack of seq 4');

    const rejected = pair.usa.audits.filter((x) => x.kind === 'fed.rejected');
    const byId = (id: string) => rejected.find((x) => x.body.id === id);
    expect(byId(a.id)?.body.code).toBe('FED_REJECTED'); // label mismatch with the payload's originator label
    expect(byId(b.id)?.body.code).toBe('BINDING_INVALID');
    expect(byId(c.id)?.body.code).toBe('BINDING_INVALID');
    expect(byId(ok.id)).toBeUndefined();
    expect(pair.usa.accepted.map((x) => x.id)).toEqual([ok.id]);
    const stored = await storedIds(pair.usa);
    for (const x of [a, b, c]) expect(stored).not.toContain(`jpn:${x.id}`);
    expect(p.frames.filter((f) => 'error' in f).map((f) => ('error' in f ? f.error.seq : 0))).toEqual([1, 2, 3]);
    expect(pair.usa.fed.status()[0]!.rejected).toBe(3);
    p.sock.destroy();
  });

  it('rejects data whose label (consistently signed) is not releasable to the receiver', async () => {
    const p = await rawPeer({ port: pair.usa.port, cert: pair.JPN.cert, caPem: pair.USA.ca.certPem });
    p.send({ hello: { protocolVersions: [1], nodeId: 'jpn', nation: 'JPN', bindingPublicJwk: '{}' } });
    await waitFor(() => p.frames.some((f) => 'helloAck' in f), 'hello ack');
    // JPN-only, label translated honestly and signed: everything verifies except releasability.
    const l = label({ policy: 'JPN', classification: 'HI', relTo: ['JPN'] });
    const obj = cotObject('jpn', l);
    const payload = new TextEncoder().encode(JSON.stringify(obj.event));
    const wire = registry.translate(l, 'USA');
    const jws = await signBinding(pair.JPN.binding.privateJwk, payload, wire);
    p.sock.write(envelopeFrame(100, encodeEnvelopeBody({ origin: 'jpn', id: obj.id, kind: 'cot', labelJson: labelToJson(wire), bindingJws: jws, payload })));
    await waitFor(() => p.frames.some((f) => 'ack' in f && f.ack.seq === 100), 'ack');
    const audit = pair.usa.audits.find((x) => x.kind === 'fed.rejected' && x.body.id === obj.id);
    expect(audit?.body).toMatchObject({ code: 'FED_REJECTED', peer: 'jpn' });
    expect(String(audit?.body.reason)).toMatch(/^DENY_/);
    expect(pair.usa.accepted.map((x) => x.id)).not.toContain(obj.id);
    p.sock.destroy();
  });

  it('an honest node still gets through after all that', async () => {
    const jpn = await startNode({ id: pair.JPN, dir: pair.dir, peers: [{ id: pair.USA, port: pair.usa.port }] });
    try {
      const o = cotObject('jpn', label({ policy: 'JPN', relTo: ['USA', 'JPN'] }));
      await originate(jpn, o);
      await waitFor(async () => (await storedIds(pair.usa)).includes(`jpn:${o.id}`), 'delivery');
    } finally {
      await jpn.close();
    }
  });
});

function safeTranslate(l: SecurityLabel): SecurityLabel {
  return registry.translate(l, 'USA');
}
