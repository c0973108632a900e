import type { CotEvent } from '../cot/model.js';
import type { Audience, SecurityLabel } from '../labels/types.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import { admit, authorityContext, dominates, type PolicyRegistry } from '../labels/index.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { Bus, Subscription } from '../bus/types.js';
import { DELETE, deleteTarget } from '../tak/control.js';
import { decodeBusEvent, isFromProcess, type BusEvent } from './bus-codec.js';
import { HolderIndex } from './holders.js';
import { ingest, type IngestDeps, type IngestResult, type IngestSource } from './ingest.js';
import { ingestBatch, type BatchIngestResult, type SensorWrites } from './ingest-batch.js';
import { nodeActor, peerActor, takClientActor, userActor } from './actors.js';
import type { RefusalRecord } from './refusals.js';
import { KizunaError } from '../util/errors.js';

export interface PipelineOptions {
  nodeId: string;
  nation: string;
  processId: string;
  registry: PolicyRegistry;
  guard: ReleaseGuard;
  store: Store;
  bus: Bus;
  subject: string;
  parseLabel(xml: string, arrivedVia: string): SecurityLabel;
  labelXml(label: SecurityLabel): string;
  defaultLabel(): SecurityLabel;
  /** clearance of this node's own sources (its nation, no ceiling below the top) */
  nationAudience: Audience;
  maxFutureSkewMs: number;
  onRefused?(r: RefusalRecord): void;
  onRelabel?: IngestDeps['onRelabel'];
  /** parse a stored event's XML (re-label) */
  parseStored(e: StoredEvent): CotEvent;
  /** after an event is durable and published (federation offer) */
  afterStore?(stored: StoredEvent, cot: CotEvent, source: IngestSource): void;
}

/** A TAK connection as the pipeline sees it (see src/tak/connection.ts). */
export interface TakSender {
  id: string;
  identity: { nation: string; serial?: string; audience: Audience };
  groups: readonly string[];
}

export interface UserSender {
  username: string;
  nation: string;
  role?: string;
  audience: Audience;
}

/**
 * The CoT pipeline of one node process, read top to bottom: one entry per kind of source (each names its
 * write actor) → `ingest` (time bound, write authority, durable store, bus publish) → local delivery to
 * the listeners (TAK clients, track feed) and the holder index the authority decides against.
 */
export class Pipeline {
  readonly holders = new HolderIndex();
  private readonly deps: IngestDeps;
  private readonly listeners: ((be: BusEvent) => void)[] = [];
  private sub: Subscription | undefined;

  constructor(private readonly o: PipelineOptions) {
    this.deps = {
      nodeId: o.nodeId,
      nation: o.nation,
      registry: o.registry,
      guard: o.guard,
      store: o.store,
      bus: o.bus,
      subject: o.subject,
      holders: this.holders,
      parseLabel: o.parseLabel,
      labelXml: o.labelXml,
      maxFutureSkewMs: o.maxFutureSkewMs,
      processId: o.processId,
      busListened: () => this.busListened(),
      deliverLocal: (be) => this.deliverLocal(be),
      ...(o.onRefused ? { onRefused: o.onRefused } : {}),
      ...(o.onRelabel ? { onRelabel: o.onRelabel } : {}),
      ...(o.afterStore ? { afterStore: o.afterStore } : {}),
    };
  }

  /** Warms the holder index from the store, then follows every process's events on the bus. */
  async start(): Promise<void> {
    this.holders.warm(await this.o.store.events.latest({ now: Date.now(), includeStale: true, includeDeleted: true }));
    this.sub = this.o.bus.subscribe(this.o.subject, (data) => {
      if (isFromProcess(data, this.o.processId)) return; // already delivered from memory
      this.deliverLocal(decodeBusEvent(data));
    });
    await this.sub.ready;
  }

  /** Called for every event stored by any process of this node, after the holder index has it. */
  onDelivery(fn: (be: BusEvent) => void): void {
    this.listeners.push(fn);
  }

  fromTak(ev: CotEvent, from: TakSender): Promise<IngestResult> {
    return ingest(this.deps, ev, {
      kind: 'tak',
      actor: takClientActor(from.identity),
      defaultLabel: this.o.defaultLabel(),
      route: { sourceConn: from.id, sourceProcess: this.o.processId, senderGroups: [...from.groups] },
    });
  }

  /** REST `/api/cot` and Marti uploads: `label` is the label the user chose, checked like any other. */
  fromUser(ev: CotEvent, user: UserSender, label?: SecurityLabel): Promise<IngestResult> {
    return ingest(this.deps, label ? { ...ev, labelXml: this.o.labelXml(label) } : ev, {
      kind: 'api',
      actor: userActor(user),
      defaultLabel: this.o.defaultLabel(),
      route: { sourceProcess: this.o.processId },
    });
  }

  /**
   * A federated object, after the boundary checks: the peer may only write what the authority allows it.
   * `originNation` is set when the boundary verified the originator's own binding on a relayed object: only
   * then may a peer write an object its nation does not own.
   */
  fromPeer(
    ev: CotEvent,
    obj: { origin: string; id: string; label: SecurityLabel; originNation?: string },
    from: { peer: string; nation: string; audience: Audience },
  ): Promise<IngestResult> {
    return ingest(this.deps, { ...ev, labelXml: this.o.labelXml(obj.label) }, {
      kind: 'federation',
      actor: peerActor(from.nation, from.audience),
      defaultLabel: obj.label,
      route: { sourceProcess: this.o.processId },
      origin: obj.origin,
      eventId: obj.id,
      hops: [from.peer],
      ...(obj.originNation !== undefined && obj.originNation === obj.label.owner && obj.label.owner !== from.nation ? { relayed: true } : {}),
    });
  }

  /**
   * An explicit re-label of an existing track (REST; coordinator or higher of the owning nation): the only
   * way a label gets wider or lower. A track the user may not see answers NOT_FOUND, like a missing one.
   * A re-label that some audience of the old label may not read under the new one is preceded by the
   * track's tombstone (old label): TAK clients, browsers and peers that lose the track drop it, those that
   * keep it receive the re-labelled state right after (a newer time, so it wins wherever both arrive).
   */
  async relabel(uid: string, label: SecurityLabel, user: UserSender): Promise<IngestResult> {
    const cur = await this.o.store.events.getLatest(uid);
    if (!cur || !this.o.guard.decide(cur.label, user.audience).allow) throw new KizunaError('NOT_FOUND');
    if (!dominates(this.o.registry, cur.label, label) && this.wouldRelabel(uid, label, user)) {
      const at = new Date().toISOString();
      const withdraw: CotEvent = {
        ...this.o.parseStored(cur),
        type: DELETE,
        time: at,
        start: at,
        detailXml: `<link uid="${escapeAttr(uid)}" relation="none" type="none"/>`,
      };
      delete withdraw.labelXml;
      await ingest(this.deps, withdraw, { kind: 'api', actor: userActor(user), defaultLabel: cur.label, route: { sourceProcess: this.o.processId } });
    }
    const base = this.holders.get(uid)?.time ?? cur.time;
    const at = new Date(Math.max(Date.now(), base + 1, cur.time + 1)).toISOString();
    return ingest(this.deps, { ...this.o.parseStored(cur), time: at, start: at, labelXml: this.o.labelXml(label) }, {
      kind: 'api',
      actor: userActor(user),
      defaultLabel: label,
      route: { sourceProcess: this.o.processId },
      relabel: true,
    });
  }

  /** The authority would accept this re-label (asked first, so a refused re-label never withdraws the track). */
  private wouldRelabel(uid: string, label: SecurityLabel, user: UserSender): boolean {
    const ctx = (this.deps.authority ??= authorityContext(this.o.registry, this.o.nation, this.o.guard));
    const r = admit(ctx, userActor(user), this.holders.get(uid), { op: 'relabel', label, defaultLabel: label, origin: this.o.nodeId }, () => true);
    return r.ok;
  }

  /** This node's own sources: `identity` is 'node:<id>', 'node:<id>:chat' or 'feed:<id>' (a feed is cleared to its label). */
  fromNode(ev: CotEvent, identity: string, label?: SecurityLabel, audience: Audience = this.o.nationAudience): Promise<IngestResult> {
    return ingest(this.deps, label ? { ...ev, labelXml: this.o.labelXml(label) } : ev, {
      kind: 'sensor',
      actor: nodeActor(identity, this.o.nation, audience),
      defaultLabel: label ?? this.o.defaultLabel(),
      route: { sourceProcess: this.o.processId },
    });
  }

  /**
   * A batch from one of this node's own sources (a sensor feed's tick): admitted one by one, stored with one
   * append; `writes` says which events skip the history row or the store (SensorWrites, sampled storage).
   */
  fromNodeBatch(
    events: readonly CotEvent[],
    identity: string,
    label: SecurityLabel,
    audience: Audience = this.o.nationAudience,
    writes?: SensorWrites,
  ): Promise<BatchIngestResult> {
    return ingestBatch(this.deps, events, {
      kind: 'sensor',
      actor: nodeActor(identity, this.o.nation, audience),
      defaultLabel: label,
      route: { sourceProcess: this.o.processId },
    }, label, writes);
  }

  /**
   * Would anyone but this process read an event published now? This process's own subscription skips its
   * own events, so on an in-process bus where it is the only listener, publishing is pure cost (encoding
   * ≈ a fifth of a stored track's CPU). A subscription is live from its start, so a listener that joins
   * later misses nothing it would have received. A shared bus (NATS) cannot count other processes: always.
   */
  private busListened(): boolean {
    const n = this.o.bus.listeners?.(this.o.subject);
    return n === undefined || n > (this.sub ? 1 : 0);
  }

  private deliverLocal(be: BusEvent): void {
    this.holders.record(be.stored);
    // a tombstone from an older process was stored under the delete's own uid: its target is gone too
    if (be.cot.type === DELETE) {
      const target = deleteTarget(be.cot.detailXml);
      if (target && target !== be.stored.uid) this.holders.record({ ...be.stored, uid: target });
    }
    for (const fn of this.listeners) fn(be);
  }

  async close(): Promise<void> {
    this.sub?.unsubscribe();
    this.sub = undefined;
  }
}

function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
