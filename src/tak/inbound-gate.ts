import type { CotEvent } from '../cot/model.js';
import { DELETE, deleteTarget, isBroadcastSa } from './control.js';

/**
 * Inbound shedding for one process: events read from TAK clients go to ingest (label, authority, store,
 * publish, fan-out) at once while the pipeline keeps up. When it is behind (its oldest running ingest is
 * older than `maxLagMs`, or `maxInFlight` are running), only `minInFlight` run and the rest wait here,
 * and a client's broadcast position for a uid REPLACES its queued one in place (newest wins, the slot
 * keeps its turn), so when the node catches up it ingests and fans out each track's newest position
 * once instead of every stale one in turn (a 10 s old position is worse than a skipped one). Everything
 * else — chat, alerts, deletes, directed events, another sender's event for the same uid — is queued in
 * order and never dropped or merged.
 *
 * Ordering: a delete of uid X (or any event that is not a conflatable position of X) seals X's queued
 * position, so a later position of X is queued after it and cannot overtake the delete.
 *
 * Memory: positions take one slot per (uid) at most; when the queue of events that cannot be conflated
 * passes `maxQueued`, the senders adding to it are paused (their sockets stop being read, TCP pushes back)
 * until it has drained to half.
 */
export interface InboundGateOptions<S> {
  /** never rejects (the caller logs its own failures) */
  ingest(ev: CotEvent, from: S): Promise<void>;
  /** ingests running at once, at most */
  maxInFlight: number;
  /** ingests that may always run, however far behind the pipeline is (default: maxInFlight) */
  minInFlight?: number;
  /**
   * The pipeline counts as behind while its oldest running ingest started longer ago than this; then
   * only `minInFlight` run and the rest wait (and positions conflate). Default: never behind by age.
   */
  maxLagMs?: number;
  now?: () => number;
  /**
   * Downstream (the fan-out) is behind: while true nothing new starts and positions conflate here,
   * before they cost a store write; the owner calls `poke()` once it has caught up.
   */
  held?: () => boolean;
  /** waiting events beyond which senders are paused */
  maxQueued: number;
  senderId(from: S): string;
  pause(from: S): void;
  resume(from: S): void;
}

interface Waiting<S> {
  ev: CotEvent;
  from: S;
  /** set while this is the uid's open (replaceable) position */
  saUid?: string;
}

export interface InboundGateStats {
  /** positions replaced by a newer one from the same sender before they were ingested */
  conflated: number;
  /** events that had to wait for a free ingest slot */
  queued: number;
  /** times a sender was paused because the queue was full */
  paused: number;
}

export class InboundGate<S> {
  private inFlight = 0;
  /** start times of running ingests, oldest first (ingests finish in about the order they start) */
  private readonly started = new Map<number, number>();
  private nextRun = 0;
  private queue: (Waiting<S> | undefined)[] = [];
  private head = 0;
  /** uid → its open queued position (replaceable by a newer one from the same sender) */
  private readonly open = new Map<string, Waiting<S>>();
  private readonly pausedSenders = new Map<string, S>();
  readonly stats: InboundGateStats = { conflated: 0, queued: 0, paused: 0 };

  constructor(private readonly o: InboundGateOptions<S>) {}

  /** Waiting events (after conflation). */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Hands `ev` to ingest now, or queues it (a queued position may be replaced by a newer one). */
  submit(ev: CotEvent, from: S): void {
    if (this.waiting === 0 && this.mayRun()) {
      this.run({ ev, from });
      return;
    }
    this.stats.queued++;
    const uid = conflatableUid(ev);
    if (uid !== undefined) {
      const queued = this.open.get(uid);
      if (queued && this.o.senderId(queued.from) === this.o.senderId(from)) {
        // newest by the position's own time (as the store orders them); equal times: the later read
        if (!(Date.parse(ev.time) < Date.parse(queued.ev.time))) queued.ev = ev;
        this.stats.conflated++;
        return;
      }
      if (queued) queued.saUid = undefined; // another sender's: sealed, it keeps its turn
      const w: Waiting<S> = { ev, from, saUid: uid };
      this.open.set(uid, w);
      this.queue.push(w);
      return;
    }
    this.seal(ev.uid);
    if (ev.type === DELETE) this.seal(deleteTarget(ev.detailXml));
    this.queue.push({ ev, from });
    if (this.waiting > this.o.maxQueued) {
      const id = this.o.senderId(from);
      if (!this.pausedSenders.has(id)) {
        this.pausedSenders.set(id, from);
        this.stats.paused++;
        this.o.pause(from);
      }
    }
  }

  /** A sender that went away: resuming it later must not touch a closed socket. */
  forget(from: S): void {
    this.pausedSenders.delete(this.o.senderId(from));
  }

  private seal(uid: string | undefined): void {
    if (uid === undefined) return;
    const w = this.open.get(uid);
    if (w) {
      w.saUid = undefined;
      this.open.delete(uid);
    }
  }

  /**
   * Behind: `maxInFlight` running, or (with at least `minInFlight` running) the oldest started more than
   * `maxLagMs` ago. Waiting events are then released all together once fewer than `minInFlight` run, so
   * they still share one store commit (releasing a few at a time made the commits small and many, and
   * the node slower than without the gate).
   */
  private mayRun(): boolean {
    if (this.inFlight >= this.o.maxInFlight || this.o.held?.()) return false;
    if (this.inFlight < (this.o.minInFlight ?? this.o.maxInFlight)) return true;
    const lag = this.o.maxLagMs;
    if (lag === undefined) return true;
    const oldest = this.started.values().next().value;
    return oldest === undefined || (this.o.now ?? Date.now)() - oldest <= lag;
  }

  private run(w: Waiting<S>): void {
    this.inFlight++;
    const id = this.nextRun++;
    this.started.set(id, (this.o.now ?? Date.now)());
    const done = (): void => {
      this.inFlight--;
      this.started.delete(id);
      this.pump();
    };
    this.o.ingest(w.ev, w.from).then(done, done);
  }

  /** Downstream caught up: starts what waits (and resumes paused senders) if it may. */
  poke(): void {
    this.pump();
  }

  private pump(): void {
    if (this.waiting > 0 && this.mayRun()) this.releaseWaiting();
    if (this.pausedSenders.size > 0 && this.waiting <= this.o.maxQueued / 2) {
      const senders = [...this.pausedSenders.values()];
      this.pausedSenders.clear();
      for (const s of senders) this.o.resume(s);
    }
  }

  /** Starts every waiting event (up to maxInFlight running), in queue order. */
  private releaseWaiting(): void {
    while (this.waiting > 0 && this.inFlight < this.o.maxInFlight) {
      const w = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (w.saUid !== undefined && this.open.get(w.saUid) === w) this.open.delete(w.saUid);
      this.run(w);
    }
  }
}

/** The uid of a broadcast position (conflatable), else undefined: directed events are never merged. */
function conflatableUid(ev: CotEvent): string | undefined {
  if (!ev.uid || !isBroadcastSa(ev)) return undefined;
  return ev.uid;
}
