import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type tls from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Audience, SecurityLabel } from '../labels/types.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { Bus } from '../bus/types.js';
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
import { connectionBudgetFromFdLimit } from '../tak/budget.js';
import { raiseFdLimit } from './fd-limit.js';
import type { ClientIdentity, TakConnection } from '../tak/connection.js';
import { DELETE } from '../tak/control.js';
import { ensureNodePki, identityOfCert, openRevocations, type NodePki, type Revocations } from '../certs/index.js';
import { startMartiServers, type MartiServers } from '../marti/index.js';
import { createAuditLog, createCoordination, createUserService, labelFromInput, type AuditLog, type Coordination, type UserService } from '../coordination/index.js';
import { registerApi } from '../api/index.js';
import { createFederation, type Federation, type FedObject } from '../federation/index.js';
import { createFileTransfer, type FileTransfer } from '../federation/index.js';
import { createLogger, type Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import type { NodeConfig } from './config.js';
import { Pipeline, createRefusalAudit } from '../pipeline/index.js';
import { TrackFeed } from './track-feed.js';
import { loadBindingKeys } from './binding-keys.js';
import { relayCoordinationChanges } from './doc-relay.js';
import { relayRevocations } from './revocation-relay.js';
import { auditConfig } from './config-audit.js';
import { registerStatic } from './static.js';
import { createLabelCache, memoDefaultLabel } from './label-cache.js';
import { registerMetrics } from './metrics.js';
import { ensureDataDir } from '../util/data-dir.js';
import { readOriginators, readPeers } from './peers.js';
import { createChatBridge, GEOCHAT_TYPE } from './chat-bridge.js';
import { FILESHARE_TYPE, fileShareLabel } from './fileshare-label.js';
import { feedAdmin, startFeeds } from './feeds-wiring.js';
import type { FeedManager } from '../feeds/index.js';

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
  readonly feeds: FeedManager;
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
  ensureDataDir(config.dataDir); // not a recursive mkdir: that one spins forever under /proc
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

    // --- the CoT pipeline (src/pipeline): write authority → store → bus → local delivery ------
    const subject = nodeSubject(nodeId, 'events');
    const tracks = new TrackFeed(() => store.events.latest({ now: Date.now() }));
    let federation: Federation | undefined;
    let refusedWrites = 0;
    const refusals = createRefusalAudit({ append: (kind, actor, body) => audit.append(kind, actor, body).then(() => undefined) });
    closers.push(() => refusals.flush());
    const pipeline = new Pipeline({
      nodeId,
      nation: config.nation,
      processId,
      registry,
      guard,
      store,
      bus,
      subject,
      parseLabel: (xml) => labels.parse(xml),
      labelXml: (l) => labels.xml(l),
      serialize: serializeCotXml,
      defaultLabel,
      nationAudience: nationAudience(),
      maxFutureSkewMs: config.limits.maxFutureSkewMs,
      parseStored: (e) => parseCotXml(e.xml, { maxBytes: config.limits.maxEventBytes * 2 }),
      onRelabel: (r) => {
        void audit.append('track.relabel', r.actor.identity, { uid: r.uid, before: r.before, after: r.after }).catch((err: unknown) => {
          log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'audit of a re-label failed');
        });
      },
      onRefused: (r) => {
        refusedWrites++;
        log.info({ code: r.code, actor: r.actor.identity, path: r.path }, 'write refused');
        refusals.record(r);
      },
      afterStore: (stored, _cot, source) => {
        if (!federation) return;
        const obj: FedObject = { kind: 'cot', origin: stored.origin, id: stored.id, event: stored };
        federation.offer(obj, source.kind === 'federation' ? source.hops?.at(-1) : undefined).catch((err) => {
          log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'federation offer failed');
        });
      },
    });
    closers.push(() => pipeline.close());

    // GeoChat <-> coordination chat: chat written here goes to TAK clients through ingest.
    const chatBridge = createChatBridge({
      nation: config.nation,
      coordination,
      log,
      publish: async (ev, label) => {
        await pipeline.fromNode(ev, `node:${nodeId}:chat`, label);
      },
    });
    closers.push(() => chatBridge.close());
    let marti: MartiServers | undefined;
    let fileTransfer: FileTransfer | undefined;

    const fdLimit = await raiseFdLimit(log);
    const conns = config.connections;
    const maxConnections = conns.maxConnections || connectionBudgetFromFdLimit(fdLimit?.soft, conns.reservedFds, 10_000);
    log.info({ maxConnections, fdLimit: fdLimit?.soft, reservedFds: conns.reservedFds }, 'streaming connection budget');
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
        // A file share carries the label of the file it announces, never a lower one.
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
                ev.labelXml ? labels.parse(ev.labelXml) : undefined,
              )
            : undefined;
        const r = await pipeline.fromTak(shareLabel ? { ...ev, labelXml: labels.xml(shareLabel) } : ev, from);
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
      budget: {
        maxConnections,
        maxPerAddress: { tcp: conns.maxPerAddressTcp, tls: conns.maxPerAddressTls },
        tcpIdleTimeoutMs: conns.tcpIdleTimeoutMs,
        refusalLogIntervalMs: conns.refusalLogIntervalMs,
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
    // A disabled user's live TAK sessions (certificate name = username) end at once, like a revocation.
    const unRevokedUsers = users.onRevoked((r) => {
      if (r.kind !== 'user') return;
      const live = [...tak.connections()].filter((c) => c.identity.serial !== undefined && c.identity.name === r.username);
      for (const c of live) {
        c.close('user disabled');
        c.socket.destroy();
      }
      log.info({ user: r.username, dropped: live.length }, 'user disabled');
    });
    closers.push(unRevokedUsers);

    // Every process of this node delivers what any process stored (NATS) or what this one stored (memory).
    pipeline.onDelivery((be) => {
      tak.deliver({ stored: be.stored, cot: be.cot, route: be.route });
      if (be.cot.type === DELETE) tracks.emit({ kind: 'delete', uid: be.stored.uid, label: be.stored.label });
      else tracks.emit({ kind: 'event', event: be.stored });
    });
    await pipeline.start();
    // Sensor feeds (AIS, ADS-B): each feed is its own writer (`feed:<id>`), cleared only to its own label's
    // level, so a public feed can neither overwrite nor learn of a track a higher feed or a client holds.
    const feeds = await startFeeds(config, registry, async (ev, label, feedId) => {
      await pipeline.fromNode(ev, `feed:${feedId}`, label, nationAudience(label.classification));
    }, log);
    closers.push(() => feeds.close());

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
      originators: readOriginators(config.originators),
      listen: { host: config.host, port: config.ports.federation },
      binding,
      audit: async (kind, actor, body) => {
        await audit.append(kind, actor, body);
      },
      accept: async (obj, from) => {
        if (obj.kind === 'cot') {
          const cot = parseCotXml(obj.event.xml, { maxBytes: config.limits.maxEventBytes * 2 });
          const peerAudience = audienceFor(registry, { nation: from.nation });
          await pipeline.fromPeer(
            cot,
            { origin: obj.origin, id: obj.id, label: obj.event.label, ...(obj.originVerified ? { originNation: obj.originVerified.nation } : {}) },
            { peer: from.peer, nation: from.nation, audience: peerAudience },
          );
        } else if (obj.kind === 'file-chunk') {
          // 5xx: not acknowledged, the peer resends once the file store is up (only during startup)
          if (!fileTransfer) throw new KizunaError('INTERNAL', 'file store not ready');
          await fileTransfer.receive(obj, from);
        } else {
          await coordination.applyRemote(obj.doc, from.nation);
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
    const fed = await federation.start();
    closers.push(() => federation!.close());
    if (config.bus) {
      // several processes of this node: each one's browsers hear of the others' coordination changes
      const relay = relayCoordinationChanges({ bus, nodeId, processId, coordination, log });
      closers.push(() => relay.unsubscribe());
      // ... and every process closes the sessions it holds when any process learns of a revocation
      const revoked = relayRevocations({ bus, nodeId, processId, users, revocations, log });
      closers.push(() => revoked.unsubscribe());
      await Promise.all([relay.ready, revoked.ready]);
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
    registerMetrics(http, {
      tak,
      federationStatus: () => federation!.status(),
      token: config.metrics.token,
      samples: () => [
        ...feeds.metrics(),
        { name: 'kizuna_write_refused_total', help: 'writes refused by the write authority', type: 'counter', value: refusedWrites },
      ],
      openSamples: () => [
        { name: 'kizuna_tak_sockets', help: 'open streaming sockets (TLS handshakes included)', type: 'gauge', value: tak.budgetStats?.open ?? 0 },
        { name: 'kizuna_tak_refused_per_address_total', help: 'streaming connections refused by the per-address cap', type: 'counter', value: tak.budgetStats?.refusedPerAddress ?? 0 },
        { name: 'kizuna_tak_refused_budget_total', help: 'streaming connections refused by the global budget', type: 'counter', value: tak.budgetStats?.refusedGlobal ?? 0 },
        { name: 'kizuna_tak_idle_closed_total', help: 'plain-TCP clients closed after sending nothing', type: 'counter', value: tak.budgetStats?.idleClosed ?? 0 },
      ],
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
      partners: allies,
      federationStatus: () => federation!.status(),
      feeds: feedAdmin(feeds, audit),
      ingestCot: async (xml, user) => {
        const ev = parseCotXml(xml, { maxBytes: config.limits.maxEventBytes });
        await pipeline.fromUser(ev, { username: user.username, nation: config.nation, role: user.role, audience: user.audience });
      },
      relabelTrack: async (uid, input, user) => {
        const label = labelFromInput(registry, { nation: config.nation, input, defaultRelTo: [config.nation], audience: user.audience, now: Date.now() });
        await pipeline.relabel(uid, label, { username: user.username, nation: config.nation, role: user.role, audience: user.audience });
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
        publishCot: async (xml, label, by) => {
          const ev = parseCotXml(xml, { maxBytes: config.limits.maxEventBytes });
          await pipeline.fromUser(ev, { username: by.name, nation: by.nation, audience: by.audience }, label);
        },
        defaultLabel,
      },
    });
    closers.push(() => marti.close());
    // Labelled files to federation peers in chunks; same guard rule as every object.
    const transfer = createFileTransfer({
      nodeId,
      nation: config.nation,
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
      feeds,
      async publishLocal(ev, label) {
        const r = await pipeline.fromNode(ev, `node:${nodeId}`, label);
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
