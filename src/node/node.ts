import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type tls from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Audience, SecurityLabel } from '../labels/types.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { Bus, Subscription } from '../bus/types.js';
import type { CotEvent } from '../cot/model.js';
import {
  audienceFor,
  combineLabels,
  createGuard,
  loadPolicies,
  makeLabel,
  type PolicyRegistry,
} from '../labels/index.js';
import { openStore } from '../store/open.js';
import { openBus } from '../bus/open.js';
import { nodeSubject } from '../bus/subject.js';
import { parseCotXml, serializeCotXml } from '../cot/xml.js';
import { TakServer } from '../tak/server.js';
import type { ClientIdentity, TakConnection } from '../tak/connection.js';
import { DELETE, deleteTarget } from '../tak/control.js';
import { ensureNodePki, identityOfCert, openRevocations, type NodePki, type Revocations } from '../certs/index.js';
import { startMartiServers, type MartiServers } from '../marti/index.js';
import { createAuditLog, createCoordination, createUserService, type AuditLog, type Coordination, type UserService } from '../coordination/index.js';
import { registerApi } from '../api/index.js';
import { createFederation, type Federation, type FedObject } from '../federation/index.js';
import { createFileTransfer, type FileTransfer } from '../federation/file-transfer.js';
import { createLogger, type Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import type { NodeConfig } from './config.js';
import { ingest, type IngestDeps, type IngestSource } from './ingest.js';
import { decodeBusEvent, isFromProcess, type BusEvent } from './bus-codec.js';
import { TrackFeed } from './track-feed.js';
import { loadBindingKeys } from './binding-keys.js';
import { relayCoordinationChanges } from './doc-relay.js';
import { auditConfig } from './config-audit.js';
import { registerStatic } from './static.js';
import { createLabelCache, memoDefaultLabel } from './label-cache.js';
import { renderMetrics } from './metrics.js';
import { readPeers } from './peers.js';
import { createChatBridge, GEOCHAT_TYPE } from './chat-bridge.js';
import { FILESHARE_TYPE, fileShareLabel } from './fileshare-label.js';

export interface ReadyInfo {
  ready: true;
  nation: string;
  node: string;
  tcp: number;
  tls: number;
  http: number;
  https: number;
  enroll: number;
  federation: number;
}

export interface KizunaNode {
  readonly config: NodeConfig;
  readonly nodeId: string;
  readonly ready: ReadyInfo;
  readonly registry: PolicyRegistry;
  readonly guard: ReleaseGuard;
  readonly store: Store;
  readonly bus: Bus;
  readonly pki: NodePki;
  readonly users: UserService;
  readonly coordination: Coordination;
  readonly audit: AuditLog;
  readonly federation: Federation;
  readonly tak: TakServer;
  readonly http: FastifyInstance;
  readonly tracks: TrackFeed;
  /** Injects a CoT event as this node's own sensor/API source (demo scenario, tests). */
  publishLocal(ev: CotEvent, label?: SecurityLabel): Promise<StoredEvent | undefined>;
  close(): Promise<void>;
}

/**
 * Assembles one sovereign national node: policies and the one guard, store, bus, PKI, the TAK
 * streaming server, HTTP (COP + REST/WS + health/metrics), the Marti HTTPS API and federation.
 * Every egress module receives the same guard instance; nothing here builds a Released value.
 */
export async function startNode(config: NodeConfig, opts: { logger?: Logger } = {}): Promise<KizunaNode> {
  const nodeId = config.nodeId ?? config.nation;
  const log = opts.logger ?? createLogger({ level: config.logLevel, name: `kizuna-${nodeId}` });
  mkdirSync(config.dataDir, { recursive: true });
  const processId = randomUUID();
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch((err) => log.warn({ err }, 'close step failed'));
  };

  try {
    const registry = loadPolicies(config.policiesDir);
    const guard = createGuard(registry);
    const policy = registry.policyOf(config.nation);
    const classes = registry.classifications(policy);
    const store = await openStore(config.store ?? join(config.dataDir, 'kizuna.db'));
    closers.push(() => store.close());
    const bus = await openBus(config.bus, nodeId);
    closers.push(() => bus.close());
    const pki = await ensureNodePki(config.dataDir, { nation: config.nation, nodeId, hosts: [config.publicHost, 'localhost', '127.0.0.1'] });
    const revocations = openRevocations(config.dataDir);
    const binding = await loadBindingKeys(config.dataDir);

    const audit = createAuditLog(store, { nodeId });
    const ownerOnlyLowest = makeLabel(registry, { policy, classification: classes[0]!, relTo: [config.nation], owner: config.nation });
    // several processes of one node start together: one records the change, the others find it recorded
    await auditConfig(store, audit, config, registry.version, ownerOnlyLowest).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'CONFLICT') throw err;
    });
    const users = createUserService(store, audit, { nation: config.nation, registry, loginThrottle: config.loginThrottle });
    if (config.seedUsers.length) await users.seed(config.seedUsers);
    const allies = [...new Set(config.peers.map((p) => p.nation))].filter((n) => n !== config.nation);
    const coordination = createCoordination({
      nodeId,
      nation: config.nation,
      store,
      registry,
      audit,
      guard,
      ...(allies.length ? { allies } : {}),
      onError: (err) => log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'coordination background task failed'),
    });
    coordination.onPhase((nation, phase) => guard.setPhaseRules(nation, phase));
    guard.onDecision((rec) => {
      if (!rec.decision.allow) log.debug({ path: rec.path, audience: rec.audienceKey, reason: rec.decision.reason }, 'release denied');
    });

    const labels = createLabelCache(registry);
    const defaultLabel = memoDefaultLabel((): SecurityLabel =>
      makeLabel(registry, {
        policy,
        classification: config.defaultLabel.classification ?? classes[0]!,
        relTo: config.defaultLabel.relTo ?? [config.nation],
        owner: config.nation,
      }),
    );
    const nationAudience = (maxClassification?: string): Audience =>
      audienceFor(registry, { nation: config.nation, ...(maxClassification ? { maxClassification } : {}) });
    const tcpAudience = nationAudience(config.tcpClearance ?? classes[0]);

    // --- the ingest pipeline ---------------------------------------------------------------
    const subject = nodeSubject(nodeId, 'events');
    const tracks = new TrackFeed(() => store.events.latest({ now: Date.now() }));
    let federation: Federation | undefined;
    const ingestDeps: IngestDeps = {
      nodeId,
      guard,
      store,
      bus,
      subject,
      parseLabel: (xml) => labels.parse(xml),
      labelXml: (l) => labels.xml(l),
      serialize: serializeCotXml,
      afterStore: (stored, _cot, source) => {
        if (!federation) return;
        const obj: FedObject = { kind: 'cot', origin: stored.origin, id: stored.id, event: stored };
        federation.offer(obj, source.kind === 'federation' ? source.hops?.at(-1) : undefined).catch((err) => {
          log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'federation offer failed');
        });
      },
    };

    // GeoChat <-> coordination chat (issue 6): chat written here goes to TAK clients through ingest.
    const chatBridge = createChatBridge({
      nation: config.nation,
      coordination,
      log,
      publish: async (ev, label) => {
        await ingest(ingestDeps, { ...ev, labelXml: labels.xml(label) }, {
          kind: 'api',
          audience: nationAudience(),
          defaultLabel: label,
          route: { sourceProcess: processId },
        });
      },
    });
    closers.push(() => chatBridge.close());
    let marti: MartiServers | undefined;
    let fileTransfer: FileTransfer | undefined;

    const tak: TakServer = new TakServer({
      processId,
      guard,
      logger: log,
      limits: {
        maxEventBytes: config.limits.maxEventBytes,
        maxSendQueueBytes: config.limits.maxSendQueueBytes,
        sendWindowBytes: config.limits.sendWindowBytes,
        offerProtobuf: config.offerProtobuf,
      },
      latest: () => store.events.latest({ now: Date.now() }),
      parseStored: (e) => parseCotXml(e.xml, { maxBytes: config.limits.maxEventBytes * 2 }),
      anonymousIdentity: () => ({
        name: 'anonymous',
        nation: config.nation,
        groups: ['__ANON__'],
        audience: tcpAudience,
        audienceKey: guard.audienceKey(tcpAudience),
      }),
      certificateIdentity: (socket: tls.TLSSocket) => certIdentity(socket),
      ingest: async (ev: CotEvent, from: TakConnection) => {
        const source: IngestSource = {
          kind: 'tak',
          audience: from.identity.audience,
          defaultLabel: defaultLabel(),
          route: { sourceConn: from.id, sourceProcess: processId, senderGroups: [...from.groups] },
        };
        // A file share carries the label of the file it announces (issue 9), never a lower one.
        const shareLabel =
          ev.type === FILESHARE_TYPE && marti
            ? fileShareLabel(
                {
                  files: marti.files,
                  allows: (l, a) => guard.decide(l, a).allow,
                  combine: (ls) => combineLabels(registry, ls),
                },
                ev,
                { uid: from.uid, audience: from.identity.audience },
                ev.labelXml ? ingestDeps.parseLabel(ev.labelXml) : undefined,
              )
            : undefined;
        const r = await ingest(ingestDeps, shareLabel ? { ...ev, labelXml: labels.xml(shareLabel) } : ev, source);
        // clientEndPoints releases a client by the label its SA was stored with (unlabelled SAs get the default).
        if (from.lastSa === ev) from.lastSa.label = r.stored.label;
        if (r.fresh && ev.type === GEOCHAT_TYPE) {
          await chatBridge
            .fromTak(ev, r.stored.label, { name: from.identity.name, callsign: from.callsign, audience: from.identity.audience })
            .catch((err) => log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'GeoChat to chat failed'));
        }
      },
      tls: {
        key: pki.serverKeyPem,
        cert: pki.serverCertPem,
        ca: pki.caCertPem,
        handshakeTimeoutMs: config.limits.handshakeTimeoutMs,
      },
    });
    closers.push(() => tak.close());

    function certIdentity(socket: tls.TLSSocket): ClientIdentity | undefined {
      const peer = socket.getPeerCertificate();
      if (!peer?.raw) return undefined;
      const id = identityOfCert(peer.raw);
      if (!id || id.kind !== 'client' || revocations.isRevoked(id.serial)) return undefined;
      // A certificate from this node's CA names a user of this nation; a foreign nation here is a misissue.
      if (id.nation !== config.nation) return undefined;
      const audience = nationAudience();
      return { name: id.name, nation: id.nation, groups: id.groups.length ? id.groups : ['__ANON__'], serial: id.serial, audience, audienceKey: guard.audienceKey(audience) };
    }
    revocations.onRevoke((serial) => {
      const n = tak.dropSerial(serial);
      log.info({ serial, dropped: n }, 'certificate revoked');
    });

    // Every process of this node delivers what any process stored (NATS) or what this one stored (memory).
    const deliverLocal = (be: BusEvent): void => {
      tak.deliver({ stored: be.stored, cot: be.cot, route: be.route });
      if (be.cot.type === DELETE) {
        const target = deleteTarget(be.cot.detailXml);
        if (target) {
          holders.delete(target);
          tracks.emit({ kind: 'delete', uid: target, label: be.stored.label });
        }
      } else {
        holders.set(be.stored.uid, { label: be.stored.label, origin: be.stored.origin });
        tracks.emit({ kind: 'event', event: be.stored });
      }
    };
    // Who holds each uid now (label + origin of its latest state): ingest refuses overwrites by senders
    // who may not see the current state. Kept live from every process's deliveries, warmed from the store.
    const holders = new Map<string, { label: SecurityLabel; origin: string }>();
    for (const e of await store.events.latest({ now: Date.now(), includeStale: true })) holders.set(e.uid, { label: e.label, origin: e.origin });
    ingestDeps.currentOf = (uid) => holders.get(uid);
    ingestDeps.processId = processId;
    ingestDeps.deliverLocal = deliverLocal;
    const sub: Subscription = bus.subscribe(subject, (data) => {
      if (isFromProcess(data, processId)) return; // already delivered from memory
      deliverLocal(decodeBusEvent(data));
    });
    closers.push(() => sub.unsubscribe());
    await sub.ready;

    // --- federation --------------------------------------------------------------------------
    const peers = readPeers(config.peers);
    federation = createFederation({
      nodeId,
      nation: config.nation,
      registry,
      guard,
      store,
      ...(config.bus ? { bus } : {}),
      tls: { certPem: pki.nodeCertPem, keyPem: pki.nodeKeyPem },
      peers,
      listen: { host: config.host, port: config.ports.federation },
      binding,
      audit: async (kind, actor, body) => {
        await audit.append(kind, actor, body);
      },
      accept: async (obj, from) => {
        if (obj.kind === 'cot') {
          const cot = parseCotXml(obj.event.xml, { maxBytes: config.limits.maxEventBytes * 2 });
          const peerAudience = audienceFor(registry, { nation: from.nation });
          await ingest(ingestDeps, { ...cot, labelXml: labels.xml(obj.event.label) }, {
            kind: 'federation',
            audience: peerAudience,
            defaultLabel: obj.event.label,
            route: { sourceProcess: processId },
            origin: obj.origin,
            eventId: obj.id,
            hops: [from.peer],
          });
        } else if (obj.kind === 'file-chunk') {
          // 5xx: not acknowledged, the peer resends once the file store is up (only during startup)
          if (!fileTransfer) throw new KizunaError('INTERNAL', 'file store not ready');
          await fileTransfer.receive(obj, from);
        } else {
          await coordination.applyRemote(obj.doc, from.nation);
        }
      },
      limits: { maxOutbox: config.limits.maxOutbox },
      // Audit countersigning (issue 6): our chain head goes to every peer, theirs is recorded in our chain.
      auditHead: async () => {
        const h = await audit.head();
        return h ? { seq: h.seq, hash: h.hash } : undefined;
      },
      onPeerAuditHead: (from, head) => audit.countersign(from.peer, head),
      log,
    });
    const fed = await federation.start();
    closers.push(() => federation!.close());
    if (config.bus) {
      // several processes of this node: each one's browsers hear of the others' coordination changes
      const relay = relayCoordinationChanges({ bus, nodeId, processId, coordination, log });
      closers.push(() => relay.unsubscribe());
      await relay.ready;
    }
    coordination.onChange((doc, info) => {
      // Replicas are never re-sent: each document travels only from its owner nation's node, and only
      // from the process that committed it.
      if (info?.remote || info?.sibling) return;
      federation!.offer({ kind: 'doc', origin: nodeId, id: `${doc.collection}/${doc.id}/${doc.version}`, doc }).catch((err) => {
        log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'federation offer (doc) failed');
      });
    });
    const deadlineTimer = setInterval(() => void coordination.checkDeadlines().catch(() => undefined), 30_000);
    closers.push(() => clearInterval(deadlineTimer));
    const pruneTimer = setInterval(() => {
      void store.events.pruneHistory(Date.now() - config.limits.historyRetentionHours * 3_600_000).catch(() => undefined);
    }, 600_000);
    closers.push(() => clearInterval(pruneTimer));

    // --- HTTP: COP, REST/WS, health, metrics ---------------------------------------------------
    const http = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
    closers.push(() => http.close());
    http.get('/healthz', async () => ({ ok: true, node: nodeId, nation: config.nation, clients: tak.clientCount }));
    http.get('/metrics', async (_req, reply) => {
      const samples = [
        { name: 'kizuna_tak_clients', help: 'connected TAK clients', type: 'gauge' as const, value: tak.clientCount },
        { name: 'kizuna_tak_received_total', help: 'events received from TAK clients', type: 'counter' as const, value: tak.stats.received },
        { name: 'kizuna_tak_delivered_total', help: 'events delivered to TAK clients', type: 'counter' as const, value: tak.stats.delivered },
        { name: 'kizuna_tak_withheld_total', help: 'deliveries withheld by the release guard', type: 'counter' as const, value: tak.stats.dropped },
      ];
      for (const p of federation!.status()) {
        samples.push({ name: 'kizuna_federation_outbox_depth', help: 'federation outbox depth', type: 'gauge' as const, value: p.outboxDepth, labels: { peer: p.peer } } as (typeof samples)[number]);
      }
      return reply.type('text/plain; version=0.0.4').send(renderMetrics(samples));
    });
    await registerApi(http, {
      nodeId,
      nation: config.nation,
      registry,
      guard,
      store,
      users,
      coordination,
      tracks,
      federationStatus: () => federation!.status(),
      ingestCot: async (xml, user) => {
        const ev = parseCotXml(xml, { maxBytes: config.limits.maxEventBytes });
        await ingest(ingestDeps, ev, {
          kind: 'api',
          audience: user.audience,
          defaultLabel: defaultLabel(),
          route: { sourceProcess: processId },
        });
      },
    });
    registerStatic(http, config.webDir);
    await http.listen({ host: config.host, port: config.ports.http });
    const httpPort = (http.server.address() as { port: number }).port;

    const streaming = await tak.listen({ host: config.host, tcpPort: config.ports.tcp, tlsPort: config.ports.tls });

    marti = await startMartiServers({
      host: config.host,
      httpsPort: config.ports.https,
      enrollPort: config.ports.enroll,
      pki,
      deps: {
        nation: config.nation,
        nodeId,
        publicHost: config.publicHost,
        tlsPort: streaming.tls ?? config.ports.tls,
        dataDir: config.dataDir,
        guard,
        registry,
        authenticate: async (username, password, address) => {
          const u = await users.verifyPassword(username, password, { address, via: 'marti' });
          return u ? { username: u.username, role: u.role } : undefined;
        },
        revocations,
        audit: async (kind, actor, body) => {
          await audit.append(kind, actor, body);
        },
        clients: () =>
          [...tak.connections()]
            .filter((c) => c.uid)
            .map((c) => ({
              label: c.lastSa?.label,
              value: { uid: c.uid!, callsign: c.callsign ?? c.uid!, lastEventTime: c.lastEventAt, groups: [...c.groups] },
            })),
        publishCot: async (xml, label) => {
          const ev = parseCotXml(xml, { maxBytes: config.limits.maxEventBytes });
          await ingest(ingestDeps, { ...ev, labelXml: labels.xml(label) }, {
            kind: 'api',
            audience: nationAudience(),
            defaultLabel: label,
            route: { sourceProcess: processId },
          });
        },
        defaultLabel,
      },
    });
    closers.push(() => marti.close());
    // Labelled files to federation peers in chunks (issue 9); same guard rule as every object.
    const transfer = createFileTransfer({
      nodeId,
      registry,
      guard,
      federation,
      files: marti.files,
      dir: join(config.dataDir, 'federation-files'),
      audit: async (kind, actor, body) => {
        await audit.append(kind, actor, body);
      },
      maxOutbox: config.limits.maxOutbox,
      log,
    });
    fileTransfer = transfer;
    const unFiles = marti.files.onRecord((rec) => {
      transfer.send(rec).catch((err) => log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'federation offer (file) failed'));
    });
    transfer.start();
    closers.push(async () => {
      unFiles();
      await transfer.close();
    });

    const ready: ReadyInfo = {
      ready: true,
      nation: config.nation,
      node: nodeId,
      tcp: streaming.tcp ?? 0,
      tls: streaming.tls ?? 0,
      http: httpPort,
      https: marti.httpsPort,
      enroll: marti.enrollPort,
      federation: fed.port ?? 0,
    };
    log.info(ready, 'node ready');

    return {
      config,
      nodeId,
      ready,
      registry,
      guard,
      store,
      bus,
      pki,
      users,
      coordination,
      audit,
      federation,
      tak,
      http,
      tracks,
      async publishLocal(ev, label) {
        const l = label ?? (ev.labelXml ? undefined : defaultLabel());
        const r = await ingest(ingestDeps, l ? { ...ev, labelXml: labels.xml(l) } : ev, {
          kind: 'sensor',
          audience: nationAudience(),
          defaultLabel: defaultLabel(),
          route: { sourceProcess: processId },
        });
        return r.fresh ? r.stored : undefined;
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    if (err instanceof KizunaError) throw err;
    throw new KizunaError('INTERNAL', 'node failed to start', { cause: err });
  }
}

export type { Revocations };
