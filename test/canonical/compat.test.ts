import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/util/canonical-json.js';
import { isKizunaError } from '../../src/util/errors.js';
import { chainAudit, verifyAuditRows } from '../../src/coordination/audit.js';
import { bindingDigest, canonicalLabelJson, verifyBatchBinding, verifyBinding } from '../../src/labels/binding.js';
import { labelDigest } from '../../src/labels/canonical.js';
import type { SecurityLabel } from '../../src/labels/types.js';
import type { AuditDraft, AuditRow } from '../../src/store/types.js';
import { ownFixtures } from '../cot/fixtures.js';

/** Files written by the two hand-written serialisers this library replaced (see test/fixtures/canonical/README.md). */
const old = <T>(name: string): T => JSON.parse(readFileSync(join(ownFixtures, 'canonical', name), 'utf8')) as T;
const UNPAIRED = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const hasUnpaired = (v: unknown): boolean =>
  typeof v === 'string'
    ? UNPAIRED.test(v)
    : v !== null && typeof v === 'object' && Object.entries(v).some(([k, x]) => UNPAIRED.test(k) || hasUnpaired(x));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isKizunaError(err) ? err.code : 'not a KizunaError';
  }
  return undefined;
}

describe('canonical JSON (RFC 8785) is byte-compatible with what was hashed before', () => {
  const { vectors } = old<{ vectors: { value: unknown; labels: string; coordination: string }[] }>('old-canonical-vectors.json');

  it('every value the old serialisers accepted and RFC 8785 can represent gives the same bytes', () => {
    const representable = vectors.filter((v) => !hasUnpaired(v.value));
    expect(representable.length).toBeGreaterThan(25);
    for (const v of representable) {
      expect(canonicalJson(v.value), JSON.stringify(v.value)).toBe(v.labels);
      expect(canonicalJson(v.value)).toBe(v.coordination);
    }
  });

  it('strings with an unpaired surrogate (passed through before) are now refused as bad input', () => {
    const unpaired = vectors.filter((v) => hasUnpaired(v.value));
    expect(unpaired).toHaveLength(3);
    for (const v of unpaired) expect(codeOf(() => canonicalJson(v.value))).toBe('BAD_REQUEST');
  });

  it('other values without a JSON form are refused, never hashed alike', () => {
    for (const bad of [Number.NaN, Infinity, { x: -Infinity }, undefined, () => 1, { f: () => 1 }]) {
      expect(codeOf(() => canonicalJson(bad)), String(bad)).toBe('BAD_REQUEST');
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => canonicalJson(cyclic))).toBe('BAD_REQUEST');
    expect(canonicalJson({ s: 'a:undefined', u: undefined, arr: [undefined] })).toBe('{"arr":[null],"s":"a:undefined"}');
  });
});

describe('an audit chain written by the old code', () => {
  const { drafts, rows } = old<{ drafts: AuditDraft[]; rows: AuditRow[] }>('old-audit-chain.json');

  it('still verifies, including the row whose body the new serialiser would refuse', () => {
    expect(rows.some((r) => hasUnpaired(JSON.parse(r.body)))).toBe(true);
    expect(verifyAuditRows(rows)).toMatchObject({ ok: true, count: drafts.length, head: { seq: drafts.length, hash: rows.at(-1)!.hash } });
  });

  it('and chaining the same entries today gives the same hashes (new writes continue old chains seamlessly)', () => {
    drafts.forEach((d, i) => {
      if (hasUnpaired(d.body)) return;
      expect(chainAudit(rows[i - 1], d)).toEqual(rows[i]);
    });
  });

  it('a modified old row is still detected', () => {
    const tampered = rows.map((r) => ({ ...r }));
    tampered[1]!.body = tampered[1]!.body.replace('"qty":12', '"qty":13');
    expect(verifyAuditRows(tampered)).toMatchObject({ ok: false, seq: 2, problem: 'modified' });
  });
});

describe('label bindings signed by the old code', () => {
  const b = old<{
    publicJwk: Parameters<typeof verifyBinding>[0];
    label: SecurityLabel;
    objects: string[];
    jws: string;
    batchJws: string;
    digests: string[];
    canonicalLabel: string;
    labelDigest: string;
  }>('old-binding.json');
  const objects = b.objects.map((o) => Buffer.from(o, 'base64'));

  it('verify: single and batch bindings, same canonical label and digests', async () => {
    expect(canonicalLabelJson(b.label)).toBe(b.canonicalLabel);
    expect(labelDigest(b.label)).toBe(b.labelDigest);
    expect(await verifyBinding(b.publicJwk, b.jws, objects[0]!, b.label)).toBe(true);
    expect(objects.map((o) => bindingDigest(o, b.label).toString('base64url'))).toEqual(b.digests);
    expect(verifyBatchBinding(b.publicJwk, b.batchJws, objects.map((o) => bindingDigest(o, b.label)))).toBe(true);
  });

  it('and still refuse another object or a widened label', async () => {
    expect(await verifyBinding(b.publicJwk, b.jws, objects[1]!, b.label)).toBe(false);
    const wider = { ...b.label, categories: b.label.categories.map((c) => (c.tagSet === 'Releasable To' ? { ...c, values: [...c.values, 'PHL'] } : c)) };
    expect(await verifyBinding(b.publicJwk, b.jws, objects[0]!, wider)).toBe(false);
  });
});
