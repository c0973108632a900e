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

/** What the feed remembers per track: when its last history row was written and what the track was then. */
export interface HistoryMark {
  at: number;
  identity: string;
}

/** The part of an update that is not motion: a change here keeps a history row whatever the interval. */
export function trackIdentity(ev: CotEvent, aircraft?: AircraftState): string {
  // a vessel's remarks are its static data only (cot-map.ts), an aircraft's carry its altitude: not used
  if (aircraft) return `${ev.type}\u0000${ev.callsign ?? ''}\u0000${aircraft.squawk ?? ''}\u0000${aircraft.onGround ? 1 : 0}`;
  const detail = ev.detailXml ?? '';
  const remarks = detail.lastIndexOf('<remarks>');
  return `${ev.type}\u0000${ev.callsign ?? ''}\u0000${remarks >= 0 ? detail.slice(remarks) : ''}`;
}

/**
 * The track's new mark when this update gets a history row, undefined when it updates the latest state only.
 * `prev`: the track's mark (undefined before its first history row).
 */
export function historyMark(prev: HistoryMark | undefined, identity: string, now: number, intervalMs: number): HistoryMark | undefined {
  if (intervalMs > 0 && prev && prev.identity === identity && now - prev.at < intervalMs) return undefined;
  return { at: now, identity };
}
