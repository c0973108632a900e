/**
 * Track state for the map: latest TrackView per uid, a short trail per track, and the filters.
 * Pure (no DOM, no MapLibre) so it is unit-tested; track-overlay.ts draws the shown entries.
 * Positions are also kept in Web Mercator (computed once per update, not once per frame).
 */
import type { TrackView } from '../../src/api/contract.js';
import { mercatorX, mercatorY } from './screen-transform.js';
import { classifyCotType, cotTypeToSidc, type Affiliation, type Dimension } from './symbols.js';

export interface TrackEntry {
  track: TrackView;
  sidc: string;
  affiliation: Affiliation;
  dimension: Dimension;
  /** oldest first, [lon, lat]; includes the current position */
  trail: [number, number][];
  /** the same trail in Web Mercator, flat [x0, y0, x1, y1, ...]; its last pair is the current position */
  trailXY: number[];
}

export interface TrackFilter {
  /** empty set = no restriction on that axis */
  affiliations: Set<string>;
  origins: Set<string>;
  dimensions: Set<string>;
}

export const DEFAULT_TRAIL_LENGTH = 12;

function validPosition(t: TrackView): boolean {
  return (
    Number.isFinite(t.lat) && Number.isFinite(t.lon) && Math.abs(t.lat) <= 90 && Math.abs(t.lon) <= 180
  );
}

export class TrackStore {
  private readonly entries = new Map<string, TrackEntry>();
  /** shared with a replay store, so the filters apply to both */
  readonly filter: TrackFilter;
  /** set by every change; the renderer clears it after it has pushed the data to the map */
  dirty = false;
  /** how many incoming tracks were dropped for an unusable position (shown, never silently hidden) */
  rejected = 0;
  /** display option: thin out crowded areas to one symbol per cell plus dots (see declutter.ts) */
  declutter = true;
  /** display option: callsign next to each full symbol (dots stay unlabelled, as decluttered) */
  labels = false;

  constructor(private readonly trailLength = DEFAULT_TRAIL_LENGTH, filter?: TrackFilter) {
    this.filter = filter ?? { affiliations: new Set(), origins: new Set(), dimensions: new Set() };
  }

  get size(): number {
    return this.entries.size;
  }

  get(uid: string): TrackEntry | undefined {
    return this.entries.get(uid);
  }

  all(): IterableIterator<TrackEntry> {
    return this.entries.values();
  }

  /** Origins seen so far, sorted, for the filter panel. */
  origins(): string[] {
    const s = new Set<string>();
    for (const e of this.entries.values()) s.add(e.track.origin);
    return [...s].sort();
  }

  replaceAll(tracks: TrackView[]): void {
    this.entries.clear();
    for (const t of tracks) this.upsert(t);
    this.dirty = true;
  }

  upsert(t: TrackView): boolean {
    if (!t || typeof t.uid !== 'string' || !validPosition(t)) {
      this.rejected++;
      return false;
    }
    const prev = this.entries.get(t.uid);
    const pos: [number, number] = [t.lon, t.lat];
    let trail: [number, number][];
    let trailXY: number[];
    if (prev) {
      trail = prev.trail;
      trailXY = prev.trailXY;
      const last = trail[trail.length - 1];
      if (!last || last[0] !== pos[0] || last[1] !== pos[1]) {
        trail.push(pos);
        trailXY.push(mercatorX(pos[0]), mercatorY(pos[1]));
      }
      if (trail.length > this.trailLength) {
        const drop = trail.length - this.trailLength;
        trail.splice(0, drop);
        trailXY.splice(0, 2 * drop);
      }
    } else {
      trail = [pos];
      trailXY = [mercatorX(pos[0]), mercatorY(pos[1])];
    }
    const cls = prev && prev.track.type === t.type ? prev : { ...classifyCotType(t.type), sidc: cotTypeToSidc(t.type) };
    this.entries.set(t.uid, { track: t, sidc: cls.sidc, affiliation: cls.affiliation, dimension: cls.dimension, trail, trailXY });
    this.dirty = true;
    return true;
  }

  remove(uid: string): boolean {
    const had = this.entries.delete(uid);
    if (had) this.dirty = true;
    return had;
  }

  matches(e: TrackEntry): boolean {
    const f = this.filter;
    return (
      (f.affiliations.size === 0 || f.affiliations.has(e.affiliation)) &&
      (f.origins.size === 0 || f.origins.has(e.track.origin)) &&
      (f.dimensions.size === 0 || f.dimensions.has(e.dimension))
    );
  }

  /** Fills `out` with the entries passing the filter (reused between frames: no garbage per draw). */
  collectShown(out: TrackEntry[]): number {
    out.length = 0;
    for (const e of this.entries.values()) if (this.matches(e)) out.push(e);
    return out.length;
  }
}
