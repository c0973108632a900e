import { describe, expect, it } from 'vitest';
import { generateBindingKeys, loadPolicies, makeLabel, signBinding, verifyBinding } from './index.js';

const r = loadPolicies();
const label = makeLabel(r, { policy: 'USA', classification: 'SECRET', relTo: ['JPN'], owner: 'USA', createdAt: '2026-01-01T00:00:00Z' });
const bytes = new TextEncoder().encode('<event uid="x"/>');

describe('binding (detached JWS, Ed25519)', () => {
  it('verifies the signed pair and nothing else', async () => {
    const k = await generateBindingKeys();
    const other = await generateBindingKeys();
    const jws = await signBinding(k.privateJwk, bytes, label);
    expect(jws).toMatch(/^[\w-]+\.\.[\w-]+$/);
    expect(k.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(k.publicJwk).not.toHaveProperty('d');
    expect(await verifyBinding(k.publicJwk, jws, bytes, label)).toBe(true);
    // same label, other order of values: canonical form makes it the same binding
    const reordered = { ...label, categories: [{ ...label.categories[0]!, values: [...label.categories[0]!.values].reverse() }] };
    expect(await verifyBinding(k.publicJwk, jws, bytes, reordered)).toBe(true);
    expect(await verifyBinding(k.publicJwk, jws, new TextEncoder().encode('<event uid="y"/>'), label)).toBe(false);
    expect(await verifyBinding(k.publicJwk, jws, bytes, { ...label, classification: 'CONFIDENTIAL' })).toBe(false);
    expect(await verifyBinding(other.publicJwk, jws, bytes, label)).toBe(false);
    expect(await verifyBinding(k.publicJwk, 'garbage', bytes, label)).toBe(false);
    expect(await verifyBinding(k.publicJwk, jws.replace('..', '.e30.'), bytes, label)).toBe(false);
    const [h, , s] = jws.split('.');
    const noneHeader = Buffer.from('{"alg":"none"}').toString('base64url');
    expect(await verifyBinding(k.publicJwk, `${noneHeader}..${s}`, bytes, label)).toBe(false);
    expect(h).toBeTruthy();
  });
});
