import { describe, it, expect } from 'vitest';
import { decideRange } from './range.js';

describe('decideRange (one bytes range, RFC 9110 §14)', () => {
  const part = (start: number, end: number) => ({ kind: 'part', start, end });
  const whole = { kind: 'whole' };
  const unsat = { kind: 'unsatisfiable' };

  it('first-last, open-ended and suffix ranges, clamped to the last byte', () => {
    expect(decideRange('bytes=0-0', 10)).toEqual(part(0, 0));
    expect(decideRange('bytes=2-5', 10)).toEqual(part(2, 5));
    expect(decideRange('bytes=2-500', 10)).toEqual(part(2, 9));
    expect(decideRange('bytes=7-', 10)).toEqual(part(7, 9));
    expect(decideRange('bytes=-3', 10)).toEqual(part(7, 9));
    expect(decideRange('bytes=-30', 10)).toEqual(part(0, 9));
    expect(decideRange('Bytes = 1-2', 10)).toEqual(part(1, 2));
    expect(decideRange('bytes=0-99999999999999999999999', 10)).toEqual(part(0, 9));
  });

  it('unsatisfiable: start at or past the end, zero-length suffix, any start on an empty file', () => {
    expect(decideRange('bytes=10-', 10)).toEqual(unsat);
    expect(decideRange('bytes=10-20', 10)).toEqual(unsat);
    expect(decideRange('bytes=99999999999999999999999-', 10)).toEqual(unsat);
    expect(decideRange('bytes=-0', 10)).toEqual(unsat);
    expect(decideRange('bytes=0-', 0)).toEqual(unsat);
  });

  it('whole file for no header, malformed headers, other units and several ranges', () => {
    for (const h of [undefined, '', 'bytes', 'bytes=', 'bytes=-', 'bytes=5-2', 'bytes=a-b', 'bytes=1-2-3', 'bytes= 1 - 2', 'items=0-1', 'bytes=0-1,4-5', 'bytes=0-1, 4-5', 'bytes=+1-2', 'bytes=0x1-2']) {
      expect(decideRange(h, 10), String(h)).toEqual(whole);
    }
    // an empty file has no bytes to describe for a suffix: its empty whole is sent
    expect(decideRange('bytes=-5', 0)).toEqual(whole);
  });
});
