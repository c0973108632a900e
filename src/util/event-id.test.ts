import { describe, expect, it } from 'vitest';
import { newEventId } from './event-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('is a lowercase UUIDv7 whose first 48 bits are the Unix ms', () => {
    const at = Date.UTC(2026, 11, 3, 6, 0, 0, 123);
    const id = newEventId(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('orders by millisecond, and within one says nothing about how many ids were made between two', () => {
    const at = Date.UTC(2030, 0, 1);
    const ids = Array.from({ length: 10_000 }, () => newEventId(at));
    for (const id of ids) expect(id).toMatch(V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect(newEventId(at + 1) > ids.reduce((a, b) => (a > b ? a : b))).toBe(true);
    // the 12 bits after the version are random, not a process-wide sequence a partner could count gaps in
    const randA = ids.map((id) => parseInt(id.slice(15, 18), 16));
    const rising = randA.filter((v, k) => k > 0 && v > randA[k - 1]!).length;
    expect(rising).toBeGreaterThan(4_000);
    expect(rising).toBeLessThan(6_000);
    expect(new Set(randA).size).toBeGreaterThan(3_000);
  });

  it('differs between calls in its random bits (ids of two processes do not collide)', () => {
    const tails = new Set(Array.from({ length: 2_000 }, () => newEventId().slice(19)));
    expect(tails.size).toBe(2_000);
  });
});
