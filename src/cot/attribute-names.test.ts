import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKizunaError } from '../util/errors.js';
import { scanXml } from './xml-scan.js';

/** 'duplicate attribute' or undefined (accepted); any other outcome fails the test. */
function duplicateRefused(xml: string): boolean {
  try {
    scanXml(xml, 'document', 0);
    return false;
  } catch (err) {
    if (isKizunaError(err) && err.message.includes('duplicate attribute')) return true;
    throw err;
  }
}

const tag = (names: string[]): string => `<r${names.map((n, i) => ` ${n}="${i}"`).join('')}/>`;

describe('duplicate attribute check (span pairs, then a span hash set)', () => {
  // Names from a small alphabet so duplicates, shared prefixes and equal lengths are frequent.
  const name = fc.stringMatching(/^[ab][ab:.é-]{0,3}$/);

  it('refuses exactly the tags whose names are not all distinct (oracle: a Set of the names)', () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 60 }), (names) => {
        expect(duplicateRefused(tag(names))).toBe(new Set(names).size !== names.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a duplicate of the first name at the end of 5,000, and forgets names between tags', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `n${i}`);
    expect(duplicateRefused(tag([...many, 'n0']))).toBe(true);
    expect(duplicateRefused(tag([...many, 'n5000']))).toBe(false);
    // The same names on sibling elements are not duplicates; a big tag then small ones reuse the scratch space.
    const doc = `<r>${tag(many).replace('<r', '<a')}${tag(many.slice(0, 9)).replace('<r', '<b')}${tag(many.slice(0, 9)).replace('<r', '<c')}</r>`;
    expect(duplicateRefused(doc)).toBe(false);
  });
});
