import { createHash } from 'node:crypto';
import type { LabelCategory, SecurityLabel } from './types.js';

/**
 * Canonical JSON after RFC 8785 (JCS) for the values Kizuna signs and hashes: object keys sorted by
 * UTF-16 code units, no whitespace, `undefined` members dropped. Numbers use JSON.stringify, which
 * matches JCS for the integers and plain decimals labels contain.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

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
