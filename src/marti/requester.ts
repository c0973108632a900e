import type { FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { audienceFor, type Audience, type PolicyRegistry } from '../labels/index.js';
import { peerIdentity, type CertIdentity, type Revocations } from '../certs/index.js';
import { KizunaError } from '../util/errors.js';

export interface Requester {
  id: CertIdentity;
  audience: Audience;
}

const bySocket = new WeakMap<TLSSocket, Requester>();

/**
 * The caller on the client-certificate port: identity from the certificate, audience from its nation.
 * Resolved once per TLS connection; revocation closes the connection (see index.ts), so a cached
 * identity never outlives its certificate.
 */
export function requester(req: FastifyRequest, registry: PolicyRegistry, revocations: Revocations): Requester {
  const socket = req.raw.socket as TLSSocket;
  const cached = bySocket.get(socket);
  if (cached) return cached;
  const id = peerIdentity(socket, revocations);
  if (!id) throw new KizunaError('UNAUTHENTICATED', 'client certificate missing, unknown or revoked');
  const r = { id, audience: audienceFor(registry, { nation: id.nation }) };
  bySocket.set(socket, r);
  return r;
}

/** TAK group semantics: two parties see each other when they share a group. */
export function sharesGroup(a: readonly string[], b: readonly string[]): boolean {
  return a.some((g) => b.includes(g));
}
