/**
 * Sampled storage for a feed (`storeIntervalMs`). Every conflated update of a track reaches TAK clients, the
 * web map, the node's other processes and federation partners live; its latest row in the store (what a
 * client that connects later is replayed, what a restart starts from) is written at most once per interval:
 * - an update that takes a history row is always written (history.ts);
 * - otherwise an update is written when the track's row was last written `storeIntervalMs` ago or more;
 * - an update in between is delivered live only, and the track remembers it (`liveAt`, the time it was
 *   sent with). A track that keeps reporting has its next update written once the interval is over; one
 *   that falls silent has its last live update written (same time, same content, not delivered again)
 *   once that update is one interval old, so the store ends where the picture ended; a track forgotten,
 *   and a feed closed, write theirs at once.
 * A track's row in the store is therefore never more than one interval older than what clients saw, and a
 * crash loses at most that much of a sensor track's movement (its next report restores it). Why: a row
 * rewrite is about half of an ingested AIS update's CPU (a random 4 KiB page of the latest table written to
 * the WAL and checkpointed, per update: BENCHMARKS.md), and vessels report every 2–10 s.
 * Times are the feed's clock (the events' own time live, the stream's time when a recording is replayed).
 */

/** What a feed remembers per track of its store row (numbers on the track's entry). */
export interface StoreMark {
  /** feed clock when the track's latest row was last written */
  storedAt?: number;
  /** the last update was delivered live only: the wall time it was sent with (its CoT time) */
  liveAt?: number;
  /** and when, on the feed clock */
  liveSeen?: number;
}

/**
 * Whether this update is written (true) or delivered live only (false); marks the track either way. `now`:
 * the feed's clock; `sentAt`: the wall time the update's CoT carries; `history`: it takes a history row.
 */
export function takeStore(mark: StoreMark, now: number, sentAt: number, intervalMs: number, history: boolean): boolean {
  if (history || intervalMs === 0 || mark.storedAt === undefined || now - mark.storedAt >= intervalMs) {
    mark.storedAt = now;
    mark.liveAt = undefined;
    return true;
  }
  mark.liveAt = sentAt;
  mark.liveSeen = now;
  return false;
}

/**
 * Whether a track's last live-only update is due to be written: nothing newer came for one interval (a
 * track that keeps reporting is written by its next update instead, with no extra write).
 */
export function storeDue(mark: StoreMark, now: number, intervalMs: number): boolean {
  return mark.liveAt !== undefined && now - mark.liveSeen! >= intervalMs;
}
