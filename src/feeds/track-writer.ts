/**
 * A feed's conflated track updates on their way to the node: each update is given a history row, a latest
 * row, or is delivered live only (history.ts, store-sampling.ts), and a track's last live update is written
 * once due, when the track is forgotten (before its history is ended) and when the feed closes.
 */
import type { CotEvent } from '../cot/model.js';
import type { SecurityLabel } from '../labels/types.js';
import { aircraftCot, aircraftUid, vesselCot, vesselUid, type AircraftState, type MapOptions, type VesselState } from './cot-map.js';
import type { FeedConfig } from './config.js';
import { takeHistory, trackIdentity, type HistoryMark } from './history.js';
import { storeDue, takeStore, type StoreMark } from './store-sampling.js';
import type { ConflatingTable } from './track-table.js';

/**
 * How a batch is written (the node's SensorWrites): `latestOnly` updates skip the history row (history.ts),
 * `liveOnly` updates are delivered and not written, `storeOnly` writes the batch latest-only without
 * delivering it (store-sampling.ts). Unnamed updates get history, latest row and delivery.
 */
export interface FeedWrites {
  latestOnly?: ReadonlySet<CotEvent>;
  liveOnly?: ReadonlySet<CotEvent>;
  storeOnly?: boolean;
}

/**
 * Hands a batch of track updates (one per track at most) to the node's ingest, all with the feed's label;
 * answers how many the write authority refused (counted as publish errors).
 */
export type Publish = (events: CotEvent[], label: SecurityLabel, feedId: string, writes?: FeedWrites) => Promise<number | void>;

/**
 * Called with the uids a feed forgot (not heard for staleMs) whose last stored update had no history row:
 * the node copies those latest rows into history (EventStore.historyFromLatest), so a track's history ends
 * where it was last seen, not up to one historyIntervalMs before.
 */
export type KeepLast = (uids: string[], feedId: string) => Promise<void>;

/**
 * A feed's track: its state, its last history row (HistoryMark) and store row (StoreMark), and a vessel's
 * last AIS payload (`heard`: its 32-bit hash, not the string, which would keep its whole NMEA line alive)
 * and when it came (`heardAt`, on the feed's clock). Kept on the entry: forgotten with the track.
 */
export type TrackEntry = ({ kind: 'vessel'; v: VesselState } | { kind: 'aircraft'; a: AircraftState }) &
  HistoryMark &
  StoreMark & { heard?: number; heardAt?: number; /** the track's last written row had no history row */ lastLatestOnly?: boolean };

export interface TrackWriterOptions {
  config: FeedConfig;
  label: SecurityLabel;
  publish: Publish;
  /** the feed's clock (Date.now, or a replayed stream's own time) */
  clock: () => number;
  map: MapOptions;
  table: ConflatingTable<TrackEntry>;
  keepLast?: KeepLast;
}

export class TrackWriter {
  /** tracks whose last update was delivered live only */
  private readonly unstored = new Set<TrackEntry>();
  /** written-late batches (and forgotten tracks' history ends) not settled yet */
  private pending = 0;
  /** updates handed over to be written (history or latest row, late writes included), and delivered live only */
  written = 0;
  liveOnly = 0;

  constructor(private readonly o: TrackWriterOptions) {}

  /** One conflated batch: each update gets history, a latest row, or is delivered live only. */
  async send(entries: TrackEntry[]): Promise<void> {
    const now = Date.now();
    const at = this.o.clock();
    const { historyIntervalMs, storeIntervalMs } = this.o.config;
    const events: CotEvent[] = [];
    const latestOnly = new Set<CotEvent>();
    const liveOnly = new Set<CotEvent>();
    const written: TrackEntry[] = [];
    for (const e of entries) {
      const ev = this.cotOf(e, now);
      if (!ev) continue;
      events.push(ev);
      const history = historyIntervalMs === 0 || takeHistory(e, trackIdentity(ev, e.kind === 'aircraft' ? e.a : undefined), at, historyIntervalMs);
      if (!takeStore(e, at, now, storeIntervalMs, history)) {
        liveOnly.add(ev);
        this.unstored.add(e);
        continue;
      }
      this.unstored.delete(e);
      written.push(e);
      e.lastLatestOnly = !history;
      if (!history) latestOnly.add(ev);
    }
    if (events.length === 0) return;
    let refused: number | void;
    try {
      refused = await this.o.publish(events, this.o.label, this.o.config.id, latestOnly.size || liveOnly.size ? { latestOnly, liveOnly } : undefined);
    } catch (err) {
      // nothing was written (store down): the next update of these tracks is written, and takes the history
      // row that was lost
      for (const e of written) {
        e.storedAt = undefined;
        if (!e.lastLatestOnly) e.histAt = undefined;
      }
      throw err;
    }
    if (refused) this.o.table.publishErrors += refused;
    this.written += written.length;
    this.liveOnly += liveOnly.size;
  }

  /**
   * The feed's once-a-second work for the store: forgets silent tracks (a forgotten track's last live update
   * is written at once, then its history ended: KeepLast), and writes the live updates now due.
   */
  tick(): void {
    const lastOnly: string[] = [];
    const due = new Set<TrackEntry>();
    this.o.table.sweep((uid, e) => {
      if (e.liveAt !== undefined) due.add(e);
      if (e.liveAt !== undefined || e.lastLatestOnly) lastOnly.push(uid);
    });
    const at = this.o.clock();
    const { storeIntervalMs } = this.o.config;
    // a track with a newer update on its way is decided by that update
    for (const e of this.unstored) if (storeDue(e, at, storeIntervalMs) && !this.o.table.busy(uidOf(e))) due.add(e);
    if (due.size === 0 && !(lastOnly.length && this.o.keepLast)) return;
    this.pending++;
    void this.writeLive([...due])
      .then(() => (lastOnly.length && this.o.keepLast ? this.o.keepLast(lastOnly, this.o.config.id) : undefined))
      .catch(() => void this.o.table.publishErrors++)
      .finally(() => void this.pending--);
  }

  /** nothing written late is on its way (tests, benchmarks) */
  get idle(): boolean {
    return this.pending === 0;
  }

  /** What clients saw last is what the store keeps (best effort: a store that is down keeps the older row). */
  async close(): Promise<void> {
    if (this.unstored.size > 0) await this.writeLive([...this.unstored]);
  }

  private cotOf(e: TrackEntry, now: number): CotEvent | undefined {
    return e.kind === 'vessel' ? vesselCot(e.v, this.o.map, now) : aircraftCot(e.a, this.o.map, now);
  }

  /**
   * Writes the last live-only update of the tracks in `due` (each with the time it was delivered with),
   * without delivering it again. A track updated meanwhile keeps its newer mark.
   */
  private async writeLive(due: TrackEntry[]): Promise<void> {
    const at = this.o.clock();
    const events: CotEvent[] = [];
    const marks: { e: TrackEntry; liveAt: number }[] = [];
    for (const e of due) {
      const liveAt = e.liveAt!;
      const ev = this.cotOf(e, liveAt);
      this.unstored.delete(e);
      if (!ev) continue;
      events.push(ev);
      marks.push({ e, liveAt });
      e.lastLatestOnly = true;
    }
    if (events.length === 0) return;
    try {
      const refused = await this.o.publish(events, this.o.label, this.o.config.id, { storeOnly: true });
      if (refused) this.o.table.publishErrors += refused;
      this.written += events.length;
      for (const { e, liveAt } of marks) {
        if (e.liveAt !== liveAt) continue;
        e.liveAt = undefined;
        e.storedAt = at;
      }
    } catch {
      // tried again next tick (a track forgotten meanwhile is gone: its row stays one interval behind)
      this.o.table.publishErrors += events.length;
      for (const { e, liveAt } of marks) if (e.liveAt === liveAt) this.unstored.add(e);
    }
  }
}

function uidOf(e: TrackEntry): string {
  return e.kind === 'vessel' ? vesselUid(e.v.mmsi) : aircraftUid(e.a.icao);
}
