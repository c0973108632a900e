import { describe, expect, it } from 'vitest';
import { AgeHistogram, FanoutQueue } from './fanout-queue.js';

/**
 * A queue on a manual clock whose slices run only when the test says so. Each run advances the clock by
 * `costMs` (the fan-out work of one item), so `sliceMs` decides how many items one slice holds.
 */
function harness(o: { sliceMs?: number; maxWaitMs?: number; costMs?: number } = {}) {
  const clock = { t: 0 };
  const ran: string[] = [];
  const pending: (() => void)[] = [];
  let slices = 0;
  const q = new FanoutQueue<string>({
    run: (item) => {
      ran.push(item);
      clock.t += o.costMs ?? 1;
    },
    sliceMs: o.sliceMs ?? 1000,
    maxWaitMs: o.maxWaitMs ?? 10_000,
    now: () => clock.t,
    schedule: (fn) => pending.push(fn),
    onSlice: () => slices++,
  });
  /** runs one scheduled slice; false when none was scheduled */
  const slice = (): boolean => {
    const fn = pending.shift();
    fn?.();
    return fn !== undefined;
  };
  const drain = () => {
    while (slice());
  };
  return { q, ran, clock, slice, drain, slices: () => slices, scheduled: () => pending.length };
}

const pos = (uid: string, time: number, sender = 's1') => ({ uid, sender, time });

describe('fan-out queue: ordered traffic first and never dropped, positions conflated per uid', () => {
  it('runs nothing until its slice; ordered traffic in order, positions after it', () => {
    const { q, ran, drain, scheduled } = harness();
    q.pushPosition('A@1', pos('A', 1));
    q.pushOrdered('chat-1', ['chat-1']);
    q.pushOrdered('alert-1', ['alert-1']);
    expect(ran).toEqual([]);
    expect(scheduled()).toBe(1);
    drain();
    expect(ran).toEqual(['chat-1', 'alert-1', 'A@1']);
    expect(q.waiting).toBe(0);
  });

  it('a newer position of the same sender replaces the waiting one; an older one is skipped', () => {
    const { q, ran, drain } = harness();
    q.pushPosition('A@1', pos('A', 1));
    q.pushPosition('A@3', pos('A', 3));
    q.pushPosition('A@2', pos('A', 2)); // older than the waiting one: never replaces it
    drain();
    expect(ran).toEqual(['A@3']);
    expect(q.stats.conflated).toBe(2);
  });

  it("another sender's position of the same uid seals the waiting one: both are delivered, in order", () => {
    const { q, ran, drain } = harness();
    q.pushPosition('A@1 from s1', pos('A', 1, 's1'));
    q.pushPosition('A@2 from s2', pos('A', 2, 's2'));
    q.pushPosition('A@3 from s2', pos('A', 3, 's2'));
    drain();
    expect(ran).toEqual(['A@1 from s1', 'A@3 from s2']);
  });

  it('a delete seals the waiting position of its target: the position goes before the delete, a later one after it', () => {
    const { q, ran, drain } = harness();
    q.pushPosition('A@1', pos('A', 1));
    q.pushPosition('B@1', pos('B', 1));
    q.pushOrdered('delete A', ['del-1', 'A']);
    q.pushPosition('A@2', pos('A', 2));
    drain();
    expect(ran.indexOf('A@1')).toBeLessThan(ran.indexOf('delete A'));
    expect(ran.indexOf('delete A')).toBeLessThan(ran.indexOf('A@2'));
    expect(ran.sort()).toEqual(['A@1', 'A@2', 'B@1', 'delete A']);
  });

  it('the most recently refreshed position goes first; one waiting maxWaitMs goes before fresher ones', () => {
    const { q, ran, clock, drain } = harness({ maxWaitMs: 100 });
    q.pushPosition('A@0', pos('A', 0));
    clock.t = 10;
    q.pushPosition('B@10', pos('B', 10));
    clock.t = 20;
    q.pushPosition('C@20', pos('C', 20));
    clock.t = 30;
    q.pushPosition('A@30', pos('A', 30)); // A refreshed: now the freshest
    drain();
    expect(ran).toEqual(['A@30', 'C@20', 'B@10']);

    ran.length = 0;
    clock.t = 1000;
    q.pushPosition('S@1000', pos('S', 1000)); // a sender that then stops
    clock.t = 1200; // S has waited past maxWaitMs
    q.pushPosition('F@1200', pos('F', 1200));
    drain();
    expect(ran).toEqual(['S@1000', 'F@1200']);
    expect(q.stats.overdue).toBe(1);
  });

  it('yields after sliceMs of work and goes on in the next slice; nothing ordered is lost on the way', () => {
    const { q, ran, slice, slices, scheduled } = harness({ sliceMs: 5, costMs: 1 });
    const expected: string[] = [];
    for (let i = 0; i < 20; i++) {
      q.pushOrdered(`chat-${i}`, [`chat-${i}`]);
      expected.push(`chat-${i}`);
      q.pushPosition(`P@${i}`, pos('P', i));
    }
    expect(slice()).toBe(true);
    expect(ran).toHaveLength(5); // one slice holds sliceMs / costMs items
    expect(scheduled()).toBe(1); // and schedules the next
    // traffic arriving between slices joins the queue
    q.pushOrdered('alert-late', ['alert-late']);
    expected.push('alert-late');
    while (slice());
    expect(ran.filter((x) => !x.startsWith('P@'))).toEqual(expected);
    expect(ran.filter((x) => x.startsWith('P@'))).toEqual(['P@19']);
    expect(slices()).toBe(5);
    expect(q.waiting).toBe(0);
  });

  it('stays bounded by the number of uids however many positions arrive', () => {
    const { q, ran, clock, drain } = harness();
    for (let i = 0; i < 10_000; i++) {
      clock.t = i;
      q.pushPosition(`U${i % 7}@${i}`, pos(`U${i % 7}`, i));
    }
    expect(q.waiting).toBe(7);
    drain();
    expect([...ran].sort()).toEqual(['U0@9996', 'U1@9997', 'U2@9998', 'U3@9999', 'U4@9993', 'U5@9994', 'U6@9995']);
  });
});

describe('age histogram', () => {
  it('bounds each quantile by a power of two, whatever the count', () => {
    const h = new AgeHistogram();
    expect(h.quantile(0.5)).toBeNaN();
    for (let i = 0; i < 98; i++) h.record(3); // [2, 4)
    h.record(0.5);
    h.record(5000); // [4096, 8192)
    expect(h.quantile(0.5)).toBe(4);
    expect(h.quantile(0.98)).toBe(4);
    expect(h.quantile(0.99)).toBe(8192); // the 100th of 100 ages
    h.record(1e12); // far beyond the last bucket: counted in it
    expect(h.count).toBe(101);
  });
});
