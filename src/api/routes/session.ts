import { bearerToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import type { UserView } from '../contract.js';
import { route, type AnyRoute } from '../route-table.js';
import { DisabledBodySchema, LoginBodySchema, LoginResultSchema, OkSchema, UserViewSchema, UsernameParamsSchema } from '../schemas.js';

/** Only the public user fields: the session's audience/clearance stays server-side. */
export function publicUser(u: UserView): UserView {
  const v: UserView = { username: u.username, nation: u.nation, role: u.role };
  if (u.displayName) v.displayName = u.displayName;
  return v;
}

function isoTime(t: string | number | Date): string {
  return new Date(t).toISOString();
}

export function sessionRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'POST',
      url: '/api/auth/login',
      summary: 'Log in with username and password; returns a session token',
      tag: 'auth',
      auth: 'public',
      body: LoginBodySchema,
      response: LoginResultSchema,
      handler: async ({ body, req }) => {
        // req.ip is the socket peer (no trustProxy): behind a proxy set loginThrottle.maxFailuresPerAddress to 0
        const r = await deps.users.login(body.username, body.password, { address: req.ip, via: 'api' });
        return { token: r.token, expiresAt: isoTime(r.expiresAt), user: publicUser(r.user) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/auth/logout',
      summary: 'End this session',
      tag: 'auth',
      auth: 'viewer',
      response: OkSchema,
      handler: async ({ req }) => {
        const token = bearerToken(req);
        if (token) await deps.users.logout(token);
        return { ok: true };
      },
    }),
    route({
      method: 'GET',
      url: '/api/me',
      summary: 'The logged-in user',
      tag: 'auth',
      auth: 'viewer',
      response: UserViewSchema,
      handler: async ({ user }) => publicUser(user),
    }),
    route({
      method: 'POST',
      url: '/api/users/:username/disabled',
      summary: "Disable (or re-enable) a user: login refused, every token invalid, live sessions closed at once",
      tag: 'auth',
      auth: 'administrator',
      params: UsernameParamsSchema,
      body: DisabledBodySchema,
      response: OkSchema,
      handler: async ({ user, params, body }) => {
        await deps.users.setDisabled(params.username, body.disabled, user.username);
        return { ok: true };
      },
    }),
  ];
}
