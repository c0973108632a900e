import type { FastifyInstance } from 'fastify';
import type { MartiDeps } from '../types.js';
import type { FileStore } from '../files/store.js';
import { MissionContent } from './content.js';
import { registerMissionRoutes } from './routes.js';
import { MissionService } from './service.js';
import { MissionStream } from './stream.js';
import { MissionPanel } from './panel.js';

export type { MissionDeps } from './model.js';
export { MissionPanel, webClientUid, type PanelUser, type PanelMission, type PanelMissionDetail, type PanelTrack } from './panel.js';
export { MissionStream, missionDests, NO_RECIPIENT, type MissionRoute, type StreamSender } from './stream.js';

/**
 * Mission API routes on the client-certificate port; returns the streaming side (CoT into missions) and the
 * browser COP's panel, both over the one service the routes use.
 */
export function startMissions(app: FastifyInstance, deps: MartiDeps, files: FileStore): { stream: MissionStream; panel: MissionPanel } | undefined {
  if (!deps.missions) return undefined;
  const svc = new MissionService({ nodeId: deps.nodeId, nation: deps.nation, guard: deps.guard, registry: deps.registry, defaultLabel: deps.defaultLabel, deps: deps.missions });
  const content = new MissionContent(svc, files);
  registerMissionRoutes(app, deps, svc, content);
  return { stream: new MissionStream(svc, content), panel: new MissionPanel(svc, content) };
}
