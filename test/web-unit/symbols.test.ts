import { describe, expect, it } from 'vitest';
import { classifyCotType, cotTypeToSidc } from '../../web/src/symbols.js';

describe('cotTypeToSidc', () => {
  const table: [string, string][] = [
    ['a-f-G-U-C', 'SFGPUC----*****'],
    ['a-f-G-U-C-I', 'SFGPUCI---*****'],
    ['a-h-A-M-F', 'SHAPMF----*****'],
    ['a-n-S', 'SNSP------*****'],
    ['a-u-U', 'SUUP------*****'],
    ['a-f-P', 'SFPP------*****'],
    ['a-f-F', 'SFFP------*****'],
    ['a-a-G', 'SAGP------*****'],
    ['a-s-S', 'SSSP------*****'],
    ['a-j-A', 'SJAP------*****'],
    ['a-k-A', 'SKAP------*****'],
    ['a-p-G', 'SPGP------*****'],
    ['a-o-G', 'SOGP------*****'],
    ['a-f-G-E-V', 'SFGPEV----*****'],
    ['a-h-S-C-L-C-C', 'SHSPCLCC--*****'],
    // unknown function id → the dimension's generic symbol
    ['a-f-G-Q-Q-Q', 'SFGP------*****'],
    ['a-f-G-U-C-I-Z-Z-Z-Z', 'SFGP------*****'],
    ['a-h-A-m-f', 'SHAP------*****'],
    // unknown affiliation → U; unknown or missing dimension → Z
    ['a-x-G-U-C', 'SUGPUC----*****'],
    ['a-f-Q', 'SFZP------*****'],
    ['a-f', 'SFZP------*****'],
    // non-atoms and garbage → unknown/unknown
    ['b-m-p-s-m', 'SUZP------*****'],
    ['', 'SUZP------*****'],
    ['---', 'SUZP------*****'],
  ];
  it.each(table)('%s → %s', (type, sidc) => {
    const out = cotTypeToSidc(type);
    expect(out).toBe(sidc);
    expect(out).toHaveLength(15);
  });

  it('never throws on non-string input', () => {
    expect(cotTypeToSidc(undefined as unknown as string)).toBe('SUZP------*****');
  });

  it('classifies atoms', () => {
    expect(classifyCotType('a-h-S-X')).toEqual({ affiliation: 'H', dimension: 'S', functionAtoms: ['X'], isAtom: true });
  });
});
