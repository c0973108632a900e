import { describe, expect, it } from 'vitest';
import { isKizunaError } from '../util/errors.js';
import { loadPolicies } from '../labels/index.js';
import type { SecurityLabel } from '../labels/types.js';
import { assertWithinClearance, audienceOf, labelFromInput } from './registry.js';

const registry = loadPolicies();
const rel = (values: string[]) => [{ tagSet: 'Releasable To', type: 'permissive' as const, values }];

describe('write-up protection (assertWithinClearance)', () => {
  const low = audienceOf(registry, 'JPN', 'UNCLASSIFIED');
  it('refuses a label of a foreign policy above the writer clearance (it used to skip foreign policies)', () => {
    const ts: SecurityLabel = { policy: 'USA', classification: 'TOP SECRET', categories: rel(['JPN', 'USA']), owner: 'JPN', createdAt: new Date().toISOString() };
    let err: unknown;
    try {
      assertWithinClearance(registry, registry.validate(ts), low);
    } catch (e) {
      err = e;
    }
    expect(isKizunaError(err, 'FORBIDDEN')).toBe(true);
    expect(() => labelFromInput(registry, { nation: 'JPN', input: ts as never, defaultRelTo: ['JPN'], audience: low, now: Date.now() })).toThrow(/clearance/);
  });
  it('accepts a foreign-policy label that translates to within the clearance, and own-policy labels up to it', () => {
    const u: SecurityLabel = { policy: 'USA', classification: 'UNCLASSIFIED', categories: rel(['JPN', 'USA']), owner: 'JPN', createdAt: new Date().toISOString() };
    expect(() => assertWithinClearance(registry, registry.validate(u), low)).not.toThrow();
    const hi = audienceOf(registry, 'JPN', 'HI');
    const own = labelFromInput(registry, { nation: 'JPN', input: { classification: 'HI' }, defaultRelTo: ['JPN'], audience: hi, now: Date.now() });
    expect(own.classification).toBe('HI');
    expect(() => labelFromInput(registry, { nation: 'JPN', input: { classification: 'GOKUHI' }, defaultRelTo: ['JPN'], audience: hi, now: Date.now() })).toThrow(/clearance/);
  });
});
