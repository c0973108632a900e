import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KizunaError } from '../util/errors.js';
import { queryString } from './http.js';
import { requester, sharesGroup } from './requester.js';
import type { MartiDeps } from './types.js';

/** ATAK rejects a version body without the substring "TAK Server" (GetServerVersionOperation). */
export const SERVER_VERSION = 'TAK Server 5.7-RELEASE-14 (Kizuna)';

function hostOf(req: FastifyRequest, fallback: string): string {
  const h = req.headers.host ?? fallback;
  return h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : (h.split(':')[0] ?? fallback);
}

/** Version endpoints: no content, served on both ports. */
export function registerVersionRoutes(app: FastifyInstance, deps: MartiDeps): void {
  app.get('/Marti/api/version', async (_req, reply) => reply.type('text/plain').send(SERVER_VERSION));
  app.get('/Marti/api/version/config', async (req, reply) =>
    reply.type('application/json').send(
      JSON.stringify({
        version: '3',
        type: 'ServerConfig',
        data: { version: '5.7.14-RELEASE', api: '3', hostname: hostOf(req, deps.publicHost) },
        nodeId: deps.nodeId,
      }),
    ),
  );
}

/**
 * Contacts, released by the guard for the caller and filtered by shared groups. Exact TAK Server
 * shape: one malformed entry makes ATAK drop the whole list (pitfall 24).
 */
export function registerContactRoutes(app: FastifyInstance, deps: MartiDeps): void {
  app.get('/Marti/api/clientEndPoints', async (req, reply) => {
    const who = requester(req, deps.registry, deps.revocations);
    const secAgo = Number(queryString(req.query, 'secAgo') ?? NaN);
    if (queryString(req.query, 'secAgo') !== undefined && !(secAgo >= 0)) throw new KizunaError('BAD_REQUEST', 'secAgo');
    const since = secAgo >= 0 ? Date.now() - secAgo * 1000 : -Infinity;
    const group = queryString(req.query, 'group');
    const released = deps.guard.releaseMany(deps.clients(), who.audience, 'rest');
    const data = released
      .map((r) => r.value)
      .filter((c) => sharesGroup(c.groups, who.id.groups) && c.lastEventTime >= since && (group === undefined || c.groups.includes(group)))
      .map((c) => ({
        callsign: c.callsign,
        uid: c.uid,
        username: c.username ?? c.callsign,
        team: c.team ?? '',
        role: c.role ?? '',
        lastEventTime: new Date(c.lastEventTime).toISOString(),
        lastStatus: c.connected === false ? 'Disconnected' : 'Connected',
        groups: c.groups,
      }));
    return reply
      .type('application/json')
      .send(JSON.stringify({ version: '3', type: 'com.bbn.marti.remote.ClientEndpoint', data, nodeId: deps.nodeId }));
  });
}
