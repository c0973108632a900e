import { createPrivateKey, hash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { canonicalJson, normalizeLabel } from './canonical.js';
import type { SecurityLabel } from './types.js';

/**
 * Label-to-data binding in the spirit of STANAG 4778 (docs/labels.md §2.2): a detached JWS (RFC 7515
 * appendix F: the payload part left empty) with EdDSA/Ed25519 node keys over
 * canonicalJson({dataDigest: "sha-256:<b64url>", label}). Not the official JSON BDO (its member
 * names are not public); the payload shape is Kizuna's own.
 *
 * Hot path (federation signs and verifies every object): node:crypto Ed25519 on KeyObjects imported
 * once per key. Ed25519 is deterministic, so the JWS is byte-identical to the jose-produced one;
 * test/federation/binding-interop.test.ts cross-checks both ways against jose.
 */
const ALG = 'EdDSA';
const HEADER_B64 = Buffer.from(JSON.stringify({ alg: ALG })).toString('base64url');

export function bindingPayload(objectBytes: Uint8Array, label: SecurityLabel): Uint8Array {
  return payloadOf(objectBytes, canonicalLabelJson(label));
}

/**
 * = canonicalJson({ dataDigest, label: normalizeLabel(label) }) (keys in sorted order; base64url needs no
 * JSON escaping). One-shot crypto.hash: about twice as fast as createHash for small inputs.
 */
function payloadString(objectBytes: Uint8Array, canonicalLabel: string): string {
  return `{"dataDigest":"sha-256:${hash('sha256', objectBytes, 'base64url')}","label":${canonicalLabel}}`;
}
function payloadOf(objectBytes: Uint8Array, canonicalLabel: string): Buffer {
  return Buffer.from(payloadString(objectBytes, canonicalLabel));
}

/**
 * canonicalJson(normalizeLabel(label)), memoised: a node binds and checks thousands of objects under a
 * handful of distinct labels. Keyed by the label's plain JSON (not object identity), so an equal label
 * built anew hits and a mutated one misses.
 */
const MAX_CANONICAL = 1024;
const canonicalLabels = new Map<string, string>();
export function canonicalLabelJson(label: SecurityLabel): string {
  const key = JSON.stringify(label);
  let c = canonicalLabels.get(key);
  if (c === undefined) {
    c = canonicalJson(normalizeLabel(label));
    if (canonicalLabels.size >= MAX_CANONICAL) canonicalLabels.clear();
    canonicalLabels.set(key, c);
  }
  return c;
}

export async function generateBindingKeys(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

// Imported keys by key material (not object identity: an edited JWK must never reuse a stale key).
const MAX_CACHED_KEYS = 256;
const keyCache = new Map<string, KeyObject>();

function keyOf(jwk: JWK, kind: 'private' | 'public'): KeyObject {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 JWK');
  if (kind === 'private' && typeof jwk.d !== 'string') throw new TypeError('not a private JWK');
  const id = `${kind}|${jwk.x}|${kind === 'private' ? jwk.d : ''}`;
  let k = keyCache.get(id);
  if (!k) {
    const material = { kty: 'OKP', crv: 'Ed25519', x: jwk.x, ...(kind === 'private' ? { d: jwk.d } : {}) };
    k = kind === 'private' ? createPrivateKey({ key: material, format: 'jwk' }) : createPublicKey({ key: material, format: 'jwk' });
    if (keyCache.size >= MAX_CACHED_KEYS) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, k);
  }
  return k;
}

export async function signBinding(privateJwk: JWK, objectBytes: Uint8Array, label: SecurityLabel): Promise<string> {
  const payload = Buffer.from(bindingPayload(objectBytes, label)).toString('base64url');
  const sig = sign(null, Buffer.from(`${HEADER_B64}.${payload}`), keyOf(privateJwk, 'private'));
  return `${HEADER_B64}..${sig.toString('base64url')}`;
}

/** false on any mismatch or malformed input (never throws): the caller denies and alerts. */
export async function verifyBinding(publicJwk: JWK, jws: string, objectBytes: Uint8Array, label: SecurityLabel): Promise<boolean> {
  try {
    const parts = typeof jws === 'string' ? jws.split('.') : [];
    if (parts.length !== 3 || parts[1] !== '') return false;
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    // Only {"alg":"EdDSA"} (no crit, no b64=false, nothing this verifier would have to understand).
    if (header === null || typeof header !== 'object' || header.alg !== ALG || Object.keys(header).length !== 1) return false;
    const payload = Buffer.from(bindingPayload(objectBytes, label)).toString('base64url');
    const sig = Buffer.from(parts[2]!, 'base64url');
    if (sig.length !== 64) return false;
    return verify(null, Buffer.from(`${parts[0]}.${payload}`), keyOf(publicJwk, 'public'), sig);
  } catch {
    return false;
  }
}

/**
 * Per-object binding digest (protocol v3 batch binding): sha-256 over exactly what a single binding JWS
 * signs (canonicalJson({dataDigest, label})), so each object stays individually bound to its label.
 */
export function bindingDigest(objectBytes: Uint8Array, label: SecurityLabel): Buffer {
  return bindingDigestOf(objectBytes, canonicalLabelJson(label));
}
/** bindingDigest with the label already in canonical form (canonicalLabelJson), for hot paths. */
export function bindingDigestOf(objectBytes: Uint8Array, canonicalLabel: string): Buffer {
  return hash('sha256', payloadString(objectBytes, canonicalLabel), 'buffer');
}

/** Signing input of a batch: the ordered digest list (empty entries allowed: objects bound on their own). */
function batchSigningInput(digests: readonly Uint8Array[]): Buffer {
  const payload = canonicalJson({ kizunaBatchBinding: 1, digests: digests.map((d) => Buffer.from(d).toString('base64url')) });
  return Buffer.from(`${HEADER_B64}.${Buffer.from(payload).toString('base64url')}`);
}

/** One detached JWS (EdDSA) over an ordered list of binding digests: one signature per batch of objects. */
export function signBatchBinding(privateJwk: JWK, digests: readonly Uint8Array[]): string {
  const sig = sign(null, batchSigningInput(digests), keyOf(privateJwk, 'private'));
  return `${HEADER_B64}..${sig.toString('base64url')}`;
}

/** false on any mismatch or malformed input (never throws). */
export function verifyBatchBinding(publicJwk: JWK, jws: string, digests: readonly Uint8Array[]): boolean {
  try {
    const parts = typeof jws === 'string' ? jws.split('.') : [];
    if (parts.length !== 3 || parts[1] !== '' || parts[0] !== HEADER_B64) return false;
    const sig = Buffer.from(parts[2]!, 'base64url');
    if (sig.length !== 64) return false;
    return verify(null, batchSigningInput(digests), keyOf(publicJwk, 'public'), sig);
  } catch {
    return false;
  }
}
