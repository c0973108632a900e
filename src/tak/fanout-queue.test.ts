import { describe, expect, it } from 'vitest';
import { AgeHistogram, FanoutQueue } from './fanout-queue.js';

/**
 * A queue on a manual clock whose slices run only when the test says so. Each run advances the clock by
 * `costMs` (the fan-out work of one item), so `sliceMs` decides how many items one slice holds.
 */
function harness(o: { sliceMs?: number; maxWaitMs?: number; costMs?: number; maxAgeMs?: number; behindMs?: number; maxUnseenMs?: number } = {}) {
  const clock = { t: 0 };
  const ran: string[] = [];
  /** the clock when each item started running */
  const ranAt: number[] = [];
  const pending: (() => void)[] = [];
  /** timers set while only parked positions wait: [due, fn] */
  const timers: [number, () => void][] = [];
  let slices = 0;
  const q = new FanoutQueue<string>({
    run: (item) => {
      ran.push(item);
      ranAt.push(clock.t);
      clock.t += o.costMs ?? 1;
    },
    sliceMs: o.sliceMs ?? 1000,
    maxWaitMs: o.maxWaitMs ?? 10_000,
    ...(o.maxAgeMs !== undefined ? { maxAgeMs: o.maxAgeMs } : {}),
    ...(o.behindMs !== undefined ? { behindMs: o.behindMs } : {}),
    ...(o.maxUnseenMs !== undefined ? { maxUnseenMs: o.maxUnseenMs } : {}),
    now: () => clock.t,
    schedule: (fn) => pending.push(fn),
    timer: (fn, ms) => timers.push([clock.t + ms, fn]),
    onSlice: () => slices++,
  });
  /** moves the clock to `t` and fires the timers due by then */
  const advance = (t: number) => {
    clock.t = t;
    for (const [due, fn] of timers.splice(0).sort((a, b) => a[0] - b[0])) {
      if (due <= t) fn();
      else timers.push([due, fn]);
    }
  };
  /** runs one scheduled slice; false when none was scheduled */
  const slice = (): boolean => {
    const fn = pending.shift();
    fn?.();
    return fn !== undefined;
  };
  const drain = () => {
    while (slice());
  };
  return { q, ran, ranAt, clock, slice, drain, advance, timers, slices: () => slices, scheduled: () => pending.length };
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

  it('the uid shown longest ago goes first (never shown: in order of refresh); one waiting maxWaitMs before all', () => {
    const { q, ran, clock, drain } = harness({ maxWaitMs: 100 });
    q.pushPosition('A@0', pos('A', 0));
    clock.t = 10;
    q.pushPosition('B@10', pos('B', 10));
    clock.t = 20;
    q.pushPosition('C@20', pos('C', 20));
    clock.t = 30;
    q.pushPosition('A@30', pos('A', 30)); // A refreshed: among uids never shown, the order of refresh
    drain();
    expect(ran).toEqual(['B@10', 'C@20', 'A@30']);

    // now B, C, A were shown in that order: their next positions go B, C, A whatever order they arrive in
    ran.length = 0;
    clock.t = 50;
    for (const u of ['A', 'C', 'B']) q.pushPosition(`${u}@50`, pos(u, 50));
    q.pushPosition('N@50', pos('N', 50)); // a new track goes before the shown ones
    drain();
    expect(ran).toEqual(['N@50', 'B@50', 'C@50', 'A@50']);

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

describe('fan-out queue under overload: late positions parked, every uid in turn, none frozen', () => {
  const late = { maxAgeMs: 100, behindMs: 10, maxWaitMs: 1000, maxUnseenMs: 5000 };
  /**
   * A shown at t=0; at t=200 a late A (time 50), a fresh new B and a chat wait 20 ms; slices of 1 ms (one
   * item each), so the chat's slice runs out of time with work left: the queue is behind when A's turn comes
   */
  function parkedA() {
    const h = harness({ ...late, sliceMs: 1 });
    h.q.pushPosition('A@0', pos('A', 0));
    h.drain();
    h.clock.t = 200;
    h.q.pushPosition('A@50', pos('A', 50));
    h.q.pushPosition('B@195', pos('B', 195));
    h.q.pushOrdered('chat', ['chat']);
    h.clock.t = 220;
    h.drain();
    return h;
  }

  it('parks a late position of a uid shown lately; sends its fresh replacement; ordered traffic is unaffected', () => {
    const { q, ran, clock, drain, scheduled, timers } = parkedA();
    expect(ran).toEqual(['A@0', 'chat', 'B@195']);
    expect(q.stats.parked).toBe(1);
    expect([q.waiting, q.ready, q.busyMs(), scheduled()]).toEqual([1, 0, 0, 0]); // asleep: parked is not work
    expect(timers.map(([due]) => due)).toEqual([1200]); // wakes when the parked one is overdue
    clock.t = 300;
    q.pushPosition('A@290', pos('A', 290));
    drain();
    expect(ran.slice(3)).toEqual(['A@290']);
    expect(q.waiting).toBe(0);
  });

  it('a parked position that is not replaced goes once it has waited maxWaitMs (its sender stopped)', () => {
    const { q, ran, advance, drain } = parkedA();
    advance(1199);
    drain();
    expect(ran).not.toContain('A@50');
    advance(1200);
    drain();
    expect(ran.at(-1)).toBe('A@50');
    expect(q.stats.overdue).toBe(1);
    expect(q.waiting).toBe(0);
  });

  it('parks nothing while not behind: a sender whose clock runs behind is not thinned below the overload', () => {
    const { q, ran, clock, drain } = harness(late);
    q.pushPosition('A@0', pos('A', 0));
    drain();
    clock.t = 5000;
    q.pushPosition('A@50', pos('A', 50)); // 4.95 s "old" by its own clock
    drain();
    expect(ran).toEqual(['A@0', 'A@50']);
    expect(q.stats.parked).toBe(0);
  });

  it('a stalled event loop is not an overload: nothing is parked before a slice has run out of time', () => {
    const { q, ran, clock, drain } = harness(late); // one slice holds everything
    q.pushPosition('A@0', pos('A', 0));
    drain();
    clock.t = 200;
    q.pushPosition('A@50', pos('A', 50));
    clock.t = 5000; // the loop was busy elsewhere for 4.8 s before the slice ran
    drain();
    expect(ran).toEqual(['A@0', 'A@50']);
    expect(q.stats.parked).toBe(0);
  });

  it('sends a late position of a uid never shown, or not shown for maxUnseenMs: none is frozen', () => {
    const { q, ran, clock, drain } = harness({ ...late, sliceMs: 1 });
    clock.t = 1; // shown at 1: before it, only uids never shown
    q.pushPosition('A@0', pos('A', 0));
    drain();
    clock.t = 6000;
    q.pushOrdered('chat', ['chat']); // its slice runs out of time with work left: behind from then on
    q.pushPosition('A@5800', pos('A', 5800)); // shown 6 s ago
    q.pushPosition('N@5000', pos('N', 5000)); // a new track
    clock.t = 6100;
    drain();
    expect(ran).toEqual(['A@0', 'chat', 'N@5000', 'A@5800']);
    expect([q.stats.parked, q.stats.sentLate]).toEqual([0, 2]);
  });

  it('only ordered traffic counts as a backlog to hold input for; positions conflate and park here', () => {
    const { q, clock, slice } = harness({ ...late, sliceMs: 1 });
    for (let i = 0; i < 5; i++) q.pushPosition(`P${i}@0`, pos(`P${i}`, 0));
    clock.t = 50;
    expect([q.busyMs(), q.orderedBusyMs()]).toEqual([50, 0]);
    q.pushOrdered('chat-1', ['chat-1']);
    q.pushOrdered('chat-2', ['chat-2']);
    clock.t = 80;
    expect(q.orderedBusyMs()).toBe(30);
    slice(); // runs chat-1 (1 ms: the slice is full)
    expect(q.orderedBusyMs()).toBe(31);
    slice(); // chat-2: ordered traffic has drained
    expect(q.orderedBusyMs()).toBe(0);
    expect(q.busyMs()).toBeGreaterThan(0);
  });

  it('a lasting overload: what is sent is fresh and every uid is shown in turn', () => {
    // 10 uids report every 100 ms (staggered); a fan-out costs 30 ms, so about a third can be sent
    const h = harness({ ...late, maxAgeMs: 50, costMs: 30, sliceMs: 10 });
    const uids = 10;
    const periodMs = 100;
    let arrivals = 0;
    for (let next = 0; h.clock.t < 5000; ) {
      for (; next <= h.clock.t; next += periodMs / uids) {
        const u = (next / (periodMs / uids)) % uids;
        h.q.pushPosition(`U${u}@${next}`, pos(`U${u}`, next));
        arrivals++;
      }
      if (!h.slice()) h.clock.t++;
    }
    // a uid's first position is sent however late (a new track must appear); every later one is fresh
    const seen = new Set<string>();
    const ages = h.ran.flatMap((x, i) => {
      const [u, t] = x.split('@');
      const first = !seen.has(u!);
      seen.add(u!);
      return first ? [] : [h.ranAt[i]! - Number(t)];
    });
    expect(ages.length).toBeGreaterThan(100);
    expect(Math.max(...ages)).toBeLessThanOrEqual(50);
    const shown = new Map<string, number[]>();
    h.ran.forEach((x, i) => shown.set(x.split('@')[0]!, [...(shown.get(x.split('@')[0]!) ?? []), h.ranAt[i]!]));
    expect(shown.size).toBe(uids);
    for (const times of shown.values()) {
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(Math.max(...gaps)).toBeLessThan(late.maxWaitMs);
    }
    expect(h.ran.length).toBeLessThan(arrivals / 2);
    expect(h.q.stats.parked).toBeGreaterThan(0);
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
