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

  it('grows strictly within one millisecond, past the 12-bit counter, and when the clock steps back', () => {
    const at = Date.UTC(2030, 0, 1);
    const ids = Array.from({ length: 10_000 }, () => newEventId(at));
    ids.push(newEventId(at - 5_000));
    for (const id of ids) expect(id).toMatch(V7);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('differs between calls in its random bits (ids of two processes do not collide)', () => {
    const tails = new Set(Array.from({ length: 2_000 }, () => newEventId().slice(19)));
    expect(tails.size).toBe(2_000);
  });
});
