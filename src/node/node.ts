import type { FastifyInstance } from 'fastify';
import type { SecurityLabel } from '../labels/types.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { PolicyRegistry } from '../labels/index.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { Bus } from '../bus/types.js';
import type { CotEvent } from '../cot/model.js';
import type { TakServer } from '../tak/server.js';
import type { NodePki, Revocations } from '../certs/index.js';
import type { AuditLog, Coordination, UserService } from '../coordination/index.js';
import type { Federation, FileTransfer } from '../federation/index.js';
import type { MartiServers } from '../marti/index.js';
import type { FeedManager } from '../feeds/index.js';
import { createLogger, type Logger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import { ensureDataDir } from '../util/data-dir.js';
import type { NodeConfig } from './config.js';
import type { TrackFeed } from './track-feed.js';
import { Closers } from './closers.js';
import { createCore, startHousekeeping } from './core.js';
import { createNodePipeline, startLocalDelivery } from './pipeline-wiring.js';
import { createChatBridge } from './chat-bridge.js';
import { createTakServer } from './tak-wiring.js';
import { busFeedLeases, startFeeds } from './feeds-wiring.js';
import { startNodeFederation } from './federation-wiring.js';
import { startHttp } from './http-wiring.js';
import { startMarti } from './marti-wiring.js';

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
 * A CoT event's path: tak-wiring (socket) → pipeline-wiring (authority, store, bus) → local delivery
 * (tak) and federation (afterStore offer).
 */
export async function startNode(config: NodeConfig, opts: { logger?: Logger } = {}): Promise<KizunaNode> {
  const nodeId = config.nodeId ?? config.nation;
  const log = opts.logger ?? createLogger({ level: config.logLevel, name: `kizuna-${nodeId}` });
  ensureDataDir(config.dataDir); // not a recursive mkdir: that one spins forever under /proc
  const closers = new Closers(log);

  try {
    const core = await createCore(config, log, closers);
    // Federation, Marti and the file transfer start after the pipeline and TAK server that they feed.
    let federation: Federation | undefined;
    let marti: MartiServers | undefined;
    let fileTransfer: FileTransfer | undefined;

    const nodePipeline = createNodePipeline(core, closers, () => federation, () => marti?.missions);
    const { pipeline } = nodePipeline;
    // GeoChat <-> coordination chat: chat written here goes to TAK clients through ingest.
    const chatBridge = createChatBridge({
      nation: config.nation,
      coordination: core.coordination,
      log,
      publish: async (ev, label) => {
        await pipeline.fromNode(ev, `node:${nodeId}:chat`, label);
      },
    });
    closers.push(() => chatBridge.close());
    const tak = await createTakServer(core, closers, { pipeline, chatBridge, marti: () => marti });
    await startLocalDelivery(nodePipeline, tak);
    // Sensor feeds (AIS, ADS-B): each feed is its own writer (`feed:<id>`), cleared only to its own label's
    // level, so a public feed can neither overwrite nor learn of a track a higher feed or a client holds.
    const feeds = await startFeeds(config, core.registry, {
      publish: async (events, label, feedId, writes) =>
        (await pipeline.fromNodeBatch(events, `feed:${feedId}`, label, core.nationAudience(label.classification), writes)).refused,
      // a forgotten track's last update, stored without a history row, ends its history
      keepLast: async (uids, feedId) => void (await core.store.events.historyFromLatest(uids, `feed:${feedId}`)),
    }, log, config.bus ? busFeedLeases(core.bus, core.processId) : undefined);
    closers.push(() => feeds.close());

    const fed = await startNodeFederation(core, closers, { pipeline, fileTransfer: () => fileTransfer });
    federation = fed.federation;
    startHousekeeping(core, closers);
    const http = await startHttp(core, closers, { nodePipeline, tak, federation, feeds, missions: () => marti?.missionPanel });
    const streaming = await tak.listen({ host: config.host, tcpPort: config.ports.tcp, tlsPort: config.ports.tls });
    const martiStarted = await startMarti(core, closers, { pipeline, tak, federation, tlsPort: streaming.tls ?? config.ports.tls });
    marti = martiStarted.marti;
    fileTransfer = martiStarted.fileTransfer;

    const ready: ReadyInfo = {
      ready: true,
      nation: config.nation,
      node: nodeId,
      tcp: streaming.tcp ?? 0,
      tls: streaming.tls ?? 0,
      http: http.port,
      https: marti.httpsPort,
      enroll: marti.enrollPort,
      federation: fed.port,
    };
    log.info(ready, 'node ready');

    return {
      config,
      nodeId,
      ready,
      registry: core.registry,
      guard: core.guard,
      store: core.store,
      bus: core.bus,
      pki: core.pki,
      users: core.users,
      coordination: core.coordination,
      audit: core.audit,
      federation,
      tak,
      http: http.http,
      tracks: nodePipeline.tracks,
      feeds,
      async publishLocal(ev, label) {
        const r = await pipeline.fromNode(ev, `node:${nodeId}`, label);
        return r.fresh ? r.stored : undefined;
      },
      close: () => closers.closeAll(),
    };
  } catch (err) {
    await closers.closeAll();
    if (err instanceof KizunaError) throw err;
    throw new KizunaError('INTERNAL', 'node failed to start', { cause: err });
  }
}

export type { Revocations };
