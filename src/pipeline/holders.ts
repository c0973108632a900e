import type { ExistingObject } from '../labels/index.js';
import type { SecurityLabel } from '../labels/types.js';
import type { StoredEvent } from '../store/types.js';
import { DELETE } from '../tak/control.js';

/** What the write authority needs to know about a uid's current holder, plus its time (tombstone ordering). */
export interface Holder extends ExistingObject {
  time: number;
}

/** Rows written before the write authority have no originator: the pre-authority rule applies to them. */
export const LEGACY_ORIGINATOR = '';

/**
 * Who holds each uid now (label, originator, origin; tombstones included, so ownership survives a delete).
 * Kept live from every process's deliveries and warmed from the store; the authority decides against it.
 */
export class HolderIndex {
  private readonly byUid = new Map<string, Holder>();

  get(uid: string): Holder | undefined {
    return this.byUid.get(uid);
  }

  get size(): number {
    return this.byUid.size;
  }

  /** A stored event (or tombstone) becomes the uid's holder. */
  record(e: StoredEvent): void {
    const h: Holder = {
      label: e.label as SecurityLabel,
      originator: e.originator ?? LEGACY_ORIGINATOR,
      origin: e.origin,
      time: e.time,
    };
    if (e.type === DELETE) h.tombstone = true;
    const cur = this.byUid.get(e.uid);
    // the store keeps the newest time per uid; the index agrees with it
    if (cur && cur.time > e.time) return;
    this.byUid.set(e.uid, h);
  }

  warm(events: Iterable<StoredEvent>): void {
    for (const e of events) this.record(e);
  }
}
