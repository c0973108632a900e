/**
 * The fan-out schedule of one process: stored events wait here for their turn to be written to every
 * addressed client, and the work runs in slices of at most `sliceMs` per event-loop turn, so reading
 * sockets, the HTTP API and timers get a turn between slices instead of waiting behind one burst (a
 * store commit of a thousand events used to fan out in a single turn: a million socket writes).
 *
 * What waits, and in which order:
 * - Traffic that may never be skipped (chat, alerts, deletes, directed events, non-positions) waits in
 *   order and goes first. It is never dropped or merged.
 * - A broadcast position waits in its uid's slot. A newer one from the same sender replaces it (newest by
 *   the position's own time). Among waiting positions the most recently refreshed goes first, so what
 *   is delivered while the node is behind is seconds fresher than a queue in arrival order could be. A
 *   position that has waited `maxWaitMs` without being replaced (its sender stopped or reports slowly)
 *   goes before fresher ones, so every uid's newest position is delivered however long the overload lasts.
 * - Ordering across the classes: an event that is not a replaceable position of uid X (a delete of X,
 *   another sender's position of X, any other event with uid X) seals X's waiting position, which then
 *   keeps its place in the ordered traffic just before that event. A later position of X cannot overtake
 *   the delete, and no sender's position is ever suppressed by another sender's.
 *
 * Memory: positions take one slot per uid; the ordered traffic is bounded by the caller, which holds new
 * input back while this queue is busy (see `busyMs`).
 */
export interface FanoutQueueOptions<T> {
  /** writes one item to every client it is addressed to (synchronous) */
  run(item: T): void;
  /** fan-out work per event-loop turn, in ms, before the next slice is scheduled */
  sliceMs: number;
  /** a waiting position not replaced within this many ms goes before fresher ones */
  maxWaitMs: number;
  now?: () => number;
  /** schedules the next slice (default: setImmediate, i.e. after the pending I/O) */
  schedule?: (fn: () => void) => void;
  /** called after a slice once ordered traffic has drained (to resume paused senders) */
  onSlice?(): void;
}

/** A broadcast position: `sender` names whoever may replace it (a client of a process). */
export interface Replaceable {
  uid: string;
  sender: string;
  /** the position's own time (ms): an older one never replaces a newer one */
  time: number;
}

export interface FanoutQueueStats {
  /** positions replaced (or outdated on arrival) before their turn: skipped for every client */
  conflated: number;
  /** positions delivered because they had waited maxWaitMs */
  overdue: number;
}

interface Slot<T> extends Replaceable {
  item: T;
  /** when its current content arrived */
  at: number;
  /** bumped at every replacement: a stack entry with an older seq is stale */
  seq: number;
}

export class FanoutQueue<T> {
  private fixed: (T | undefined)[] = [];
  private head = 0;
  /** uid → waiting position; Map order = order of the latest replacement (oldest content first) */
  private readonly slots = new Map<string, Slot<T>>();
  /** slots by refresh, newest on top; entries are checked against the slot's seq when popped */
  private stack: { slot: Slot<T>; seq: number }[] = [];
  private seq = 0;
  private scheduled = false;
  /** since when something has waited without a break (undefined while empty) */
  private busySince: number | undefined;
  readonly stats: FanoutQueueStats = { conflated: 0, overdue: 0 };

  constructor(private readonly o: FanoutQueueOptions<T>) {}

  /** Ordered traffic waiting (positions excluded). */
  get fixedWaiting(): number {
    return this.fixed.length - this.head;
  }

  get waiting(): number {
    return this.fixedWaiting + this.slots.size;
  }

  /** How long items have waited without the queue running empty in between (0 while empty). */
  busyMs(): number {
    return this.busySince === undefined ? 0 : this.now() - this.busySince;
  }

  /** Queues a broadcast position; replaces the waiting one of the same uid and sender. */
  pushPosition(item: T, pos: Replaceable): void {
    const slot = this.slots.get(pos.uid);
    let s: Slot<T>;
    if (slot && slot.sender === pos.sender) {
      this.stats.conflated++;
      if (pos.time < slot.time) return; // outdated on arrival
      this.slots.delete(pos.uid); // re-inserted below: Map order follows the latest refresh
      s = Object.assign(slot, { item, time: pos.time, at: this.now(), seq: ++this.seq });
    } else {
      if (slot) this.seal(pos.uid);
      s = { uid: pos.uid, sender: pos.sender, time: pos.time, item, at: this.now(), seq: ++this.seq };
    }
    this.slots.set(pos.uid, s);
    this.stack.push({ slot: s, seq: s.seq });
    if (this.stack.length > 2 * this.slots.size + 64) this.compact();
    this.wake();
  }

  /** Queues traffic that keeps its order; `touches` = uids it writes or deletes (their positions are sealed). */
  pushOrdered(item: T, touches: readonly (string | undefined)[]): void {
    for (const uid of touches) if (uid !== undefined) this.seal(uid);
    this.fixed.push(item);
    this.wake();
  }

  /** A waiting position of `uid` becomes ordered traffic: it keeps its turn before what follows. */
  private seal(uid: string): void {
    const slot = this.slots.get(uid);
    if (!slot) return;
    this.slots.delete(uid);
    this.fixed.push(slot.item);
  }

  private wake(): void {
    this.busySince ??= this.now();
    if (this.scheduled) return;
    this.scheduled = true;
    (this.o.schedule ?? setImmediate)(this.slice);
  }

  /** Runs waiting items for up to sliceMs, then yields to the event loop if any are left. */
  private readonly slice = (): void => {
    this.scheduled = false;
    const start = this.now();
    try {
      for (let item = this.next(start); item !== undefined; item = this.next()) {
        this.o.run(item.value);
        if (this.now() - start >= this.o.sliceMs) break;
      }
    } finally {
      if (this.waiting > 0) this.wake();
      else this.busySince = undefined;
      this.o.onSlice?.();
    }
  };

  /** The next item by the rules above, or undefined when nothing waits. */
  private next(now = this.now()): { value: T } | undefined {
    if (this.head < this.fixed.length) return { value: this.shiftFixed() };
    const oldest = this.slots.values().next().value;
    if (oldest === undefined) return undefined;
    if (now - oldest.at >= this.o.maxWaitMs) {
      this.stats.overdue++;
      return { value: this.take(oldest) };
    }
    for (;;) {
      const top = this.stack.pop();
      if (top === undefined) return { value: this.take(oldest) }; // unreachable while slots and stack agree
      if (top.slot.seq === top.seq && this.slots.get(top.slot.uid) === top.slot) return { value: this.take(top.slot) };
    }
  }

  private take(slot: Slot<T>): T {
    this.slots.delete(slot.uid);
    return slot.item;
  }

  private shiftFixed(): T {
    const item = this.fixed[this.head]!;
    this.fixed[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.fixed.length) {
      this.fixed = this.fixed.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Rebuilds the stack from the slots (oldest refresh at the bottom), dropping stale entries. */
  private compact(): void {
    this.stack = [...this.slots.values()].map((slot) => ({ slot, seq: slot.seq }));
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }
}

/**
 * Ages (ms from a position's own time to its fan-out) in power-of-two buckets: bounded memory whatever the
 * rate, enough to tell whether lateness is gained before the fan-out or after it (sockets, the client).
 */
export class AgeHistogram {
  /** bucket i counts ages in [2^(i-1), 2^i) ms; bucket 0 counts ages below 1 ms */
  readonly buckets = new Array<number>(24).fill(0);
  count = 0;

  record(ms: number): void {
    const i = ms < 1 ? 0 : Math.min(this.buckets.length - 1, Math.floor(Math.log2(ms)) + 1);
    this.buckets[i]!++;
    this.count++;
  }

  /** Upper bound (ms) of the bucket holding quantile p, or NaN when empty. */
  quantile(p: number): number {
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen > p * this.count) return 2 ** i;
    }
    return NaN;
  }
}
