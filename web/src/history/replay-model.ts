/**
 * The picture at a past instant from sampled history (GET /api/history): per uid, the newest sample at or
 * before the instant, if not yet stale then, with the samples before it as its trail. Pure (no DOM).
 */
import type { TrackView } from '../../../src/api/contract.js';
import { DEFAULT_TRAIL_LENGTH, type TrackStore } from '../track-store.js';

interface Sample {
  at: number;
  stale: number;
  view: TrackView;
}

export class ReplayModel {
  private readonly byUid = new Map<string, Sample[]>();
  readonly start: number;
  readonly end: number;

  constructor(items: readonly TrackView[], since: number, until: number) {
    this.start = since;
    this.end = until;
    for (const v of items) {
      const at = Date.parse(v.time);
      if (!Number.isFinite(at)) continue;
      const stale = Date.parse(v.stale);
      let list = this.byUid.get(v.uid);
      if (!list) this.byUid.set(v.uid, (list = []));
      list.push({ at, stale: Number.isFinite(stale) ? stale : at, view: v });
    }
    for (const list of this.byUid.values()) list.sort((a, b) => a.at - b.at);
  }

  get size(): number {
    return this.byUid.size;
  }

  /** Fills `store` with the picture at `t` (ms): trails from up to DEFAULT_TRAIL_LENGTH earlier samples. */
  fill(store: TrackStore, t: number): void {
    store.replaceAll([]);
    for (const list of this.byUid.values()) {
      // last sample at or before t (binary search)
      let lo = 0;
      let hi = list.length - 1;
      let idx = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.at <= t) {
          idx = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (idx < 0 || list[idx]!.stale <= t) continue;
      for (let i = Math.max(0, idx - DEFAULT_TRAIL_LENGTH + 1); i <= idx; i++) store.upsert(list[i]!.view);
    }
    store.dirty = true;
  }
}
