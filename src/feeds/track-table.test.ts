import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate.js';
import { ConflatingTable } from './track-table.js';
import { waitFor } from '../../test/support/node-harness.js';

describe('ConflatingTable', () => {
  it('publishes the latest report of a turn at once and the latest of a later burst once the interval ends', async () => {
    const sent: [string, number][] = [];
    const batches: number[] = [];
    const t = new ConflatingTable<number>({ minIntervalMs: 1000, staleMs: 60_000, maxTracks: 10, maxPublishPerSecond: 1000 }, async (batch) => {
      batches.push(batch.length);
      for (const { uid, state } of batch) sent.push([uid, state]);
    });
    for (let i = 1; i <= 100; i++) t.update('a', () => i, () => true);
    t.update('b', () => 7, () => true);
    await waitFor(() => sent.length === 2, 'first batch');
    // both tracks of one event-loop turn in one batch, each with its latest state
    expect(batches).toEqual([2]);
    for (let i = 101; i <= 200; i++) t.update('a', () => i, () => true);
    await waitFor(() => sent.length === 3, 'latest after the interval');
    expect(sent).toEqual([
      ['a', 100],
      ['b', 7],
      ['a', 200],
    ]);
    await waitFor(() => t.idle, 'idle');
    t.close();
  });

  it('ends intervals on its own clock: a report after the end promotes what waited, in the same batch', async () => {
    let now = 1_000_000;
    const batches: string[][] = [];
    const t = new ConflatingTable<number>({ minIntervalMs: 1000, staleMs: 60_000, maxTracks: 10, maxPublishPerSecond: 1000, now: () => now }, async (batch) => {
      batches.push(batch.map((b) => `${b.uid}=${b.state}`));
    });
    t.update('a', () => 1, () => true);
    await waitFor(() => batches.length === 1, 'first batch');
    now += 500;
    t.update('a', () => 2, () => true);
    // the stream's clock passes the end of a's interval before any slot timer could fire
    now += 1000;
    t.update('b', () => 1, () => true);
    await waitFor(() => batches.length === 2, 'second batch');
    expect(batches).toEqual([['a=1'], ['a=2', 'b=1']]);
    await waitFor(() => t.idle, 'idle');
    t.close();
  });

  it('refuses new ids beyond maxTracks and forgets entries not heard for staleMs', () => {
    let now = 1_000_000;
    const t = new ConflatingTable<number>({ minIntervalMs: 0, staleMs: 5_000, maxTracks: 3, maxPublishPerSecond: 1, now: () => now }, async () => undefined);
    for (const id of ['a', 'b', 'c', 'd', 'e']) t.update(id, () => 1, () => false);
    expect(t.size).toBe(3);
    expect(t.refused).toBe(2);
    now += 6_000;
    t.update('a', () => 2, () => false);
    expect(t.sweep()).toBe(2);
    expect(t.size).toBe(1);
    t.close();
  });

  it('a report that does not refresh (static data) updates the entry but not its heard time: it still goes stale', () => {
    let now = 1_000_000;
    const t = new ConflatingTable<number>({ minIntervalMs: 0, staleMs: 5_000, maxTracks: 3, maxPublishPerSecond: 1, now: () => now }, async () => undefined);
    t.update('a', () => 1, () => false);
    now += 4_000;
    t.update('a', () => 2, () => false, false);
    expect(t.get('a')).toBe(2);
    now += 1_500;
    expect(t.sweep()).toBe(1);
    // a new id heard first through static data is kept for staleMs from then
    t.update('b', () => 1, () => false, false);
    now += 4_000;
    expect(t.sweep()).toBe(0);
    now += 1_500;
    expect(t.sweep()).toBe(1);
    t.close();
  });

  it('paces publishing with its token bucket (work queued is bounded by the tracks, not the messages)', async () => {
    let sent = 0;
    const t = new ConflatingTable<number>({ minIntervalMs: 0, staleMs: 60_000, maxTracks: 1000, maxPublishPerSecond: 1000 }, async (batch) => void (sent += batch.length));
    for (let round = 0; round < 50; round++) for (let i = 0; i < 20; i++) t.update(`v${i}`, () => round, () => true);
    // 1000 updates of 20 tracks: each track is queued at most once at any time
    await waitFor(() => t.idle, 'drained');
    expect(sent).toBeLessThanOrEqual(20 * 2);
    t.close();
  });
});

describe('TokenBucket', () => {
  it('admits the burst, then the rate', () => {
    let now = 0;
    const b = new TokenBucket(10, 5, () => now);
    let ok = 0;
    for (let i = 0; i < 20; i++) if (b.take()) ok++;
    expect(ok).toBe(5);
    now += 1000;
    ok = 0;
    for (let i = 0; i < 20; i++) if (b.take()) ok++;
    expect(ok).toBe(5); // refilled 10 but capped at the burst
    expect(b.waitMs()).toBe(100);
  });
});
