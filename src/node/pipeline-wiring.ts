import type { FedObject, Federation } from '../federation/index.js';
import type { MissionStream } from '../marti/index.js';
import type { TakServer } from '../tak/server.js';
import { DELETE } from '../tak/control.js';
import { nodeSubject } from '../bus/subject.js';
import { Pipeline, createRefusalAudit } from '../pipeline/index.js';
import type { NodeCore } from './core.js';
import { warnCode, type Closers } from './closers.js';
import { TrackFeed } from './track-feed.js';

export interface NodePipeline {
  readonly pipeline: Pipeline;
  /** Live track changes for the browsers (REST/WS). */
  readonly tracks: TrackFeed;
  /** Writes the write authority refused since start (a /metrics counter). */
  refusedWrites(): number;
}

/**
 * The CoT pipeline of this node (write authority → store → bus → local delivery): re-labels and
 * refusals go to the audit chain, and every stored event is offered to federation once it is up.
 */
export function createNodePipeline(
  core: NodeCore,
  closers: Closers,
  federation: () => Federation | undefined,
  missions: () => MissionStream | undefined,
): NodePipeline {
  const { config, nodeId, log, audit } = core;
  const tracks = new TrackFeed(() => core.store.events.latest({ now: Date.now() }));
  let refusedWrites = 0;
  const refusals = createRefusalAudit({ append: (kind, actor, body) => audit.append(kind, actor, body).then(() => undefined) });
  closers.push(() => refusals.flush());
  const pipeline = new Pipeline({
    nodeId,
    nation: config.nation,
    processId: core.processId,
    registry: core.registry,
    guard: core.guard,
    store: core.store,
    bus: core.bus,
    subject: nodeSubject(nodeId, 'events'),
    parseLabel: (xml, arrivedVia) => core.labels.parse(xml, arrivedVia),
    labelXml: (l) => core.labels.xml(l),
    defaultLabel: core.defaultLabel,
    nationAudience: core.nationAudience(),
    maxFutureSkewMs: config.limits.maxFutureSkewMs,
    parseStored: core.parseStored,
    onRelabel: (r) => {
      void audit.append('track.relabel', r.actor.identity, { uid: r.uid, before: r.before, after: r.after }).catch(warnCode(log, 'audit of a re-label failed'));
    },
    onRefused: (r) => {
      refusedWrites++;
      log.info({ code: r.code, actor: r.actor.identity, path: r.path }, 'write refused');
      refusals.record(r);
    },
    afterStore: (stored, cot, source) => {
      // a partner's track sent to a mission joins the mission here too (under the peer's write authority)
      if (source.kind === 'federation') void missions()?.fromPeer(cot, stored, source.actor).catch(warnCode(log, 'mission update from a peer refused'));
      const fed = federation();
      if (!fed) return;
      const obj: FedObject = { kind: 'cot', origin: stored.origin, id: stored.id, event: stored };
      fed.offer(obj, source.kind === 'federation' ? source.hops?.at(-1) : undefined).catch(warnCode(log, 'federation offer failed'));
    },
  });
  closers.push(() => pipeline.close());
  return { pipeline, tracks, refusedWrites: () => refusedWrites };
}

/** Every process of this node delivers what any process stored (NATS) or what this one stored (memory). */
export async function startLocalDelivery(p: NodePipeline, tak: TakServer): Promise<void> {
  p.pipeline.onDelivery((be) => {
    tak.deliver({ stored: be.stored, cot: be.cot, route: be.route, ...(be.xmlIsCot ? { xml: be.stored.xml } : {}) });
    if (be.cot.type === DELETE) p.tracks.emit({ kind: 'delete', uid: be.stored.uid, label: be.stored.label });
    else p.tracks.emit({ kind: 'event', event: be.stored });
  });
  await p.pipeline.start();
}
