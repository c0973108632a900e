import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audienceFor, createGuard, loadPolicies } from '../labels/index.js';
import { ROLES, type Role } from '../vocab/index.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import { createAuditLog, type AuditLog } from './audit.js';
import { createCoordination, type Coordination, type CoordinationOptions } from './service.js';
import { audienceOf } from './registry.js';
import { createUserService, type SessionUser, type UserService } from './users.js';

/** Test fixture only (imported by *.test.ts): one national node's coordination on a real SQLite file. */
export interface TestNode {
  nation: string;
  dir: string;
  file: string;
  store: Store;
  audit: AuditLog;
  users: UserService;
  coord: Coordination;
  /** session users by role: viewer, operator, coordinator, administrator */
  as: Record<Role, SessionUser>;
  close(): Promise<void>;
}

export const registry = loadPolicies();
/** The real release guard, as at a federation boundary. */
export const guard = createGuard(registry);

export async function makeNode(
  nation: string,
  opts: Partial<CoordinationOptions> & { openStore?: () => Promise<Store>; cleanup?: () => Promise<void> } = {},
): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), `kizuna-coord-${nation}-`));
  const file = join(dir, 'kizuna.db');
  const store = opts.openStore ? await opts.openStore() : await openSqliteStore(file);
  const audit = createAuditLog(store, { nodeId: nation, ...(opts.now ? { now: opts.now } : {}) });
  const users = createUserService(store, audit, { nation, registry, ...(opts.now ? { now: opts.now } : {}) });
  // Session users as the user service produces them (its own tests cover login; scrypt is slow on purpose).
  const as = {} as TestNode['as'];
  for (const role of ROLES) {
    as[role] = { username: `${nation.toLowerCase()}-${role}`, nation, role, audience: audienceOf(registry, nation) };
  }
  const { openStore: _open, cleanup: _cleanup, ...coordOpts } = opts;
  const coord = createCoordination({ nodeId: nation, nation, store, registry, audit, ...coordOpts });
  return {
    nation,
    dir,
    file,
    store,
    audit,
    users,
    coord,
    as,
    close: async () => {
      await store.close();
      await opts.cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Simulated federation: every local change of one node passes the real release guard for the peer
 * nation (label translated into its policy, as the federation sender does) and is applied on the other.
 */
export function federate(a: TestNode, b: TestNode): { settle(): Promise<void>; errors: unknown[]; withheld: string[] } {
  let chain: Promise<void> = Promise.resolve();
  const errors: unknown[] = [];
  const withheld: string[] = [];
  const wire = (from: TestNode, to: TestNode) =>
    from.coord.onChange((doc, info) => {
      if (info.remote) return;
      const released = guard.release({ label: doc.label, value: doc }, audienceFor(registry, { nation: to.nation }), 'federation');
      if (!released) {
        withheld.push(`${doc.collection}/${doc.id}`);
        return;
      }
      const copy = { ...structuredClone(released.value), label: structuredClone(released.label) };
      chain = chain.then(async () => void (await to.coord.applyRemote(copy, from.nation))).catch((e) => void errors.push(e));
    });
  wire(a, b);
  wire(b, a);
  return {
    errors,
    withheld,
    settle: async () => {
      // Applying may trigger further changes (phase audit); loop until quiet.
      for (let i = 0; i < 5; i++) await chain;
    },
  };
}
