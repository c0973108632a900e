import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.js';
import type { LabelCategory, SecurityLabel } from './types.js';

/** Canonical JSON (RFC 8785): one implementation for the whole code base, in src/util. */
export { canonicalJson };

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(cmp);
}

/**
 * Structural normal form (no policy knowledge): values sorted and de-duplicated, categories sorted by
 * tag set then type, duplicate (tagSet, type) categories merged, optional members dropped when absent.
 * Case is kept: spelling is fixed by `registry.validate`, which knows the SPIF names.
 */
export function normalizeLabel(label: SecurityLabel): SecurityLabel {
  const merged = new Map<string, LabelCategory>();
  for (const c of label.categories ?? []) {
    const key = `${c.tagSet}\u0000${c.type}`;
    const prev = merged.get(key);
    merged.set(key, { tagSet: c.tagSet, type: c.type, values: prev ? [...prev.values, ...c.values] : [...c.values] });
  }
  const categories = [...merged.values()]
    .map((c) => ({ tagSet: c.tagSet, type: c.type, values: sortedUnique(c.values) }))
    .sort((x, y) => cmp(x.tagSet, y.tagSet) || cmp(x.type, y.type));
  const out: SecurityLabel = {
    policy: label.policy,
    classification: label.classification,
    categories,
    owner: label.owner,
    createdAt: label.createdAt,
  };
  if (label.contributors !== undefined) out.contributors = sortedUnique(label.contributors);
  if (label.originator !== undefined) out.originator = { idType: label.originator.idType, value: label.originator.value };
  if (label.reviewAt !== undefined) out.reviewAt = label.reviewAt;
  return out;
}

/** sha-256 (base64url) of the canonical JSON of the normalised label: cache key and audit reference. */
export function labelDigest(label: SecurityLabel): string {
  return createHash('sha256').update(canonicalJson(normalizeLabel(label))).digest('base64url');
}
