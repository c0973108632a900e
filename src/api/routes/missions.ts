/**
 * Missions (Data Sync) for browser users: the same mission service the Marti Mission API uses (release guard,
 * mission roles, write authority), reached with a session instead of a client certificate. A mission the user
 * may not see answers exactly like one that does not exist (404 NOT_FOUND), for every route here.
 */
import { z } from 'zod';
import { KizunaError } from '../../util/errors.js';
import type { ApiDeps, SessionUser } from '../deps.js';
import { commandRoute, route, type AnyRoute } from '../route-table.js';
import { apiSchemas } from '../schemas.js';

const TrackSchema = z.object({ uid: z.string(), callsign: z.string(), type: z.string(), lat: z.number(), lon: z.number() });
const MissionSchema = z.object({
  name: z.string(),
  guid: z.string(),
  description: z.string(),
  classification: z.string(),
  classificationJa: z.string(),
  passwordProtected: z.boolean(),
  subscribed: z.boolean(),
  tracks: z.array(TrackSchema),
  files: z.array(z.object({ hash: z.string(), name: z.string(), size: z.number() })),
});
apiSchemas.add(MissionSchema, { id: 'Mission', description: 'a mission with the tracks and files the user may see' });
const MissionDetailSchema = MissionSchema.extend({ logs: z.array(z.object({ id: z.string(), content: z.string(), dtg: z.string(), creatorUid: z.string() })) });
apiSchemas.add(MissionDetailSchema, { id: 'MissionDetail', description: 'a mission with its releasable tracks, files and log' });
const MissionListSchema = z.object({ missions: z.array(MissionSchema) });
apiSchemas.add(MissionListSchema, { id: 'MissionList', description: 'the missions the user may see' });
const NameParams = z.object({ name: z.string().min(1).max(1024) });
const AddBody = z.object({ uid: z.string().min(1).max(256) }).strict();
apiSchemas.add(AddBody, { id: 'MissionContentBody', description: 'a track or shape uid the user can see' });

type Mission = z.infer<typeof MissionSchema>;
type MissionDetail = z.infer<typeof MissionDetailSchema>;

/** What the node hands in: the Marti mission service seen through a session user. */
export interface MissionsPanelApi {
  list(u: SessionUser): Promise<Mission[]>;
  get(u: SessionUser, name: string): Promise<MissionDetail>;
  subscribe(u: SessionUser, name: string): Promise<void>;
  unsubscribe(u: SessionUser, name: string): Promise<void>;
  add(u: SessionUser, name: string, uid: string): Promise<MissionDetail>;
}

export function missionRoutes(deps: ApiDeps): AnyRoute[] {
  const get = deps.missions;
  if (!get) return [];
  // the Marti port (and so the mission service) comes up after this listener: until then, nothing is there
  const panel = (): MissionsPanelApi => {
    const p = get();
    if (!p) throw new KizunaError('NOT_FOUND');
    return p;
  };
  return [
    route({
      method: 'GET',
      url: '/api/missions',
      summary: 'Missions you may see (through the release guard), with whether you are subscribed',
      tag: 'missions',
      auth: 'viewer',
      response: MissionListSchema,
      handler: async ({ user }) => ({ missions: await panel().list(user) }),
    }),
    route({
      method: 'GET',
      url: '/api/missions/:name',
      summary: 'One mission: its tracks, files and log entries you may see (hidden and missing answer the same 404)',
      tag: 'missions',
      auth: 'viewer',
      params: NameParams,
      response: MissionDetailSchema,
      handler: async ({ user, params }) => panel().get(user, params.name),
    }),
    commandRoute({
      method: 'POST',
      url: '/api/missions/:name/subscription',
      summary: "Subscribe to a mission with the mission's default role",
      tag: 'missions',
      auth: 'operator',
      params: NameParams,
      act: ({ user, params }) => panel().subscribe(user, params.name),
    }),
    commandRoute({
      method: 'DELETE',
      url: '/api/missions/:name/subscription',
      summary: 'Unsubscribe from a mission',
      tag: 'missions',
      auth: 'operator',
      params: NameParams,
      act: ({ user, params }) => panel().unsubscribe(user, params.name),
    }),
    route({
      method: 'POST',
      url: '/api/missions/:name/contents',
      summary: 'Add a track or shape you can see to a mission (your write, through the write authority)',
      tag: 'missions',
      auth: 'operator',
      params: NameParams,
      body: AddBody,
      response: MissionDetailSchema,
      handler: async ({ user, params, body }) => panel().add(user, params.name, body.uid),
    }),
  ];
}
