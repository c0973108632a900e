/**
 * Sensor feed administration (AIS, ADS-B): list with status, add, remove. Administrators only: a feed
 * labels everything it produces and opens listening sockets or outbound connections on the node. The
 * answers carry configuration and counters, never tracks.
 */
import { z } from 'zod';
import { apiSchemas } from '../schemas.js';
import { commandRoute, route, type AnyRoute } from '../route-table.js';

/** What the node hands the API (implemented by src/feeds' FeedManager). */
export interface FeedAdmin {
  list(): unknown[];
  /** `actor` is the administrator's username (the node records the change in its audit chain) */
  add(config: unknown, actor: string): Promise<unknown>;
  remove(id: string, actor: string): Promise<void>;
}

const FeedListSchema = z.object({ feeds: z.array(z.unknown()) });
const FeedStatusAnswerSchema = z.object({ feed: z.unknown() });
const FeedBodySchema = z.object({}).loose().describe('a feed: id, kind (ais|sbs|aircraft-json), transport, host/port|url|path, label, affiliation, types, staleMs, minIntervalMs, …');
const FeedIdSchema = z.object({ id: z.string().min(1).max(64) });
apiSchemas.add(FeedListSchema, { id: 'FeedList', description: 'configured feeds with their status' });
apiSchemas.add(FeedStatusAnswerSchema, { id: 'FeedStatusAnswer' });
apiSchemas.add(FeedBodySchema, { id: 'FeedConfig' });

export function feedRoutes(feeds: FeedAdmin | undefined): AnyRoute[] {
  if (!feeds) return [];
  return [
    route({
      method: 'GET',
      url: '/api/admin/feeds',
      summary: 'Sensor feeds with their configuration and status (connected, messages/s, decode errors, last message)',
      tag: 'feeds',
      auth: 'administrator',
      response: FeedListSchema,
      handler: async () => ({ feeds: feeds.list() }),
    }),
    route({
      method: 'POST',
      url: '/api/admin/feeds',
      summary: 'Add and start a feed (kept in the data directory across restarts)',
      tag: 'feeds',
      auth: 'administrator',
      body: FeedBodySchema,
      response: FeedStatusAnswerSchema,
      bodyLimit: 16 * 1024,
      handler: async ({ body, user }) => ({ feed: await feeds.add(body, user.username) }),
    }),
    commandRoute({
      method: 'DELETE',
      url: '/api/admin/feeds/:id',
      summary: 'Stop and remove an admin-added feed (its tracks go stale on their own)',
      tag: 'feeds',
      auth: 'administrator',
      params: FeedIdSchema,
      act: ({ params, user }) => feeds.remove(params.id, user.username),
    }),
  ];
}
