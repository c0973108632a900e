/**
 * Batch ingest for a node's own high-rate sources (sensor feeds): every event of the batch is admitted by
 * the write authority one by one, exactly as `ingest` does, and the admitted ones are stored with ONE
 * `appendEvents` call (one group-commit wait for the whole batch instead of one per event), then
 * published and delivered. Writes only: deletes and re-labels name another object and keep going
 * through `ingest`. A feed samples what it stores (SensorWrites); no other source may.
 */
import type { CotEvent } from '../cot/model.js';
import type { SecurityLabel } from '../labels/types.js';
import { admit, authorityContext, type Admitted } from '../labels/index.js';
import type { StoredEvent } from '../store/types.js';
import type { RouteInfo } from '../tak/routing.js';
import { DELETE } from '../tak/control.js';
import { KizunaError } from '../util/errors.js';
import { encodeBusEvent, type BusEvent } from './bus-codec.js';
import type { Holder } from './holders.js';
import { boundTime, storedOf, type IngestDeps, type IngestSource } from './ingest.js';

/**
 * How a sensor feed's batch is written (feeds/feed.ts decides per track): by default an event gets a history
 * row, the uid's latest row and is delivered.
 * - `latestOnly`: these update the latest row (replay, restart) without a history row (sampled history);
 * - `liveOnly`: these are delivered (TAK clients, web, other processes, federation) but not written: the
 *   track's latest row was written less than the feed's storeIntervalMs ago. New when newer than the uid's
 *   holder (the store's rule for its latest row);
 * - `storeOnly`: the whole batch is written latest-only and not delivered: the feed storing the last
 *   update it delivered live, with that update's time (clients and partners already have it).
 */
export interface SensorWrites {
  latestOnly?: ReadonlySet<CotEvent>;
  liveOnly?: ReadonlySet<CotEvent>;
  storeOnly?: boolean;
}

export interface BatchIngestResult {
  /** events stored for the first time (delivered) */
  stored: number;
  /** events the write authority refused (each reported through onRefused, like `ingest`) */
  refused: number;
  /** events whose id was already stored */
  duplicates: number;
}

/**
 * Admits, stores (one append), publishes and delivers a batch from one source. A later event of the batch
 * for the same uid is decided against the earlier one (as if they had come one after the other).
 * `label`: every event of the batch carries this (already parsed) label, as if each had its label element:
 * a node's own source labels the whole batch alike, so it is not written out and parsed back per event.
 */
export async function ingestBatch(
  deps: IngestDeps,
  inputs: readonly CotEvent[],
  source: IngestSource,
  label?: SecurityLabel,
  writes: SensorWrites = {},
): Promise<BatchIngestResult> {
  if (source.relabel) throw new KizunaError('BAD_REQUEST', 'a re-label goes through ingest, one at a time');
  const { latestOnly, liveOnly, storeOnly = false } = writes;
  if ((latestOnly?.size || liveOnly?.size || storeOnly) && source.kind !== 'sensor') {
    throw new KizunaError('BAD_REQUEST', "only the node's own sensor feeds may skip history or store rows");
  }
  const now = (deps.now ?? Date.now)();
  const origin = source.origin ?? deps.nodeId;
  const ctx = (deps.authority ??= authorityContext(deps.registry, deps.nation, deps.guard));
  // holders the batch itself creates, before the store or the index has them
  const pending = new Map<string, Holder>();
  const admitted: Admitted<StoredEvent>[] = [];
  const storeLatestOnly = new Set<StoredEvent>();
  const cots: CotEvent[] = [];
  /** the admitted live-only events, and those of them that are new (newer than their uid's holder) */
  const live = new Set<StoredEvent>();
  const liveFresh = new Set<StoredEvent>();
  let refused = 0;
  for (const input of inputs) {
    if (input.type === DELETE) throw new KizunaError('COT_INVALID', 'a delete goes through ingest, one at a time');
    const ev = boundTime(input, now, deps.maxFutureSkewMs);
    const asked = label ?? (ev.labelXml ? deps.parseLabel(ev.labelXml, source.actor.nation) : undefined);
    const existing = pending.get(ev.uid) ?? deps.holders.get(ev.uid);
    let cot = undefined as CotEvent | undefined;
    const r = admit(ctx, source.actor, existing, { op: 'write', label: asked, defaultLabel: source.defaultLabel, origin }, (l, originator) => {
      cot = { ...ev, label: l };
      // the admitted label's own XML (a foreign label's inferred owner is written out, as in ingest)
      cot.labelXml = deps.labelXml(l);
      return storedOf(deps, cot, source, origin, originator, now);
    });
    if (!r.ok) {
      refused++;
      deps.onRefused?.({ actor: source.actor, code: r.code, op: 'write', path: source.kind, ...(r.visible || !existing ? { uid: ev.uid } : {}) });
      continue;
    }
    if (!cot) throw new KizunaError('INTERNAL', 'admitted event without its CoT');
    admitted.push(r.value);
    if (liveOnly?.has(input)) {
      live.add(r.value);
      if (!existing || r.value.time > existing.time || (!existing.tombstone && r.value.time === existing.time)) liveFresh.add(r.value);
    } else if (storeOnly || latestOnly?.has(input)) storeLatestOnly.add(r.value);
    cots.push(cot);
    pending.set(ev.uid, { label: r.label, originator: r.originator, origin, time: r.value.time });
  }
  if (admitted.length === 0) return { stored: 0, refused, duplicates: 0 };
  const toStore = live.size > 0 ? admitted.filter((e) => !live.has(e)) : admitted;
  const fresh = new Set(toStore.length > 0 ? await deps.store.events.appendEvents(toStore, storeLatestOnly.size > 0 ? { latestOnly: storeLatestOnly } : undefined) : []);
  if (storeOnly) return { stored: fresh.size, refused, duplicates: admitted.length - fresh.size };
  const delivered: BusEvent[] = [];
  for (let i = 0; i < admitted.length; i++) {
    const stored = admitted[i]!;
    if (!fresh.has(stored.id) && !liveFresh.has(stored)) continue;
    const cot = cots[i]!;
    const route: RouteInfo = { ...source.route, destCallsigns: cot.destCallsigns ?? [], destUids: cot.destUids ?? [] };
    delivered.push({ stored, cot, route, hops: source.hops ?? [], xmlIsCot: true });
  }
  // published together (one JetStream round trip's wait for the batch), delivered in the batch's order
  if (deps.busListened?.() ?? true) await Promise.all(delivered.map((be) => deps.bus.publish(deps.subject, encodeBusEvent(be, deps.processId))));
  for (const be of delivered) {
    deps.deliverLocal?.(be);
    deps.afterStore?.(be.stored, be.cot, source);
  }
  return { stored: delivered.length, refused, duplicates: admitted.length - delivered.length };
}
