import { MinHeap } from './min-heap.js';

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
 *   the position's own time). Among waiting positions the one whose uid has gone longest without being
 *   fanned out goes first (ties: the earlier refresh), so when the node can send only a share of the
 *   positions it sends every uid in turn; with "newest first" some uids were buried for seconds. A
 *   position that has waited `maxWaitMs` without being replaced (its sender stopped or reports slowly)
 *   goes before the others, so every uid's newest position is delivered however long the overload lasts.
 * - Late positions are parked, not sent. While the queue is behind (work ready for `behindMs` without a
 *   break, and at least one slice ran out of time with work left: an event loop stalled by something else
 *   is not an overload), a position older than `maxAgeMs` by its own time stays in its slot when its turn
 *   comes. A newer one of the uid replaces it and, its uid still unshown, is next in turn: under overload
 *   clients get each uid's positions fresh, less often, instead of every one late (a position seconds old
 *   is worse than a skipped one). One that is not replaced goes once it has waited `maxWaitMs` (its sender
 *   may have stopped: its newest position must be shown); and a uid never shown, or not for `maxUnseenMs`,
 *   is sent at its turn even if late, so a new track appears and a sender whose clock runs behind (every
 *   position looks late) is thinned while the node is behind, never frozen. Below the overload nothing is
 *   parked. (A bound in time, not in parks: sending a uid after a fixed number of parks sends late
 *   positions at any depth of overload.)
 * - Ordering across the classes: an event that is not a replaceable position of uid X (a delete of X,
 *   another sender's position of X, any other event with uid X) seals X's waiting position, which then
 *   keeps its place in the ordered traffic just before that event. A later position of X cannot overtake
 *   the delete, and no sender's position is ever suppressed by another sender's.
 *
 * Memory: positions take one slot per uid; the ordered traffic is bounded by the caller, which holds new
 * input back while ordered traffic waits here (see `orderedBusyMs`).
 */
export interface FanoutQueueOptions<T> {
  /** writes one item to every client it is addressed to (synchronous) */
  run(item: T): void;
  /** fan-out work per event-loop turn, in ms, before the next slice is scheduled */
  sliceMs: number;
  /** a waiting position not replaced within this many ms goes before fresher ones */
  maxWaitMs: number;
  /** while behind, a position older than this (by its own time) is parked when its turn comes (0/none: never) */
  maxAgeMs?: number;
  /** a uid not fanned out for this long is sent at its turn, late or not (default 10,000) */
  maxUnseenMs?: number;
  /** the queue counts as behind once it has had work waiting this long without a break (default 100) */
  behindMs?: number;
  /** runs `fn` in `ms` (default: an unref'd setTimeout): when only parked positions wait */
  timer?: (fn: () => void, ms: number) => void;
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
  /** times a late position was parked instead of sent (each is later replaced, or sent once overdue) */
  parked: number;
  /** late positions sent while behind because their uid was never shown or not for maxUnseenMs */
  sentLate: number;
}

interface Slot<T> extends Replaceable {
  item: T;
  /** when its current content arrived */
  at: number;
  /** bumped at every replacement: a turn entry with an older seq is stale */
  seq: number;
  /** late: waits for a replacement or for maxWaitMs, no longer a candidate for the next turn */
  parked: boolean;
}

/** A slot's place in the turn order: `shown` = when its uid was last fanned out (0: not lately). */
interface Turn<T> {
  slot: Slot<T>;
  seq: number;
  shown: number;
}

const turnFirst = <T>(a: Turn<T>, b: Turn<T>): boolean => a.shown < b.shown || (a.shown === b.shown && a.seq < b.seq);

/** uids remembered as shown, at most (the oldest are forgotten first: they then count as not shown lately) */
const MAX_SHOWN = 100_000;

export class FanoutQueue<T> {
  private fixed: (T | undefined)[] = [];
  private head = 0;
  /** uid → waiting position; Map order = order of the latest replacement (oldest content first) */
  private readonly slots = new Map<string, Slot<T>>();
  /** slots by turn; entries are checked against the slot's seq when popped */
  private readonly turns = new MinHeap<Turn<T>>(turnFirst);
  private seq = 0;
  private parkedCount = 0;
  /** uid → when a position of it was last fanned out; Map order = that order (bounded by MAX_SHOWN) */
  private readonly shown = new Map<string, number>();
  private scheduled = false;
  private timerDue: number | undefined;
  /** since when work has been ready without a break (undefined while none is; parked positions are not work) */
  private busySince: number | undefined;
  /** a slice since then ended with work left: a stalled event loop alone is not an overload */
  private ranOutOfTime = false;
  /** since when ordered traffic has waited without a break (undefined while none does) */
  private orderedSince: number | undefined;
  readonly stats: FanoutQueueStats = { conflated: 0, overdue: 0, parked: 0, sentLate: 0 };

  constructor(private readonly o: FanoutQueueOptions<T>) {}

  /** Ordered traffic waiting (positions excluded). */
  get fixedWaiting(): number {
    return this.fixed.length - this.head;
  }

  /** Everything waiting, parked positions included. */
  get waiting(): number {
    return this.fixedWaiting + this.slots.size;
  }

  /** Waiting items that may be sent now (parked positions excluded). */
  get ready(): number {
    return this.waiting - this.parkedCount;
  }

  /** How long work has been ready without a break (0 while none is). */
  busyMs(): number {
    return this.busySince === undefined ? 0 : this.now() - this.busySince;
  }

  /**
   * How long ordered traffic has waited without a break (0 while none does). Only this calls for holding
   * input back: positions conflate and park here, chat, alerts and deletes cannot.
   */
  orderedBusyMs(): number {
    return this.orderedSince === undefined ? 0 : this.now() - this.orderedSince;
  }

  /** Queues a broadcast position; replaces the waiting one of the same uid and sender. */
  pushPosition(item: T, pos: Replaceable): void {
    const slot = this.slots.get(pos.uid);
    let s: Slot<T>;
    if (slot && slot.sender === pos.sender) {
      this.stats.conflated++;
      if (pos.time < slot.time) return; // outdated on arrival
      this.slots.delete(pos.uid); // re-inserted below: Map order follows the latest refresh
      this.unpark(slot);
      s = Object.assign(slot, { item, time: pos.time, at: this.now(), seq: ++this.seq });
    } else {
      if (slot) this.seal(pos.uid);
      s = { uid: pos.uid, sender: pos.sender, time: pos.time, item, at: this.now(), seq: ++this.seq, parked: false };
    }
    this.slots.set(pos.uid, s);
    this.turns.push(this.turnOf(s));
    if (this.turns.size > 2 * this.slots.size + 64) this.compact();
    this.wake();
  }

  /** Queues traffic that keeps its order; `touches` = uids it writes or deletes (their positions are sealed). */
  pushOrdered(item: T, touches: readonly (string | undefined)[]): void {
    for (const uid of touches) if (uid !== undefined) this.seal(uid);
    this.pushFixed(item);
    this.wake();
  }

  /** A waiting position of `uid` becomes ordered traffic: it keeps its turn before what follows. */
  private seal(uid: string): void {
    const slot = this.slots.get(uid);
    if (!slot) return;
    this.slots.delete(uid);
    this.unpark(slot);
    this.pushFixed(slot.item);
  }

  private unpark(slot: Slot<T>): void {
    if (!slot.parked) return;
    slot.parked = false;
    this.parkedCount--;
  }

  private wake(): void {
    this.busySince ??= this.now();
    if (this.scheduled) return;
    this.scheduled = true;
    (this.o.schedule ?? setImmediate)(this.slice);
  }

  /** Only parked positions wait: nothing is ready, so the next slice runs when the oldest is overdue. */
  private sleep(): void {
    this.busySince = undefined;
    this.ranOutOfTime = false;
    const oldest = this.slots.values().next().value;
    if (oldest === undefined) return;
    const due = oldest.at + this.o.maxWaitMs;
    if (this.timerDue !== undefined && this.timerDue <= due) return;
    this.timerDue = due;
    const fire = (): void => {
      if (this.timerDue !== due) return; // an earlier timer took over
      this.timerDue = undefined;
      this.wake();
    };
    const ms = Math.max(0, due - this.now());
    if (this.o.timer) this.o.timer(fire, ms);
    else setTimeout(fire, ms).unref();
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
      if (this.ready > 0) {
        this.ranOutOfTime = true;
        this.wake();
      } else this.sleep();
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
      const top = this.turns.pop();
      if (top === undefined) {
        if (this.slots.size === this.parkedCount) return undefined; // only parked positions wait
        this.compact(); // defensive: a ready slot without a turn would never be sent
        continue;
      }
      const { slot } = top;
      if (slot.seq !== top.seq || slot.parked || this.slots.get(slot.uid) !== slot) continue;
      if (!this.late(slot, now)) return { value: this.take(slot) };
      slot.parked = true;
      this.parkedCount++;
      this.stats.parked++;
    }
  }

  /** Work ready for behindMs without a break, and at least one slice ran out of time before it was done. */
  private behind(): boolean {
    return this.ranOutOfTime && this.busyMs() >= (this.o.behindMs ?? 100);
  }

  /** Behind, older than maxAgeMs, and its uid shown within maxUnseenMs: better skipped than sent now. */
  private late(slot: Slot<T>, now: number): boolean {
    const { maxAgeMs } = this.o;
    if (!maxAgeMs || now - slot.time <= maxAgeMs || !this.behind()) return false;
    const shown = this.shown.get(slot.uid);
    if (shown !== undefined && now - shown < (this.o.maxUnseenMs ?? 10_000)) return true;
    this.stats.sentLate++;
    return false;
  }

  private take(slot: Slot<T>): T {
    this.slots.delete(slot.uid);
    this.unpark(slot);
    this.markShown(slot.uid);
    return slot.item;
  }

  /** Remembers when `uid` was fanned out (its next position's turn comes after the uids shown before). */
  private markShown(uid: string): void {
    this.shown.delete(uid);
    this.shown.set(uid, this.now());
    if (this.shown.size > MAX_SHOWN) this.shown.delete(this.shown.keys().next().value!);
  }

  private turnOf(slot: Slot<T>): Turn<T> {
    return { slot, seq: slot.seq, shown: this.shown.get(slot.uid) ?? 0 };
  }

  private pushFixed(item: T): void {
    this.orderedSince ??= this.now();
    this.fixed.push(item);
  }

  private shiftFixed(): T {
    const item = this.fixed[this.head]!;
    this.fixed[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.fixed.length) {
      this.fixed = this.fixed.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.fixed.length) this.orderedSince = undefined;
    return item;
  }

  /** Rebuilds the turn order from the slots, dropping stale entries. */
  private compact(): void {
    this.turns.reset([...this.slots.values()].filter((slot) => !slot.parked).map((slot) => this.turnOf(slot)));
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
