import { describe, expect, it } from 'vitest';
import { WriteCoalescer } from './coalescer.js';
import { eventKey } from './common.js';
import { makeEvent } from './contract.js';
import type { StoredEvent } from './types.js';

function recordingWriter(fail?: (batch: StoredEvent[]) => boolean) {
  const batches: StoredEvent[][] = [];
  const stored = new Set<string>();
  const write = async (events: StoredEvent[]) => {
    batches.push(events);
    if (fail?.(events)) throw new Error('write failed');
    const fresh = new Set<string>();
    for (const e of events) if (!stored.has(eventKey(e))) fresh.add(eventKey(e));
    fresh.forEach((k) => stored.add(k));
    return fresh;
  };
  return { write, batches, stored };
}

describe('WriteCoalescer', () => {
  it('commits callers of the same tick in one write, each getting its own new ids', async () => {
    const w = recordingWriter();
    const c = new WriteCoalescer(w.write, { maxDelayMs: 2, maxEvents: 10_000 });
    const calls = Array.from({ length: 50 }, () => [makeEvent(), makeEvent()]);
    const results = await Promise.all(calls.map((evs) => c.submit(evs)));
    expect(w.batches).toHaveLength(1);
    expect(w.batches[0]).toHaveLength(100);
    results.forEach((ids, i) => expect(ids).toEqual(calls[i]!.map((e) => e.id)));
  });

  it('flushes at once when maxEvents are waiting', async () => {
    const w = recordingWriter();
    const c = new WriteCoalescer(w.write, { maxDelayMs: 60_000, maxEvents: 10 });
    await Promise.all(Array.from({ length: 20 }, () => c.submit([makeEvent()])));
    expect(w.batches.map((b) => b.length)).toEqual([10, 10]);
    const last = c.submit([makeEvent()]);
    await c.drain(); // a lone small batch is not held for the (long) window on drain
    expect(await last).toHaveLength(1);
  });

  it('credits a key submitted twice in one group to the first caller only', async () => {
    const w = recordingWriter();
    const c = new WriteCoalescer(w.write, { maxDelayMs: 2, maxEvents: 10_000 });
    const e = makeEvent();
    const [x, y] = await Promise.all([c.submit([e]), c.submit([e, makeEvent()])]);
    expect(x).toEqual([e.id]);
    expect(y).toHaveLength(1);
    expect(y).not.toContain(e.id);
  });

  it('a failing caller does not fail the others of its group', async () => {
    const poison = makeEvent({ xml: 'poison' });
    const w = recordingWriter((b) => b.some((e) => e.xml === 'poison'));
    const c = new WriteCoalescer(w.write, { maxDelayMs: 2, maxEvents: 10_000 });
    const good = [makeEvent(), makeEvent()];
    const results = await Promise.allSettled([c.submit([good[0]!]), c.submit([poison]), c.submit([good[1]!])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect([...w.stored]).toEqual(good.map(eventKey));
  });
});
