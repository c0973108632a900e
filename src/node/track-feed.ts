import type { SecurityLabel } from '../labels/types.js';
import type { StoredEvent } from '../store/types.js';

export type TrackChange = { kind: 'event'; event: StoredEvent } | { kind: 'delete'; uid: string; label: SecurityLabel };

/**
 * Live picture for the browser API: the store answers "latest", the bus subscription pushes changes.
 * Listeners get stored (labelled) events only; the API passes them through the guard per user.
 */
export class TrackFeed {
  private readonly listeners = new Set<(c: TrackChange) => void>();

  constructor(private readonly loadLatest: () => Promise<StoredEvent[]>) {}

  latest(): Promise<StoredEvent[]> {
    return this.loadLatest();
  }

  subscribe(fn: (c: TrackChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(c: TrackChange): void {
    for (const fn of this.listeners) {
      try {
        fn(c);
      } catch {
        // one broken listener (a closed socket) must not stop the others
      }
    }
  }
}
