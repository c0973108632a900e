import canonicalize from 'canonicalize';
import { KizunaError } from './errors.js';

/**
 * The one canonical JSON of Kizuna (RFC 8785, JCS), used for everything that is hashed or signed: label
 * bindings and label digests, audit-chain bodies, the configuration digest.
 *
 * Serialisation is the `canonicalize` library's (keys sorted by UTF-16 code units, ECMAScript number
 * form, no whitespace, `undefined` members dropped, `undefined` array entries as null). It refuses what
 * RFC 8785 cannot represent: NaN and infinities, strings with an unpaired UTF-16 surrogate, cycles. Such
 * input is bad input (BAD_REQUEST), never silently rewritten: two different values must not hash alike.
 *
 * For every value these hashes were ever computed over, the bytes are those of the hand-written
 * serialisers this replaced (test/canonical/compat.test.ts checks vectors, an audit chain and bindings
 * made by the old code). The one difference is the refusal of unpaired surrogates, which the old code
 * passed through as `\udXXX` escapes; audit rows written before stay verifiable because a row's hash
 * covers its stored body string, which is never re-serialised.
 */
export function canonicalJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = canonicalize(value);
  } catch (cause) {
    throw new KizunaError('BAD_REQUEST', `value has no canonical JSON form: ${(cause as Error).message}`, { cause });
  }
  // A top-level undefined or function has no JSON form; a function member comes out as ":undefined".
  if (out === undefined || (out.includes(':undefined') && hasFunction(value))) throw new KizunaError('BAD_REQUEST', 'value has no canonical JSON form');
  return out;
}

function hasFunction(v: unknown): boolean {
  if (typeof v === 'function') return true;
  if (v === null || typeof v !== 'object') return false;
  return Object.values(v).some(hasFunction);
}
