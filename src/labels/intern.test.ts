import { describe, expect, it } from 'vitest';
import { createLabelInterner } from './intern.js';
import type { SecurityLabel } from './types.js';

const label = (c: string): SecurityLabel => ({ policy: 'USA', classification: c, categories: [], owner: 'USA', createdAt: '2026-12-01T00:00:00Z' });

describe('label interner', () => {
  it('returns one object per distinct text or value, parsing each text once', () => {
    const i = createLabelInterner();
    let parses = 0;
    const parse = (t: string) => (parses++, JSON.parse(t) as SecurityLabel);
    const text = JSON.stringify(label('SECRET'));
    const a = i.byText(text, parse);
    expect(i.byText(text, parse)).toBe(a);
    expect(parses).toBe(1);
    const v = label('CONFIDENTIAL');
    expect(i.byValue(label('CONFIDENTIAL'))).not.toBe(undefined);
    expect(i.byValue(v)).toEqual(v);
    expect(i.byValue(label('CONFIDENTIAL'))).toBe(i.byValue(v));
  });

  it('stays bounded: cleared when full, then refills', () => {
    const i = createLabelInterner(2);
    const first = i.byValue(label('A'));
    i.byValue(label('B'));
    i.byValue(label('C')); // clears
    expect(i.byValue(label('A'))).not.toBe(first);
  });
});
