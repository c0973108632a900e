import Fastify, { type FastifyInstance } from 'fastify';
import { parseCotXml } from '../cot/xml.js';
import type { TakServer } from '../tak/server.js';
import type { Federation } from '../federation/index.js';
import type { FeedManager } from '../feeds/index.js';
import { labelFromInput } from '../coordination/index.js';
import { registerApi } from '../api/index.js';
import type { NodeCore } from './core.js';
import type { Closers } from './closers.js';
import type { NodePipeline } from './pipeline-wiring.js';
import { registerMetrics, type Sample } from './metrics.js';
import { registerStatic } from './static.js';
import { feedAdmin } from './feeds-wiring.js';
import type { MissionPanel } from '../marti/index.js';

export interface HttpWiring {
  nodePipeline: NodePipeline;
  tak: TakServer;
  federation: Federation;
  feeds: FeedManager;
  /** the missions panel (the Marti port starts after this listener) */
  missions: () => MissionPanel | undefined;
}

/** The plain-HTTP listener: health, /metrics, the REST/WS API and the browser COP. */
export async function startHttp(core: NodeCore, closers: Closers, wiring: HttpWiring): Promise<{ http: FastifyInstance; port: number }> {
  const { config, nodeId, registry } = core;
  const { tak, federation, feeds } = wiring;
  const { pipeline, tracks } = wiring.nodePipeline;
  const http = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
  closers.push(() => http.close());
  http.get('/healthz', async () => ({ ok: true, node: nodeId, nation: config.nation, clients: tak.clientCount }));
  registerMetrics(http, {
    tak,
    federationStatus: () => federation.status(),
    token: config.metrics.token,
    samples: () => [
      ...feeds.metrics(),
      { name: 'kizuna_write_refused_total', help: 'writes refused by the write authority', type: 'counter', value: wiring.nodePipeline.refusedWrites() },
      ...overloadSamples(tak),
    ],
    openSamples: () => connectionBudgetSamples(tak),
  });
  await registerApi(http, {
    nodeId,
    nation: config.nation,
    registry,
    guard: core.guard,
    store: core.store,
    users: core.users,
    coordination: core.coordination,
    tracks,
    partners: core.allies,
    federationStatus: () => federation.status(),
    feeds: feedAdmin(feeds, core.audit),
    missions: wiring.missions,
    maxEventBytes: config.limits.maxEventBytes,
    ingestCot: async (xml, user) => {
      const ev = parseCotXml(xml, { maxBytes: config.limits.maxEventBytes });
      await pipeline.fromUser(ev, { username: user.username, nation: config.nation, role: user.role, audience: user.audience });
    },
    publishCot: async (ev, input, user) => {
      const label = input ? labelFromInput(registry, { nation: config.nation, input, defaultRelTo: [config.nation], audience: user.audience, now: Date.now() }) : undefined;
      await pipeline.fromUser(ev, { username: user.username, nation: config.nation, role: user.role, audience: user.audience }, label);
    },
    relabelTrack: async (uid, input, user) => {
      const label = labelFromInput(registry, { nation: config.nation, input, defaultRelTo: [config.nation], audience: user.audience, now: Date.now() });
      await pipeline.relabel(uid, label, { username: user.username, nation: config.nation, role: user.role, audience: user.audience });
    },
  });
  registerStatic(http, config.webDir);
  await http.listen({ host: config.host, port: config.ports.http });
  return { http, port: (http.server.address() as { port: number }).port };
}

/** Series that reveal nothing about protected objects, so every scraper may read them. */
function connectionBudgetSamples(tak: TakServer): Sample[] {
  const b = tak.budgetStats;
  return [
    { name: 'kizuna_tak_sockets', help: 'open streaming sockets (TLS handshakes included)', type: 'gauge', value: b?.open ?? 0 },
    { name: 'kizuna_tak_refused_per_address_total', help: 'streaming connections refused by the per-address cap', type: 'counter', value: b?.refusedPerAddress ?? 0 },
    { name: 'kizuna_tak_refused_budget_total', help: 'streaming connections refused by the global budget', type: 'counter', value: b?.refusedGlobal ?? 0 },
    { name: 'kizuna_tak_idle_closed_total', help: 'plain-TCP clients closed after sending nothing', type: 'counter', value: b?.idleClosed ?? 0 },
  ];
}

/**
 * What overload cost: positions a newer one from the same sender replaced before they were written (in the
 * inbound gate, in the fan-out queue, or overtaken in the pipeline), and senders paused. They move with
 * events a scraper may not be cleared to see, so they are per-event series (token only).
 */
function overloadSamples(tak: TakServer): Sample[] {
  const skipped = 'positions replaced by a newer one from the same sender before they were written';
  return [
    { name: 'kizuna_tak_positions_skipped_total', help: skipped, type: 'counter', value: tak.inboundStats.conflated, labels: { stage: 'inbound' } },
    { name: 'kizuna_tak_positions_skipped_total', help: skipped, type: 'counter', value: tak.fanoutStats.conflated, labels: { stage: 'fanout' } },
    { name: 'kizuna_tak_positions_skipped_total', help: skipped, type: 'counter', value: tak.stats.superseded, labels: { stage: 'overtaken' } },
    { name: 'kizuna_tak_positions_parked_total', help: 'times a late position waited for a newer one of its track instead of being sent (fan-out behind)', type: 'counter', value: tak.fanoutStats.parked },
    { name: 'kizuna_tak_positions_overdue_total', help: 'positions sent because they had waited the longest a position may wait', type: 'counter', value: tak.fanoutStats.overdue },
    { name: 'kizuna_tak_positions_sent_late_total', help: 'late positions sent while the fan-out was behind: a new track, or one not shown for 10 s', type: 'counter', value: tak.fanoutStats.sentLate },
    { name: 'kizuna_tak_senders_paused_total', help: 'times a TAK sender was paused because the inbound queue was full', type: 'counter', value: tak.inboundStats.paused },
  ];
}
