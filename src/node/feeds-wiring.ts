/**
 * The node's sensor feeds (AIS, ADS-B): the feed manager with the node's label factory and the
 * admin-managed list in DATA/feeds.json. Every feed track goes through the node's `publish` (its ingest
 * pipeline, source kind 'sensor'), never straight into the store.
 */
import { join } from 'node:path';
import { makeLabel, type PolicyRegistry } from '../labels/index.js';
import { FeedManager, type FeedLeases, type KeepLast, type Publish } from '../feeds/index.js';
import type { Bus } from '../bus/types.js';
import { KizunaError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { NodeConfig } from './config.js';
import type { FeedAdmin } from '../api/index.js';

/** The admin endpoint's view of the feeds: every change is recorded in the node's audit chain. */
export function feedAdmin(feeds: FeedManager, audit: { append(kind: string, actor: string, body: unknown): Promise<unknown> }): FeedAdmin {
  return {
    list: () => feeds.list(),
    async add(config, actor) {
      const status = await feeds.add(config);
      const c = feeds.get(status.id)!.config;
      await audit.append('feed.add', actor, { id: c.id, kind: c.kind, transport: c.transport, host: c.host, port: c.port, url: c.url, path: c.path, label: c.label });
      return status;
    },
    async remove(id, actor) {
      await feeds.remove(id);
      await audit.append('feed.remove', actor, { id });
    },
  };
}

/** A feed lease outlives a renewal missed or two; a process killed without releasing is replaced after it. */
export const FEED_LEASE_TTL_MS = 10_000;
const FEED_LEASE_RENEW_MS = 3_000;

/** The bus's leases, so that of the processes of one node exactly one runs each feed. */
export function busFeedLeases(bus: Bus, holder: string): FeedLeases {
  return {
    acquire: (name) => bus.acquireLease(name, holder, FEED_LEASE_TTL_MS),
    release: (name) => bus.releaseLease(name, holder),
    renewMs: FEED_LEASE_RENEW_MS,
  };
}

/** `leases`: scale-out (a shared bus); undefined when this process is the whole node. */
export async function startFeeds(
  config: NodeConfig,
  registry: PolicyRegistry,
  sinks: { publish: Publish; keepLast?: KeepLast },
  log: Logger,
  leases?: FeedLeases,
): Promise<FeedManager> {
  const ids = config.feeds.map((f) => f.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new KizunaError('CONFIG_INVALID', `feeds: id ${dup} is used twice`);
  const policy = registry.policyOf(config.nation);
  const feeds = new FeedManager({
    ...sinks,
    configured: config.feeds,
    file: join(config.dataDir, 'feeds.json'),
    log,
    ...(leases ? { leases } : {}),
    labelOf: (l) =>
      makeLabel(registry, {
        policy,
        classification: l.classification,
        ...(l.relTo ? { relTo: l.relTo } : {}),
        ...(l.caveats ? { caveats: l.caveats } : {}),
        owner: config.nation,
      }),
  });
  try {
    await feeds.start();
  } catch (err) {
    await feeds.close();
    throw err;
  }
  return feeds;
}
