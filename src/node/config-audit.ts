import { createHash } from 'node:crypto';
import type { Store } from '../store/types.js';
import type { SecurityLabel } from '../labels/types.js';
import { admitNodeRecord } from '../labels/index.js';
import { chainAudit, type AuditLog } from '../coordination/index.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { NodeConfig } from './config.js';

const META = { collection: 'node-meta', id: 'config' } as const;

/**
 * Configuration changes are decisions too: a start whose effective configuration (or policy files)
 * differs from the last recorded one writes `config.changed` to the audit chain, atomically with the
 * new digest. Seed passwords and the metrics token never enter the chain or the digest's input: only user names
 * and roles, and whether a metrics token is set.
 */
export async function auditConfig(store: Store, audit: AuditLog, config: NodeConfig, policyVersion: string, label: SecurityLabel): Promise<void> {
  const { seedUsers, metrics, ...rest } = config;
  // secrets stay out of the digest's input too: only whether a metrics token is set
  const effective = { ...rest, seedUsers: seedUsers.map((u) => ({ username: u.username, role: u.role })), metricsToken: metrics.token !== undefined, policyVersion };
  const digest = createHash('sha256').update(canonicalJson(effective)).digest('hex');
  const meta = await store.getDoc<{ digest: string }>(META.collection, META.id);
  if (meta?.body.digest === digest) return;
  await store.commit({
    docs: [admitNodeRecord({ nation: config.nation, policy: label.policy }, { ...META, label, body: { digest }, expectedVersion: meta?.version ?? 0 })],
    audit: [
      audit.draft('config.changed', 'system', {
        digest,
        previous: meta?.body.digest ?? null,
        policyVersion,
        nation: config.nation,
        peers: config.peers.map((p) => `${p.name}@${p.host}:${p.port}`),
        store: config.store?.startsWith('postgres') ? 'postgres' : 'sqlite',
        bus: config.bus ? 'nats' : 'memory',
      }),
    ],
    chain: chainAudit,
  });
}
