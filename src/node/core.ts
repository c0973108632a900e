import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Audience, SecurityLabel } from '../labels/types.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { CotEvent } from '../cot/model.js';
import { parseCotXml } from '../cot/xml.js';
import type { Bus } from '../bus/types.js';
import { audienceFor, createGuard, loadPolicies, makeLabel, type PolicyRegistry } from '../labels/index.js';
import { openStore } from '../store/open.js';
import { openBus } from '../bus/open.js';
import { ensureNodePki, openRevocations, type NodePki, type Revocations } from '../certs/index.js';
import { createAuditLog, createCoordination, createUserService, type AuditLog, type Coordination, type UserService } from '../coordination/index.js';
import type { Logger } from '../util/log.js';
import type { NodeConfig } from './config.js';
import type { Closers } from './closers.js';
import { loadBindingKeys } from './binding-keys.js';
import { auditConfig } from './config-audit.js';
import { createLabelCache, memoDefaultLabel } from './label-cache.js';
import { warnCode } from './closers.js';

/** The node's state and authorities, without any listener: what every adapter (TAK, HTTP, Marti, federation) is wired to. */
export interface NodeCore {
  readonly config: NodeConfig;
  readonly nodeId: string;
  /** One per process: several processes of one node tell their own bus echoes apart by it. */
  readonly processId: string;
  readonly log: Logger;
  readonly registry: PolicyRegistry;
  readonly guard: ReleaseGuard;
  readonly store: Store;
  readonly bus: Bus;
  readonly pki: NodePki;
  readonly revocations: Revocations;
  readonly binding: Awaited<ReturnType<typeof loadBindingKeys>>;
  readonly audit: AuditLog;
  readonly users: UserService;
  readonly coordination: Coordination;
  /** The partner nations named by the configured peers. */
  readonly allies: string[];
  readonly labels: ReturnType<typeof createLabelCache>;
  readonly defaultLabel: () => SecurityLabel;
  /** This nation's audience, capped at `maxClassification` when given. */
  nationAudience(maxClassification?: string): Audience;
  readonly lowestClassification: string;
  /** Parses a stored event's XML (twice the ingest limit: the stored form carries the label element). */
  parseStored(event: StoredEvent): CotEvent;
}

/** Opens the policies, guard, store, bus, PKI, audit chain, users and coordination of one node. */
export async function createCore(config: NodeConfig, log: Logger, closers: Closers): Promise<NodeCore> {
  const nodeId = config.nodeId ?? config.nation;
  const registry = loadPolicies(config.policiesDir);
  const guard = createGuard(registry);
  const policy = registry.policyOf(config.nation);
  const classes = registry.classifications(policy);
  const lowestClassification = classes[0]!;
  const store = await openStore(config.store ?? join(config.dataDir, 'kizuna.db'));
  closers.push(() => store.close());
  const bus = await openBus(config.bus, nodeId);
  closers.push(() => bus.close());
  const pki = await ensureNodePki(config.dataDir, { nation: config.nation, nodeId, hosts: [config.publicHost, 'localhost', '127.0.0.1'] });
  const revocations = openRevocations(config.dataDir);
  const binding = await loadBindingKeys(config.dataDir);

  const audit = createAuditLog(store, { nodeId });
  const ownerOnlyLowest = makeLabel(registry, { policy, classification: lowestClassification, relTo: [config.nation], owner: config.nation });
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
    onError: warnCode(log, 'coordination background task failed'),
  });
  coordination.onPhase((nation, phase) => guard.setPhaseRules(nation, phase));
  guard.onDecision((rec) => {
    if (!rec.decision.allow) log.debug({ path: rec.path, audience: rec.audienceKey, reason: rec.decision.reason }, 'release denied');
  });

  const defaultLabel = memoDefaultLabel((): SecurityLabel =>
    makeLabel(registry, {
      policy,
      classification: config.defaultLabel.classification ?? lowestClassification,
      relTo: config.defaultLabel.relTo ?? [config.nation],
      owner: config.nation,
    }),
  );
  return {
    config,
    nodeId,
    processId: randomUUID(),
    log,
    registry,
    guard,
    store,
    bus,
    pki,
    revocations,
    binding,
    audit,
    users,
    coordination,
    allies,
    labels: createLabelCache(registry),
    defaultLabel,
    lowestClassification,
    parseStored: (e) => parseCotXml(e.xml, { maxBytes: config.limits.maxEventBytes * 2 }),
    nationAudience: (maxClassification) =>
      audienceFor(registry, { nation: config.nation, ...(maxClassification ? { maxClassification } : {}) }),
  };
}

/** Deadline checks for coordination requests and pruning of superseded event history. */
export function startHousekeeping(core: NodeCore, closers: Closers): void {
  const deadlineTimer = setInterval(() => void core.coordination.checkDeadlines().catch(() => undefined), 30_000);
  closers.push(() => clearInterval(deadlineTimer));
  const retentionMs = core.config.limits.historyRetentionHours * 3_600_000;
  const pruneTimer = setInterval(() => {
    void core.store.events.pruneHistory(Date.now() - retentionMs).catch(() => undefined);
  }, 600_000);
  closers.push(() => clearInterval(pruneTimer));
}
