/**
 * Sampled track history for a feed. The live picture (latest row per track: TAK clients, the web map,
 * replay to new clients, federation) takes every conflated update; the history table takes an update only
 * when it is worth keeping:
 * - the track's first update (since the feed started or forgot the track),
 * - at least `historyIntervalMs` after the track's last history row (on the feed's clock: the events' own
 *   time in live use, the stream's time when a recording is replayed),
 * - or when what the track *is* changed, not just where it is: its CoT type (ship type, aid to navigation,
 *   aircraft category), its callsign (name), a vessel's static data (IMO, radio call sign, size, draught,
 *   destination: its remarks) or an aircraft's squawk or on-ground state.
 * Course, speed, heading and altitude are motion, sampled like the position. The label is the feed's, the
 * same for every update (a feed relabelled in its config is a new feed: its tracks start over).
 * `historyIntervalMs` 0 keeps every update (history as before sampling).
 */
import type { CotEvent } from '../cot/model.js';
import type { AircraftState } from './cot-map.js';

/** What a feed remembers per track of its last history row (numbers on the track's entry: no object, no string kept). */
export interface HistoryMark {
  /** feed clock of the track's last history row */
  histAt?: number;
  /** trackIdentity of that row */
  histId?: number;
}

/**
 * The part of an update that is not motion, as a 32-bit hash (FNV-1a): a change here keeps a history row
 * whatever the interval. Kept as a number so 100,000 tracks do not hold 100,000 strings (or, through a
 * sliced string, their whole CoT); two identities sharing a hash (2^-32 per change) would miss one row.
 */
export function trackIdentity(ev: CotEvent, aircraft?: AircraftState): number {
  let h = fnv(FNV_OFFSET, ev.type);
  h = fnv(h, ev.callsign ?? '');
  if (aircraft) return fnv(h, `${aircraft.squawk ?? ''}/${aircraft.onGround ? 1 : 0}`);
  // a vessel's remarks are its static data only (cot-map.ts); an aircraft's carry its altitude: not used
  const detail = ev.detailXml ?? '';
  const remarks = detail.lastIndexOf('<remarks>');
  return remarks >= 0 ? fnv(h, detail, remarks) : h;
}

/**
 * Whether this update gets a history row; when it does, the track's mark moves to it. `now`: the feed's clock.
 */
export function takeHistory(mark: HistoryMark, identity: number, now: number, intervalMs: number): boolean {
  if (intervalMs > 0 && mark.histAt !== undefined && mark.histId === identity && now - mark.histAt < intervalMs) return false;
  mark.histAt = now;
  mark.histId = identity;
  return true;
}

const FNV_OFFSET = 0x811c9dc5;

/** 32-bit FNV-1a of a string (a track's last AIS payload is kept as this, not as the string: see feed.ts) */
export function hash32(s: string): number {
  return fnv(FNV_OFFSET, s);
}

/** FNV-1a over the UTF-16 code units of `s` from `from`, continuing from `h` */
function fnv(h: number, s: string, from = 0): number {
  for (let i = from; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  // a separator, so "ab" + "c" and "a" + "bc" differ
  return Math.imul(h ^ 0xff, 0x01000193);
}
