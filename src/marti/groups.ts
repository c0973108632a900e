import type { FastifyInstance, FastifyRequest } from 'fastify';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/fs.js';
import { KizunaError } from '../util/errors.js';
import { parseBasicAuth, queryString } from './http.js';
import { requester } from './requester.js';
import type { MartiDeps } from './types.js';

/**
 * TAK Server's group bookkeeping, reduced to what clients read: a stable bit position per group name
 * (ATAK's ServerGroup.isValid wants bitpos >= 0, a created date, a type and a direction) and the day
 * the node first saw the group. Kept in DATA/marti/groups.json so positions survive restarts.
 */
export interface GroupBook {
  entry(name: string): { bitpos: number; created: string };
}

// a list, not an object keyed by name: a group called "__proto__" must stay just a name
const BookSchema = z.object({
  nextBit: z.number().int().nonnegative(),
  groups: z.array(z.object({ name: z.string(), bitpos: z.number().int().nonnegative(), created: z.string() })),
});

export function openGroupBook(dataDir: string, now: () => Date = () => new Date()): GroupBook {
  const dir = join(dataDir, 'marti');
  const file = join(dir, 'groups.json');
  mkdirSync(dir, { recursive: true });
  const saved = existsSync(file) ? BookSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : { nextBit: 0, groups: [] };
  let nextBit = saved.nextBit;
  const byName = new Map(saved.groups.map((g) => [g.name, { bitpos: g.bitpos, created: g.created }]));
  return {
    entry(name) {
      const known = byName.get(name);
      if (known) return known;
      // TAK Server serialises Group.created with @JsonFormat(pattern = "yyyy-MM-dd")
      const e = { bitpos: nextBit++, created: now().toISOString().slice(0, 10) };
      byName.set(name, e);
      writeFileAtomic(file, JSON.stringify({ nextBit, groups: [...byName].map(([n, g]) => ({ name: n, ...g })) }), 0o600);
      return e;
    },
  };
}

/** A group with no name in the identity is TAK's anonymous group (same rule as the streaming server). */
const ownGroups = (groups: readonly string[]) => (groups.length ? [...new Set(groups)] : ['__ANON__']);

/**
 * GET /Marti/api/groups/all in TAK Server's shape (GroupsApi.getAllGroups): only the caller's own
 * groups, sorted like its ConcurrentSkipListSet (name, then IN before OUT). With useCache=true (what
 * ATAK, WinTAK and iTAK send) each group is listed IN and OUT; without it TAK Server drops the IN rows.
 * `description` is left out, as Jackson's NON_NULL does for groups that are not from LDAP.
 */
function groupsBody(deps: MartiDeps, book: GroupBook, groups: readonly string[], useCache: boolean): string {
  const directions = useCache ? (['IN', 'OUT'] as const) : (['OUT'] as const);
  const data = ownGroups(groups)
    .sort()
    .flatMap((name) => {
      const { bitpos, created } = book.entry(name);
      return directions.map((direction) => ({ name, direction, created, type: 'SYSTEM', bitpos, active: true }));
    });
  return JSON.stringify({ version: '3', type: 'com.bbn.marti.remote.groups.Group', data, nodeId: deps.nodeId });
}

const TRUE = new Set(['true', 'on', 'yes', '1']);
const FALSE = new Set(['false', 'off', 'no', '0']);

function useCacheOf(req: FastifyRequest): boolean {
  // Spring's StringToBooleanConverter; empty means the default (false); anything else is a 400 there too
  const v = (queryString(req.query, 'useCache') ?? '').trim().toLowerCase();
  if (v === '' || FALSE.has(v)) return false;
  if (TRUE.has(v)) return true;
  throw new KizunaError('BAD_REQUEST', 'useCache');
}

/** 8443: the caller is the client certificate. */
export function registerGroupRoutes(app: FastifyInstance, deps: MartiDeps, book: GroupBook): void {
  app.get('/Marti/api/groups/all', async (req, reply) => {
    const who = requester(req, deps.registry, deps.revocations);
    return reply.type('application/json').send(groupsBody(deps, book, who.id.groups, useCacheOf(req)));
  });
}

/** 8446: the caller is a node user by HTTP basic auth (one-time enrollment tokens are not logins). */
export function registerBasicGroupRoutes(app: FastifyInstance, deps: MartiDeps, book: GroupBook): void {
  app.get('/Marti/api/groups/all', async (req, reply) => {
    const creds = parseBasicAuth(req.headers.authorization);
    // the address lets the login throttle count per client as well as per username
    const user = creds && (await deps.authenticate(creds.username, creds.password, req.ip));
    if (!user) throw new KizunaError('UNAUTHENTICATED');
    return reply.type('application/json').send(groupsBody(deps, book, user.groups ?? [], useCacheOf(req)));
  });
}
