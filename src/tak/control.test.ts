import { describe, expect, it } from 'vitest';
import { deleteTarget, isOwnSa } from './control.js';

describe('deleteTarget', () => {
  it('reads the first <link uid>, in any quoting, and ignores <link_attr> and links without a uid', () => {
    expect(deleteTarget('<link uid="A" relation="none" type="none"/><__forcedelete/>')).toBe('A');
    expect(deleteTarget("<link relation='p-p' uid='B'/>")).toBe('B');
    expect(deleteTarget('<link_attr uid="X"/><link relation="none"/><link uid="C"/>')).toBe('C');
    expect(deleteTarget('<link/>')).toBeUndefined();
    expect(deleteTarget('')).toBeUndefined();
    expect(deleteTarget('<link uid="D"')).toBe('D');
  });

  it('stays linear on hostile details: many <link without a closing >, many attributes', () => {
    // the former single regex backtracked across every `<link` (quadratic): these finish only if linear
    expect(deleteTarget('<link '.repeat(200_000))).toBeUndefined();
    expect(deleteTarget(`<link ${'a="1" '.repeat(100_000)}`)).toBeUndefined();
    expect(deleteTarget(`${'<link x="1">'.repeat(100_000)}<link uid="Z"/>`)).toBe('Z');
  });
});

describe('isOwnSa', () => {
  it('is a client SA only with <takv> or a contact endpoint', () => {
    const ev = (detailXml: string, type = 'a-f-G-U-C') => ({ uid: 'U', type, detailXml });
    expect(isOwnSa(ev('<contact callsign="A" endpoint="*:-1:stcp"/>'))).toBe(true);
    expect(isOwnSa(ev('<takv platform="ATAK"/>'))).toBe(true);
    expect(isOwnSa(ev('<contact callsign="AIS"/>'))).toBe(false);
    expect(isOwnSa(ev('<takv/>', 'b-t-f'))).toBe(false);
    expect(isOwnSa(ev('<contact '.repeat(100_000)))).toBe(false);
  });
});
