import { randomUUID } from 'node:crypto';
import type { CotEvent } from '../cot/model.js';
import type { Audience, SecurityLabel } from '../labels/types.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { Bus } from '../bus/types.js';
import type { RouteInfo } from '../tak/routing.js';
import { KizunaError } from '../util/errors.js';
import { DELETE, deleteTarget } from '../tak/control.js';
import { encodeBusEvent, type BusEvent } from './bus-codec.js';

/** Who handed an event to the node. The sender must be cleared for the label it claims. */
export interface IngestSource {
  kind: 'tak' | 'federation' | 'api' | 'sensor';
  /** the sender's audience: its clearance bounds what it may publish */
  audience: Audience;
  /** label for unlabelled input from this source */
  defaultLabel: SecurityLabel;
  route: Omit<RouteInfo, 'destCallsigns' | 'destUids'>;
  /** federation: origin node and event id are kept (dedupe across nodes) */
  origin?: string;
  eventId?: string;
  hops?: string[];
}

export interface IngestDeps {
  nodeId: string;
  guard: ReleaseGuard;
  store: Store;
  bus: Bus;
  subject: string;
  parseLabel(xml: string): SecurityLabel;
  labelXml(label: SecurityLabel): string;
  serialize(ev: CotEvent): string;
  /** id of this process: its bus messages are recognised and skipped by its own subscription */
  processId?: string;
  /** delivery to this process's clients and feeds, right after publishing */
  deliverLocal?(be: BusEvent): void;
  /** the current holder of a uid (label and origin of its latest state), from the node's live index */
  currentOf?(uid: string): { label: SecurityLabel; origin: string } | undefined;
  /** called after the event is durable and published (federation offer) */
  afterStore?(stored: StoredEvent, cot: CotEvent, source: IngestSource): void;
}

export interface IngestResult {
  stored: StoredEvent;
  /** false when the id had already been stored (duplicate) */
  fresh: boolean;
}

/**
 * The node pipeline: label → check → store (durable) → publish on the bus. Every input path (TAK
 * clients, federation, REST, the demo's sensor feed) goes through here.
 */
export async function ingest(deps: IngestDeps, ev: CotEvent, source: IngestSource): Promise<IngestResult> {
  let label: SecurityLabel;
  if (ev.labelXml) {
    label = deps.parseLabel(ev.labelXml);
  } else {
    label = source.defaultLabel;
    ev = { ...ev, labelXml: deps.labelXml(label) };
  }
  ev.label = label;
  // A sender may only publish what it is itself cleared to see.
  const check = deps.guard.decide(label, source.audience);
  if (!check.allow) throw new KizunaError('FORBIDDEN', check.reason);

  // Nobody overwrites a track they may not see (a low-cleared client re-using a SECRET track's uid), and a
  // peer only updates its own nation's tracks. Refused like any other unauthorised input.
  const current = ev.type === DELETE ? undefined : deps.currentOf?.(ev.uid);
  if (current) {
    if (source.kind === 'federation' && current.origin !== (source.origin ?? deps.nodeId)) {
      throw new KizunaError('FORBIDDEN', 'peer update of another origin\'s track');
    }
    if (!deps.guard.decide(current.label, source.audience).allow) throw new KizunaError('FORBIDDEN', 'update of a track the sender may not see');
  }

  const now = Date.now();
  const stored: StoredEvent = {
    id: source.eventId ?? randomUUID(),
    origin: source.origin ?? deps.nodeId,
    uid: ev.uid,
    type: ev.type,
    ...(ev.callsign ? { callsign: ev.callsign } : {}),
    time: Date.parse(ev.time) || now,
    stale: Date.parse(ev.stale) || now,
    receivedAt: now,
    label,
    xml: deps.serialize(ev),
  };
  if (ev.type === DELETE) {
    const target = deleteTarget(ev.detailXml);
    if (target) {
      // Only a sender who may see a track may remove it, and a peer only removes its own nation's tracks.
      // Refused like any other unauthorised input (the answer does not say whether the uid exists).
      const current = await deps.store.events.getLatest(target);
      if (current) {
        const may = deps.guard.decide(current.label, source.audience).allow;
        if (!may || (source.kind === 'federation' && current.origin !== stored.origin)) {
          throw new KizunaError('FORBIDDEN', 'delete of a track the sender may not see');
        }
      }
      await deps.store.events.deleteUid(target);
    }
  }
  const fresh = (await deps.store.events.appendEvents([stored])).length === 1;
  if (!fresh) return { stored, fresh };
  const route: RouteInfo = { ...source.route, destCallsigns: ev.destCallsigns ?? [], destUids: ev.destUids ?? [] };
  const be = { stored, cot: ev, route, hops: source.hops ?? [] };
  await deps.bus.publish(deps.subject, encodeBusEvent(be, deps.processId));
  // This process delivers its own events from memory (same objects: no decode, guard caches hit).
  deps.deliverLocal?.(be);
  deps.afterStore?.(stored, ev, source);
  return { stored, fresh };
}
