import { describe, expect, it } from 'vitest';
import { cotTime, cotTimeToMs } from './time.js';

describe('cotTimeToMs', () => {
  const base = Date.UTC(2015, 9, 15, 20, 30, 55);
  it.each([
    ['2015-10-15T20:30:55Z', base],
    ['2015-10-15T20:30:55.4Z', base + 400],
    ['2015-10-15T20:30:55.00Z', base],
    ['2015-10-15T20:30:55.851Z', base + 851],
    ['2015-10-15T20:30:55.123456Z', base + 123],
    ['2015-10-15T20:30:55', base],
    ['2015-10-15T22:30:55+02:00', base],
    ['2015-10-15T19:30:55.5-01:00', base + 500],
  ])('%s', (s, ms) => {
    expect(cotTimeToMs(s)).toBe(ms);
  });

  it.each(['TIME', '', '2015-10-15', '2015-13-15T20:30:55Z', '2015-10-15T25:30:55Z', '2015-10-15 20:30:55Z', ' 2015-10-15T20:30:55Z'])(
    '%j is not a time',
    (s) => {
      expect(cotTimeToMs(s)).toBeNaN();
    },
  );

  it('cotTime emits UTC with milliseconds and Z', () => {
    expect(cotTime(base + 4)).toBe('2015-10-15T20:30:55.004Z');
  });
});
