import type { FastifyRequest } from 'fastify';
import { KizunaError } from '../util/errors.js';
import { roleAtLeast, type Role } from '../vocab/index.js';
import type { SessionUser, UserService } from './deps.js';

/** True when `role` is at least `min` (administrator ⊇ coordinator ⊇ operator ⊇ viewer). */
export function hasRole(role: Role, min: Role): boolean {
  return roleAtLeast(role, min);
}

/** Bearer token from the Authorization header (REST). Tokens in URLs are for the WebSocket only. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S{1,1024})\s*$/i.exec(h);
  return m?.[1];
}

/** Resolves the session; the same UNAUTHENTICATED for missing, malformed, unknown and expired tokens. */
export async function authenticate(users: UserService, token: string | undefined): Promise<SessionUser> {
  if (!token) throw new KizunaError('UNAUTHENTICATED');
  const user = await users.authenticate(token);
  if (!user) throw new KizunaError('UNAUTHENTICATED');
  return user;
}

export function requireRole(user: SessionUser, min: Role): void {
  if (!hasRole(user.role, min)) throw new KizunaError('FORBIDDEN', `needs ${min}`);
}
