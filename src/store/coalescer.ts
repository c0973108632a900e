import { KizunaError } from '../util/errors.js';
import { eventKey, storeError, uniqueByKey, validateEvents } from './common.js';
import type { AppendOptions, StoredEvent } from './types.js';

export interface CoalescerOptions {
  /** How long the first waiting batch may wait for company before it is committed. */
  maxDelayMs: number;
  /** Commit at once when this many events are waiting. */
  maxEvents: number;
}

/**
 * Writes one deduped batch in ONE transaction; returns the dedupe keys that were new. `latestOnly`: events
 * of the batch (by identity) that update the latest row only (AppendOptions.latestOnly).
 */
export type BatchWriter = (events: StoredEvent[], latestOnly: ReadonlySet<StoredEvent>) => Promise<Set<string>>;

const NONE: ReadonlySet<StoredEvent> = new Set();

interface Waiter {
  events: StoredEvent[];
  latestOnly: ReadonlySet<StoredEvent>;
  resolve: (ids: string[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: concurrent `appendEvents` callers arriving within `maxDelayMs` (or until
 * `maxEvents` are waiting) share one transaction, so the per-commit cost (WAL write, round trip)
 * is paid once per group instead of once per caller. Each caller's promise resolves only after the
 * transaction holding its rows committed. Flushes run one at a time, so two groups never race
 * each other for the same rows. If a shared transaction fails, each caller is retried alone so
 * one caller's bad batch cannot fail the others.
 */
export class WriteCoalescer {
  private waiting: Waiter[] = [];
  private waitingEvents = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly write: BatchWriter,
    private readonly opts: CoalescerOptions,
  ) {}

  submit(events: StoredEvent[], latestOnly: ReadonlySet<StoredEvent> = NONE): Promise<string[]> {
    if (events.length === 0) return Promise.resolve([]);
    return new Promise<string[]>((resolve, reject) => {
      this.waiting.push({ events, latestOnly, resolve, reject });
      this.waitingEvents += events.length;
      if (this.waitingEvents >= this.opts.maxEvents) this.flushSoon(true);
      else this.flushSoon(false);
    });
  }

  /** Commits whatever is waiting; resolves when every flush queued so far has finished. */
  async drain(): Promise<void> {
    if (this.waiting.length > 0) this.flushSoon(true);
    await this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private flushSoon(now: boolean): void {
    if (now) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.enqueueFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.enqueueFlush();
      }, this.opts.maxDelayMs);
    }
  }

  private enqueueFlush(): void {
    const group = this.waiting;
    if (group.length === 0) return;
    this.waiting = [];
    this.waitingEvents = 0;
    this.chain = this.chain.then(() => this.flush(group));
  }

  private async flush(group: Waiter[]): Promise<void> {
    try {
      const results = await this.writeGroup(group);
      group.forEach((w, i) => w.resolve(results[i] ?? []));
    } catch (groupError) {
      if (group.length === 1) {
        group[0]?.reject(groupError);
        return;
      }
      for (const w of group) {
        try {
          const [ids] = await this.writeGroup([w]);
          w.resolve(ids ?? []);
        } catch (e) {
          w.reject(e);
        }
      }
    }
  }

  /** One transaction for the whole group; a key submitted twice is credited to its first submitter. */
  private async writeGroup(group: Waiter[]): Promise<string[][]> {
    const all = group.flatMap((w) => w.events);
    const flagged = group.filter((w) => w.latestOnly.size > 0);
    // the usual group has at most one caller that flags events (a feed's tick): its set serves as it is
    const latestOnly = flagged.length <= 1 ? (flagged[0]?.latestOnly ?? NONE) : new Set(flagged.flatMap((w) => [...w.latestOnly]));
    const fresh = await this.write(uniqueByKey(all), latestOnly);
    return group.map((w) => {
      const ids: string[] = [];
      for (const e of w.events) {
        const k = eventKey(e);
        if (fresh.delete(k)) ids.push(e.id);
      }
      return ids;
    });
  }
}

/**
 * Both stores' appendEvents: bad input is a typed error before anything waits, a closed store refuses,
 * and driver errors from the shared transaction are wrapped once.
 */
export async function appendThrough(coalescer: WriteCoalescer, events: unknown, closed: boolean, opts?: AppendOptions): Promise<string[]> {
  const valid = validateEvents(events);
  const latestOnly = opts?.latestOnly ?? NONE;
  if (!(latestOnly instanceof Set)) throw new KizunaError('BAD_REQUEST', 'latestOnly must be a Set of the batch events');
  if (closed) throw new KizunaError('STORE_FAILED', 'store is closed');
  try {
    return await coalescer.submit(valid, latestOnly);
  } catch (e) {
    throw storeError(e, 'appendEvents failed');
  }
}
