/**
 * One entry per vessel/aircraft id with conflated publishing: an update is sent at once when the track
 * has not been sent for `minIntervalMs`, otherwise it waits for the end of that interval and only the
 * latest state is sent. What is due is handed to the node as one batch per event-loop turn (at most
 * MAX_BATCH tracks, MAX_BATCHES_IN_FLIGHT batches in the node's ingest at once, never two updates of one
 * track), paced by a token bucket; a flood of input only rewrites entries in place: the work queued is
 * bounded by the number of tracks (itself bounded by `maxTracks`), never by the number of messages.
 * Entries not heard for `staleMs` are forgotten.
 */
import { TokenBucket } from './rate.js';

export interface TableOptions {
  minIntervalMs: number;
  staleMs: number;
  maxTracks: number;
  maxPublishPerSecond: number;
  now?: () => number;
}

interface Entry<S> {
  uid: string;
  state: S;
  lastHeard: number;
  lastSent: number;
  queued: boolean;
  inFlight: boolean;
  /** updated while in flight: queue again when that publish ends */
  again: boolean;
}

const SLOT_MS = 50;
/** large enough that one store commit carries many tracks, small enough that one batch's admission and
 * delivery (a few µs a track) does not hold the event loop from TAK clients for long */
const MAX_BATCH = 1000;
const MAX_BATCHES_IN_FLIGHT = 2;

export class ConflatingTable<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly ready = new Set<Entry<S>>();
  /** entries waiting for their interval to end, by 50 ms slot */
  private readonly waiting = new Map<number, Set<Entry<S>>>();
  /** the earliest slot in `waiting` (Infinity when none) */
  private firstSlot = Infinity;
  private readonly bucket: TokenBucket;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private pumpScheduled = false;
  private closed = false;
  private batchesInFlight = 0;
  private slotFree: (() => void) | undefined;
  /** new ids refused because the table was full */
  refused = 0;
  published = 0;
  publishErrors = 0;

  constructor(
    private readonly o: TableOptions,
    private readonly emit: (batch: { uid: string; state: S }[]) => Promise<void>,
  ) {
    this.now = o.now ?? Date.now;
    this.bucket = new TokenBucket(o.maxPublishPerSecond, Math.max(1, o.maxPublishPerSecond), this.now);
  }

  get size(): number {
    return this.entries.size;
  }

  get(uid: string): S | undefined {
    return this.entries.get(uid)?.state;
  }

  /** whether the track has an update waiting or in the node's ingest */
  busy(uid: string): boolean {
    const e = this.entries.get(uid);
    return e !== undefined && (e.queued || e.inFlight);
  }

  /**
   * Applies a report; answers false when the id is new and the table is full. `refresh` false (static data
   * that does not place the track) merges without renewing the heard time, so only reports that do keep
   * a track alive.
   */
  update(uid: string, merge: (prev: S | undefined) => S, publishable: (s: S) => boolean, refresh = true): boolean {
    const now = this.now();
    // Intervals end on the table's clock: a report at or after the end of one promotes what waited for it,
    // without waiting for the slot timer, so a stream replayed on its own clock conflates the same way
    // however fast it is read (the timer still promotes when no report comes).
    if (now >= this.firstSlot * SLOT_MS) this.promote();
    let e = this.entries.get(uid);
    if (!e) {
      if (this.entries.size >= this.o.maxTracks) {
        this.refused++;
        return false;
      }
      e = { uid, state: merge(undefined), lastHeard: now, lastSent: -Infinity, queued: false, inFlight: false, again: false };
      this.entries.set(uid, e);
    } else {
      e.state = merge(e.state);
      if (refresh) e.lastHeard = now;
    }
    if (!e.queued && publishable(e.state)) {
      if (e.inFlight) e.again = true;
      else this.enqueue(e, now);
    }
    return true;
  }

  private enqueue(e: Entry<S>, now: number): void {
    e.queued = true;
    const due = e.lastSent + this.o.minIntervalMs;
    if (due <= now) {
      this.ready.add(e);
      this.schedulePump();
    } else {
      const slot = Math.ceil(due / SLOT_MS);
      let set = this.waiting.get(slot);
      if (!set) this.waiting.set(slot, (set = new Set()));
      set.add(e);
      if (slot < this.firstSlot) this.firstSlot = slot;
      this.arm();
    }
  }

  private arm(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.promote();
    }, SLOT_MS);
    this.timer.unref();
  }

  private promote(): void {
    const nowSlot = Math.floor(this.now() / SLOT_MS);
    let first = Infinity;
    for (const [slot, set] of this.waiting) {
      if (slot > nowSlot) {
        if (slot < first) first = slot;
        continue;
      }
      for (const e of set) this.ready.add(e);
      this.waiting.delete(slot);
    }
    this.firstSlot = first;
    if (this.waiting.size > 0) this.arm();
    if (this.ready.size > 0) this.schedulePump();
  }

  /** one pump per event-loop turn: the updates of one socket read travel in one batch */
  private schedulePump(): void {
    if (this.pumpScheduled || this.pumping || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.ready.size > 0) {
        if (this.batchesInFlight >= MAX_BATCHES_IN_FLIGHT) {
          await new Promise<void>((r) => (this.slotFree = r));
          continue;
        }
        const batch: Entry<S>[] = [];
        for (const e of this.ready) {
          if (batch.length >= MAX_BATCH || !this.bucket.take()) break;
          batch.push(e);
        }
        if (batch.length === 0) {
          await new Promise((r) => setTimeout(r, Math.max(1, this.bucket.waitMs())));
          continue;
        }
        for (const e of batch) this.ready.delete(e);
        this.send(batch);
        // let sockets (TAK clients, other feeds) be served between batches
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.pumping = false;
    }
  }

  private send(batch: Entry<S>[]): void {
    const now = this.now();
    for (const e of batch) {
      e.queued = false;
      e.inFlight = true;
      e.lastSent = now;
    }
    this.batchesInFlight++;
    this.emit(batch.map((e) => ({ uid: e.uid, state: e.state })))
      .then(
        () => void (this.published += batch.length),
        () => void (this.publishErrors += batch.length),
      )
      .finally(() => {
        this.batchesInFlight--;
        const free = this.slotFree;
        this.slotFree = undefined;
        free?.();
        for (const e of batch) {
          e.inFlight = false;
          if (e.again && !this.closed && this.entries.get(e.uid) === e) {
            e.again = false;
            this.enqueue(e, this.now());
          }
        }
      });
  }

  /** Forgets entries not heard for staleMs (their CoT is stale by then); `forgot` sees each one. */
  sweep(forgot?: (uid: string, state: S) => void): number {
    const cutoff = this.now() - this.o.staleMs;
    let n = 0;
    for (const [uid, e] of this.entries) {
      if (e.lastHeard >= cutoff || e.queued || e.inFlight) continue;
      this.entries.delete(uid);
      forgot?.(uid, e.state);
      n++;
    }
    return n;
  }

  /** resolves once nothing is waiting to be published (tests, shutdown) */
  get idle(): boolean {
    return this.ready.size === 0 && this.waiting.size === 0 && this.batchesInFlight === 0 && !this.pumping && !this.pumpScheduled;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ready.clear();
    this.waiting.clear();
  }
}
