import { audienceFor } from '../labels/index.js';
import { createFederation, type Federation, type FileTransfer } from '../federation/index.js';
import type { Pipeline } from '../pipeline/index.js';
import { KizunaError } from '../util/errors.js';
import type { NodeCore } from './core.js';
import { warnCode, type Closers } from './closers.js';
import { relayCoordinationChanges } from './doc-relay.js';
import { relayRevocations } from './revocation-relay.js';
import { readOriginators, readPeers } from './peers.js';

export interface FederationWiring {
  pipeline: Pipeline;
  /** The file store starts with Marti, after federation; chunks that arrive before it are not acknowledged. */
  fileTransfer: () => FileTransfer | undefined;
}

/**
 * Federation with the configured peers: what a peer sends enters through the pipeline (CoT), the file
 * transfer (file chunks) or coordination (documents); this node's own coordination changes go out.
 */
export async function startNodeFederation(core: NodeCore, closers: Closers, wiring: FederationWiring): Promise<{ federation: Federation; port: number }> {
  const { config, nodeId, registry, audit, coordination, log } = core;
  const federation = createFederation({
    nodeId,
    nation: config.nation,
    registry,
    guard: core.guard,
    store: core.store,
    ...(config.bus ? { bus: core.bus } : {}),
    tls: { certPem: core.pki.nodeCertPem, keyPem: core.pki.nodeKeyPem },
    peers: readPeers(config.peers),
    originators: readOriginators(config.originators),
    listen: { host: config.host, port: config.ports.federation },
    binding: core.binding,
    audit: async (kind, actor, body) => {
      await audit.append(kind, actor, body);
    },
    accept: async (obj, from) => {
      if (obj.kind === 'cot') {
        const cot = core.parseStored(obj.event);
        const peerAudience = audienceFor(registry, { nation: from.nation });
        await wiring.pipeline.fromPeer(
          cot,
          { origin: obj.origin, id: obj.id, label: obj.event.label, ...(obj.originVerified ? { originNation: obj.originVerified.nation } : {}) },
          { peer: from.peer, nation: from.nation, audience: peerAudience },
        );
      } else if (obj.kind === 'file-chunk') {
        // 5xx: not acknowledged, the peer resends once the file store is up (only during startup)
        const fileTransfer = wiring.fileTransfer();
        if (!fileTransfer) throw new KizunaError('INTERNAL', 'file store not ready');
        await fileTransfer.receive(obj, from);
      } else {
        // a partner's document goes on to our other peers like a track: under its originator's label and
        // binding, never back where it came from; a duplicate or stale revision stops here (loops end)
        if (await coordination.applyRemote(obj.doc, from.nation, obj.originVerified?.nation)) {
          federation.offer({ kind: 'doc', origin: obj.origin, id: obj.id, doc: obj.doc }, from.peer).catch(warnCode(log, 'federation relay (doc) failed'));
        }
      }
    },
    limits: { maxOutbox: config.limits.maxOutbox },
    // Audit countersigning: our chain head goes to every peer, theirs is recorded in our chain.
    auditHead: async () => {
      const h = await audit.head();
      return h ? { seq: h.seq, hash: h.hash } : undefined;
    },
    onPeerAuditHead: (from, head) => audit.countersign(from.peer, head),
    log,
  });
  const started = await federation.start();
  closers.push(() => federation.close());
  if (config.bus) {
    // several processes of this node: each one's browsers hear of the others' coordination changes
    const relay = relayCoordinationChanges({ bus: core.bus, nodeId, processId: core.processId, coordination, log });
    closers.push(() => relay.unsubscribe());
    // ... and every process closes the sessions it holds when any process learns of a revocation
    const revoked = relayRevocations({ bus: core.bus, nodeId, processId: core.processId, users: core.users, revocations: core.revocations, log });
    closers.push(() => revoked.unsubscribe());
    await Promise.all([relay.ready, revoked.ready]);
  }
  coordination.onChange((doc, info) => {
    // Replicas are never re-sent: each document travels only from its owner nation's node, and only
    // from the process that committed it.
    if (info?.remote || info?.sibling) return;
    federation.offer({ kind: 'doc', origin: nodeId, id: `${doc.collection}/${doc.id}/${doc.version}`, doc }).catch(warnCode(log, 'federation offer (doc) failed'));
  });
  return { federation, port: started.port ?? 0 };
}
