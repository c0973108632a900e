/**
 * REST + WebSocket API of a node (src/api/contract.ts is the wire contract). The node owns the fastify
 * instance, static files, /healthz and /metrics; everything under /api is registered here, in one
 * encapsulated scope with one error handler. Every body is built from values the guard released for the
 * caller's audience.
 */
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../util/log.js';
import { KizunaError } from '../util/errors.js';
import type { ServerMessage } from './contract.js';
import type { ApiDeps } from './deps.js';
import { makeErrorHandler } from './errors.js';
import { buildOpenApi } from './openapi.js';
import { labelViews } from './release.js';
import { registerRoutes, route, type AnyRoute } from './route-table.js';
import { coordinationRoutes, postureLabelled } from './routes/coordination.js';
import { labelRoutes } from './routes/labels.js';
import { sessionRoutes } from './routes/session.js';
import { trackRoutes } from './routes/tracks.js';
import { feedRoutes } from './routes/feeds.js';
import { shapeRoutes } from './routes/shapes.js';
import { historyRoutes } from './routes/history.js';
import { missionRoutes } from './routes/missions.js';
import { apiSchemas } from './schemas.js';
import { WsHub } from './ws-hub.js';
import { z } from 'zod';
import { COL, type CalendarBody, type ChatBody, type RequestBody, type CommentBody, type ConcurrenceBody } from '../coordination/index.js';
import type { Doc } from '../store/types.js';

export type { ApiDeps, TrackFeed, TrackChange, SessionUser } from './deps.js';
export { trackViewOf } from './track-view.js';
export { buildOpenApi } from './openapi.js';
export type { AnyRoute } from './route-table.js';
export type { FeedAdmin } from './routes/feeds.js';

const OpenApiDocSchema = z.object({ openapi: z.string() }).loose();
apiSchemas.add(OpenApiDocSchema, { id: 'OpenApiDocument', description: 'this document' });

/** What registerApi exposes for tests and metrics. */
export interface ApiHandle {
  routes: AnyRoute[];
  hub: WsHub;
  openapi: Record<string, unknown>;
}

const handles = new WeakMap<FastifyInstance, ApiHandle>();
export function apiHandle(app: FastifyInstance): ApiHandle | undefined {
  return handles.get(app);
}

export async function registerApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const log = deps.log ?? createLogger({ name: 'api' });
  const routes: AnyRoute[] = [...sessionRoutes(deps), ...trackRoutes(deps), ...coordinationRoutes(deps), ...feedRoutes(deps.feeds), ...labelRoutes(deps), ...shapeRoutes(deps), ...historyRoutes(deps), ...missionRoutes(deps)];
  let openapi: Record<string, unknown> = {};
  routes.push(
    route({
      method: 'GET',
      url: '/api/openapi.json',
      summary: 'This OpenAPI 3.1 document',
      tag: 'meta',
      auth: 'public',
      response: OpenApiDocSchema,
      handler: async () => openapi,
    }),
  );
  openapi = buildOpenApi(routes, { title: 'Kizuna node API', version: '1', node: deps.nodeId });

  await app.register(async (scope) => {
    scope.setErrorHandler(makeErrorHandler(log));
    scope.setNotFoundHandler((_req, reply) => void reply.code(404).send(new KizunaError('NOT_FOUND').toPublic()));
    scope.addHook('onSend', async (_req, reply, payload) => {
      // answers are per user and may be labelled: never cached by browsers or proxies
      reply.header('cache-control', 'no-store');
      return payload;
    });
    registerRoutes(scope, routes, deps.users);
  });

  const hub = new WsHub(deps, log);
  const onUpgrade = hub.handleUpgrade.bind(hub);
  app.server.on('upgrade', onUpgrade);
  wireCoordination(deps, hub);
  // preClose: upgraded sockets are not HTTP connections, so the server would wait on them forever
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    hub.close();
  });
  handles.set(app, { routes, hub, openapi });
}

/** Coordination changes (local and from peers) go out on the feed, released per audience group. */
function wireCoordination(deps: ApiDeps, hub: WsHub): void {
  const { coordination: coord } = deps;
  const lv = labelViews(deps.registry);
  const sendRequest = async (id: string) => {
    const b = await coord.getRequest(id);
    if (!b) return;
    hub.broadcast({ label: b.label, value: b }, (r): ServerMessage => ({ t: 'request', request: coord.requestView({ ...r.value, label: r.label }, lv) }));
  };
  const sendPosture = async () => {
    const p = await coord.posture();
    hub.broadcast(postureLabelled(deps, p), (r): ServerMessage => ({ t: 'posture', posture: coord.postureView(r.value) }));
  };
  coord.onChange((doc: Doc) => {
    const fail = (err: unknown) => deps.log?.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, 'ws change failed');
    switch (doc.collection) {
      case COL.request:
        void sendRequest((doc.body as RequestBody).id).catch(fail);
        break;
      case COL.concurrence:
        void sendRequest((doc.body as ConcurrenceBody).requestId).catch(fail);
        break;
      case COL.comment:
        void sendRequest((doc.body as CommentBody).requestId).catch(fail);
        break;
      case COL.calendar:
        hub.broadcast({ label: doc.label, value: doc as Doc<CalendarBody> }, (r): ServerMessage => ({
          t: 'calendar',
          event: coord.calendarView({ ...r.value, label: r.label }, lv),
        }));
        break;
      case COL.chat:
        hub.broadcast({ label: doc.label, value: doc as Doc<ChatBody> }, (r): ServerMessage => ({
          t: 'chat',
          message: coord.chatView({ ...r.value, label: r.label }, lv),
        }));
        break;
      case COL.proposal:
      case COL.ack:
        void sendPosture().catch(fail);
        break;
      default:
        break;
    }
  });
}
