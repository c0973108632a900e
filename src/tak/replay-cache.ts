import type { CotEvent } from '../cot/model.js';
import type { StoredEvent } from '../store/types.js';
import { EncodedEvent } from './encoded-event.js';

/** Default budget: stored XML characters held (each entry costs a few times its XML at most). */
export const DEFAULT_REPLAY_CACHE_CHARS = 16 * 1024 * 1024;

interface Entry {
  xml: string;
  enc: EncodedEvent;
}

/**
 * The delivery form of stored events, shared by every connection's replay: a stored event is
 * parsed and encoded once, not once per connecting client (which let one large stored event cost
 * its parse again for every new TAK client). Keyed by origin and id; the stored XML is compared too,
 * so a reused id can never serve another event's bytes. Least recently used entries go first once
 * the budget is spent; an event larger than the whole budget is parsed for each use and not kept.
 *
 * The cache holds unreleased encodings: callers must still pass each one through the release guard.
 */
export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  /** Parses done (misses), for tests and metrics. */
  parses = 0;

  constructor(
    private readonly parse: (ev: StoredEvent) => CotEvent,
    private readonly budgetChars = DEFAULT_REPLAY_CACHE_CHARS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  encoded(ev: StoredEvent): EncodedEvent {
    const key = `${ev.origin}\u0000${ev.id}`;
    const hit = this.entries.get(key);
    if (hit && hit.xml === ev.xml) {
      // Re-insert: Map order is the recency order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.enc;
    }
    if (hit) this.remove(key, hit);
    this.parses++;
    const enc = new EncodedEvent(this.parse(ev));
    if (ev.xml.length <= this.budgetChars) {
      this.entries.set(key, { xml: ev.xml, enc });
      this.chars += ev.xml.length;
      for (const [k, e] of this.entries) {
        if (this.chars <= this.budgetChars) break;
        this.remove(k, e);
      }
    }
    return enc;
  }

  private remove(key: string, e: Entry): void {
    this.entries.delete(key);
    this.chars -= e.xml.length;
  }
}
