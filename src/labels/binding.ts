import { createHash } from 'node:crypto';
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { canonicalJson, normalizeLabel } from './canonical.js';
import type { SecurityLabel } from './types.js';

/**
 * Label-to-data binding in the spirit of STANAG 4778 (labels.md §2.2): a detached JWS (RFC 7515
 * appendix F: the payload part left empty) with EdDSA/Ed25519 node keys over
 * canonicalJson({dataDigest: "sha-256:<b64url>", label}). Not the official JSON BDO (its member
 * names are not public); the payload shape is Kizuna's own.
 */
const ALG = 'EdDSA';

export function bindingPayload(objectBytes: Uint8Array, label: SecurityLabel): Uint8Array {
  const dataDigest = `sha-256:${createHash('sha256').update(objectBytes).digest('base64url')}`;
  return new TextEncoder().encode(canonicalJson({ dataDigest, label: normalizeLabel(label) }));
}

export async function generateBindingKeys(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

export async function signBinding(privateJwk: JWK, objectBytes: Uint8Array, label: SecurityLabel): Promise<string> {
  const key = await importJWK(privateJwk, ALG);
  const jws = await new CompactSign(bindingPayload(objectBytes, label)).setProtectedHeader({ alg: ALG }).sign(key);
  const [header, , sig] = jws.split('.');
  return `${header}..${sig}`;
}

/** false on any mismatch or malformed input (never throws): the caller denies and alerts. */
export async function verifyBinding(publicJwk: JWK, jws: string, objectBytes: Uint8Array, label: SecurityLabel): Promise<boolean> {
  try {
    const parts = typeof jws === 'string' ? jws.split('.') : [];
    if (parts.length !== 3 || parts[1] !== '') return false;
    const payload = Buffer.from(bindingPayload(objectBytes, label)).toString('base64url');
    const key = await importJWK(publicJwk, ALG);
    await compactVerify(`${parts[0]}.${payload}.${parts[2]}`, key, { algorithms: [ALG] });
    return true;
  } catch {
    return false;
  }
}
