import { CompactSign, compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { bindingPayload } from '../../src/labels/binding.js';
import { generateBindingKeys, loadPolicies, makeLabel, signBinding, verifyBinding } from '../../src/labels/index.js';

/** The node:crypto fast path of the binding must stay interoperable with a standard JWS library. */
const r = loadPolicies();
const label = makeLabel(r, { policy: 'JPN', classification: 'HI', relTo: ['JPN', 'USA'], owner: 'JPN', createdAt: '2026-01-01T00:00:00Z' });
const bytes = new TextEncoder().encode('{"uid":"x"}');

describe('binding fast path vs jose', () => {
  it('signs byte-identical JWS (Ed25519 is deterministic) and each side verifies the other', async () => {
    const k = await generateBindingKeys();
    const fast = await signBinding(k.privateJwk, bytes, label);
    const full = await new CompactSign(bindingPayload(bytes, label)).setProtectedHeader({ alg: 'EdDSA' }).sign(await importJWK(k.privateJwk, 'EdDSA'));
    const [h, , s] = full.split('.');
    expect(fast).toBe(`${h}..${s}`);
    const [fh, , fs] = fast.split('.');
    const attached = `${fh}.${Buffer.from(bindingPayload(bytes, label)).toString('base64url')}.${fs}`;
    await expect(compactVerify(attached, await importJWK(k.publicJwk, 'EdDSA'))).resolves.toBeTruthy();
    expect(await verifyBinding(k.publicJwk, `${h}..${s}`, bytes, label)).toBe(true);
  });

  it('the key cache is keyed by key material: another key with the same object shape never verifies', async () => {
    const a = await generateBindingKeys();
    const b = await generateBindingKeys();
    const jws = await signBinding(a.privateJwk, bytes, label);
    expect(await verifyBinding(a.publicJwk, jws, bytes, label)).toBe(true);
    const mutable = { ...a.publicJwk };
    expect(await verifyBinding(mutable, jws, bytes, label)).toBe(true);
    mutable.x = b.publicJwk.x; // same object, new key: must not hit the cached key of `a`
    expect(await verifyBinding(mutable, jws, bytes, label)).toBe(false);
    expect(await signBinding(b.privateJwk, bytes, label)).not.toBe(jws);
  });

  it('refuses headers other than {"alg":"EdDSA"} and bad signature lengths', async () => {
    const k = await generateBindingKeys();
    const jws = await signBinding(k.privateJwk, bytes, label);
    const [, , s] = jws.split('.');
    const crit = Buffer.from(JSON.stringify({ alg: 'EdDSA', crit: ['x'], x: 1 })).toString('base64url');
    expect(await verifyBinding(k.publicJwk, `${crit}..${s}`, bytes, label)).toBe(false);
    expect(await verifyBinding(k.publicJwk, `${jws.split('.')[0]}..${s!.slice(0, 20)}`, bytes, label)).toBe(false);
    expect(await verifyBinding({ kty: 'EC' }, jws, bytes, label)).toBe(false);
  });
});
