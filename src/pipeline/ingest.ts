import type { CotEvent } from '../cot/model.js';
import { serializeCotXml } from '../cot/xml.js';
import type { SecurityLabel } from '../labels/types.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { PolicyRegistry } from '../labels/index.js';
import { admit, authorityContext, type AdmitResult, type AuthorityContext, type WriteActor } from '../labels/index.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { Bus } from '../bus/types.js';
import type { RouteInfo } from '../tak/routing.js';
import { KizunaError } from '../util/errors.js';
import { newEventId } from '../util/event-id.js';
import { memoLast } from '../util/memo.js';
import { DELETE, deleteTarget } from '../tak/control.js';
import { encodeBusEvent, type BusEvent } from './bus-codec.js';
import type { HolderIndex } from './holders.js';
import type { RefusalRecord } from './refusals.js';

/** Who handed an event to the node, and how it travels on from here. */
export interface IngestSource {
  kind: 'tak' | 'federation' | 'api' | 'sensor';
  actor: WriteActor;
  /** label for unlabelled input from this source (creates; an unlabelled update keeps the object's label) */
  defaultLabel: SecurityLabel;
  route: Omit<RouteInfo, 'destCallsigns' | 'destUids'>;
  /** federation: origin node and event id are kept (dedupe across nodes) */
  origin?: string;
  eventId?: string;
  hops?: string[];
  /** federation: the object reached us through a node other than its origin */
  relayed?: boolean;
  /** an explicit re-label (REST, coordinator or higher of the owning nation): may widen or lower */
  relabel?: boolean;
}

export interface IngestDeps {
  nodeId: string;
  nation: string;
  registry: PolicyRegistry;
  guard: ReleaseGuard;
  store: Store;
  bus: Bus;
  subject: string;
  holders: HolderIndex;
  /** built once from registry, nation and guard */
  authority?: AuthorityContext;
  /** `arrivedVia`: nation of the actor the label came through (owner of a label that names none) */
  parseLabel(xml: string, arrivedVia: string): SecurityLabel;
  labelXml(label: SecurityLabel): string;
  /** an event time further ahead than this is clamped to now (no event can pin a track) */
  maxFutureSkewMs: number;
  now?: () => number;
  /** id of this process: its bus messages are recognised and skipped by its own subscription */
  processId?: string;
  /**
   * false when no other subscriber would read a published event (in-process bus, only this process's own
   * subscription, which skips its own events): the event is then not encoded for the bus at all
   */
  busListened?(): boolean;
  /** delivery to this process's clients and feeds, right after publishing */
  deliverLocal?(be: BusEvent): void;
  /** every refusal (audit) */
  onRefused?(r: RefusalRecord): void;
  /** every accepted re-label, with the labels before and after (audit) */
  onRelabel?(r: { actor: WriteActor; uid: string; before: SecurityLabel; after: SecurityLabel }): void;
  /** called after the event is durable and published (federation offer) */
  afterStore?(stored: StoredEvent, cot: CotEvent, source: IngestSource): void;
}

export interface IngestResult {
  stored: StoredEvent;
  /** false when the id had already been stored (duplicate) */
  fresh: boolean;
}

/** The one answer to a refused write, whatever the reason: refused and missing look the same. */
export const REFUSED = 'write refused';

/**
 * The node pipeline: bound the time → ask the write authority → store (durable) → publish on the bus →
 * deliver locally. Every input path (TAK clients, federation, REST, Marti, chat bridge, sensor feeds) comes
 * through here with its actor; the store accepts only what the authority admitted.
 */
export async function ingest(deps: IngestDeps, input: CotEvent, source: IngestSource): Promise<IngestResult> {
  const now = (deps.now ?? Date.now)();
  const ev = boundTime(input, now, deps.maxFutureSkewMs);
  const isDelete = ev.type === DELETE;
  const op = isDelete ? 'delete' : source.relabel ? 'relabel' : 'write';
  const target = isDelete ? deleteTarget(ev.detailXml) : ev.uid;
  if (!target) throw new KizunaError('COT_INVALID', 'a delete (t-x-d-d) must name its target in <link uid>');
  const label = ev.labelXml && !isDelete ? deps.parseLabel(ev.labelXml, source.actor.nation) : undefined;
  const existing = deps.holders.get(target);
  const origin = source.origin ?? deps.nodeId;
  const ctx = (deps.authority ??= authorityContext(deps.registry, deps.nation, deps.guard));
  let cot = undefined as CotEvent | undefined;
  const r: AdmitResult<StoredEvent> = admit(
    ctx,
    source.actor,
    existing,
    { op, label, defaultLabel: source.defaultLabel, origin, ...(source.relayed ? { relayed: true } : {}) },
    (l, originator) => {
      cot = isDelete ? tombstone(ev, target, l, Math.max(now, (existing?.time ?? 0) + 1)) : { ...ev, label: l };
      // the label as admitted (for a label written by another system: now naming its owner)
      cot.labelXml = deps.labelXml(l);
      return storedOf(deps, cot, source, origin, originator, now);
    },
  );
  if (!r.ok) {
    deps.onRefused?.({ actor: source.actor, code: r.code, op, path: source.kind, ...(r.visible || !existing ? { uid: target } : {}) });
    // a re-label names an object: one the actor may not see answers exactly like a missing one
    if (op === 'relabel' && !r.visible) throw new KizunaError('NOT_FOUND', undefined, { cause: r.code });
    throw new KizunaError('FORBIDDEN', REFUSED, { cause: r.code });
  }
  if (op === 'relabel' && existing) deps.onRelabel?.({ actor: source.actor, uid: target, before: existing.label, after: r.label });
  const stored = r.value;
  const fresh = (await deps.store.events.appendEvents([stored])).length === 1;
  if (!fresh) return { stored, fresh };
  if (!cot) throw new KizunaError('INTERNAL', 'admitted event without its CoT');
  const route: RouteInfo = { ...source.route, destCallsigns: cot.destCallsigns ?? [], destUids: cot.destUids ?? [] };
  const be: BusEvent = { stored, cot, route, hops: source.hops ?? [], xmlIsCot: true };
  if (deps.busListened?.() ?? true) await deps.bus.publish(deps.subject, encodeBusEvent(be, deps.processId));
  // This process delivers its own events from memory (same objects: no decode, guard caches hit).
  deps.deliverLocal?.(be);
  deps.afterStore?.(stored, cot, source);
  return { stored, fresh };
}

// a batch's events mostly share their time strings (a feed's tick): each parsed once
const eventTimeMs = memoLast(Date.parse);
const staleTimeMs = memoLast(Date.parse);

export function storedOf(deps: IngestDeps, cot: CotEvent, source: IngestSource, origin: string, originator: string, now: number): StoredEvent {
  return {
    id: source.eventId ?? newEventId(),
    origin,
    uid: cot.uid,
    type: cot.type,
    ...(cot.callsign ? { callsign: cot.callsign } : {}),
    time: eventTimeMs(cot.time) || now,
    stale: staleTimeMs(cot.stale) || now,
    receivedAt: now,
    label: cot.label!,
    xml: serializeCotXml(cot),
    originator,
  };
}

/**
 * A delete is a tombstone of its target: stored under the target's uid with the target's label (so only
 * those who could see the object learn of its removal) and never replacing another object's body.
 */
function tombstone(ev: CotEvent, target: string, label: SecurityLabel, atMs: number): CotEvent {
  const at = new Date(atMs).toISOString();
  const staleMs = Math.max(Date.parse(ev.stale) - Date.parse(ev.time), 0) || 20_000;
  return {
    ...ev,
    uid: target,
    time: at,
    start: at,
    stale: new Date(atMs + Math.min(staleMs, 3_600_000)).toISOString(),
    detailXml: `<link uid="${escapeAttr(target)}" relation="none" type="none"/><__forcedelete/>`,
    label,
  };
}

/** Event time more than the allowed skew ahead is clamped to now; the stale interval is kept. */
export function boundTime(ev: CotEvent, now: number, maxFutureSkewMs: number): CotEvent {
  const t = Date.parse(ev.time);
  if (!(t > now + maxFutureSkewMs)) return ev;
  const life = Math.min(Math.max(Date.parse(ev.stale) - t, 0) || 0, 24 * 3_600_000);
  const at = new Date(now).toISOString();
  return { ...ev, time: at, start: at, stale: new Date(now + life).toISOString() };
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
