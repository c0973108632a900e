import type { FastifyInstance } from 'fastify';
import type { MartiDeps } from '../types.js';
import type { FileStore } from '../files/store.js';
import { MissionContent } from './content.js';
import { registerMissionRoutes } from './routes.js';
import { MissionService } from './service.js';
import { MissionStream } from './stream.js';

export type { MissionDeps } from './model.js';
export { MissionStream, missionDests, NO_RECIPIENT, type MissionRoute, type StreamSender } from './stream.js';

/** Mission API routes on the client-certificate port; returns the streaming side (CoT into missions). */
export function startMissions(app: FastifyInstance, deps: MartiDeps, files: FileStore): MissionStream | undefined {
  if (!deps.missions) return undefined;
  const svc = new MissionService({ nodeId: deps.nodeId, nation: deps.nation, guard: deps.guard, registry: deps.registry, defaultLabel: deps.defaultLabel, deps: deps.missions });
  const content = new MissionContent(svc, files);
  registerMissionRoutes(app, deps, svc, content);
  return new MissionStream(svc, content);
}
