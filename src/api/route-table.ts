import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { authenticate, bearerToken, requireRole } from './auth.js';
import type { SessionUser, UserService } from './deps.js';
import { OkSchema, type Role } from './schemas.js';

type ZObj = z.ZodObject<z.ZodRawShape>;
type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteCtx<P, Q, B> {
  /** the authenticated user (throws on a public route: public handlers have no user) */
  readonly user: SessionUser;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
}

/**
 * One declarative table drives both the fastify routes and the OpenAPI document, so a route cannot exist
 * without being documented. Order in the handler: authenticate → authorise by role → validate → run.
 */
export interface RouteSpec<P extends ZObj | undefined = ZObj | undefined, Q extends ZObj | undefined = ZObj | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'GET' | 'POST' | 'DELETE';
  /** fastify path syntax: /api/requests/:id */
  url: string;
  summary: string;
  tag: string;
  /** minimum role, or 'public' (no token needed) */
  auth: Role | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** 200 response schema (registered in apiSchemas) */
  response: z.ZodType;
  bodyLimit?: number;
  handler(ctx: RouteCtx<Infer<P>, Infer<Q>, Infer<B>>): Promise<unknown>;
}

// the table holds heterogeneous routes; each was type-checked by `route()` where it was defined
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function route<P extends ZObj | undefined = undefined, Q extends ZObj | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<P, Q, B>,
): AnyRoute {
  return spec as AnyRoute;
}

/** A command: the route runs `act` and answers `{ ok: true }` once it has finished. */
export function commandRoute<P extends ZObj | undefined = undefined, Q extends ZObj | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: Omit<RouteSpec<P, Q, B>, 'response' | 'handler'> & { act(ctx: RouteCtx<Infer<P>, Infer<Q>, Infer<B>>): Promise<unknown> },
): AnyRoute {
  const { act, ...rest } = spec;
  return route<P, Q, B>({
    ...rest,
    response: OkSchema,
    handler: async (ctx) => {
      await act(ctx);
      return { ok: true as const };
    },
  });
}

const DEFAULT_BODY_LIMIT = 256 * 1024;

export function registerRoutes(scope: FastifyInstance, routes: AnyRoute[], users: UserService): void {
  for (const r of routes) {
    scope.route({
      method: r.method,
      url: r.url,
      bodyLimit: r.bodyLimit ?? DEFAULT_BODY_LIMIT,
      handler: async (req, reply) => {
        let user: SessionUser | undefined;
        if (r.auth !== 'public') {
          user = await authenticate(users, bearerToken(req));
          requireRole(user, r.auth);
        }
        const ctx = {
          get user(): SessionUser {
            if (!user) throw new KizunaError('INTERNAL', 'public route asked for a user');
            return user;
          },
          params: r.params ? r.params.parse(req.params) : undefined,
          query: r.query ? r.query.parse(req.query) : undefined,
          body: r.body ? r.body.parse(req.body ?? {}) : undefined,
          req,
          reply,
        };
        const out = await r.handler(ctx);
        return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(out));
      },
    });
  }
}
