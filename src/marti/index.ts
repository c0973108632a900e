import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { identityOfCert, mutualTlsOptions, refuseRevoked, type NodePki } from '../certs/index.js';
import { createLogger, type Logger } from '../util/log.js';
import { registerContactRoutes, registerVersionRoutes } from './api.js';
import { registerEnrollRoutes } from './enroll.js';
import { openGroupBook, registerBasicGroupRoutes, registerGroupRoutes } from './groups.js';
import { errorHandler, rawBodies } from './http.js';
import { registerFileRoutes } from './files/routes.js';
import { openFileStore, type FileStore } from './files/store.js';
import { startMissions, type MissionPanel, type MissionStream } from './missions/index.js';
import { DEFAULT_LIMITS, type MartiDeps, type MartiLimits } from './types.js';

export type { MartiDeps, MartiLimits, MartiClient, MartiUser } from './types.js';
export { fileShareCot } from './fileshare.js';
export { openFileStore, type FileStore, type FileRecord } from './files/store.js';
export { SERVER_VERSION } from './api.js';
export { MissionPanel, webClientUid, type PanelUser, type PanelMission, type PanelMissionDetail, type PanelTrack } from './missions/index.js';
export { missionDests, NO_RECIPIENT, type MissionDeps, type MissionStream, type MissionRoute, type StreamSender } from './missions/index.js';

export interface MartiServers {
  httpsPort: number;
  enrollPort: number;
  /** the labelled file store (federation of files, b-f-t-r labelling by the node) */
  files: FileStore;
  /** CoT addressed to missions (`<marti><dest mission=…/>`), when the node gave mission storage */
  missions: MissionStream | undefined;
  /** the browser COP's missions panel over the same mission service */
  missionPanel: MissionPanel | undefined;
  close(): Promise<void>;
}

function baseApp(log: Logger, https: Record<string, unknown>): FastifyInstance {
  const app = Fastify({
    // idle TLS handshakes are cut after 10 s (Node's default is 120 s)
    https: { handshakeTimeout: 10_000, ...https },
    logger: false,
    // long uploads: no request timeout, but a bound on idle connections
    requestTimeout: 0,
    connectionTimeout: 60_000,
    keepAliveTimeout: 30_000,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance; // https server; routes only use the common request API
  rawBodies(app);
  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).type('application/json').send({ error: { code: 'NOT_FOUND', message: 'not found' } });
  });
  return app;
}

/**
 * The TAK HTTPS API: `httpsPort` (8443, client certificate from the node CA, not revoked) and
 * `enrollPort` (8446, server TLS only, HTTP basic auth with a node user's password or a one-time token).
 *
 * Routes (8443 unless marked):
 * - GET /Marti/api/version, /Marti/api/version/config (both ports)
 * - GET /Marti/api/clientEndPoints: connected clients through the guard, shared groups only
 * - GET /Marti/api/groups/all[?useCache=true]: the caller's own groups, TAK Server shape (also 8446, basic auth)
 * - GET /Marti/sync/missionquery, POST /Marti/sync/missionupload, POST /Marti/sync/upload
 * - GET|HEAD /Marti/sync/content?hash=|uid=: one `Range: bytes=` range (206/416), decided after the guard
 * - GET /Marti/sync/search, /Marti/api/sync/search; PUT /Marti/api/sync/metadata/:hash/{tool,mimetype,keywords}
 * - /Marti/api/missions/… (missions/routes.ts): the Mission API subset ATAK Data Sync and CloudTAK use
 * - POST /Marti/api/kizuna/files/:hash/share (Kizuna: b-f-t-r with the file's label)
 * - 8446: GET /Marti/api/tls/config, POST /Marti/api/tls/signClient[/v2], GET /Marti/api/tls/profile/enrollment,
 *   GET /Marti/api/kizuna/enrollment-package
 */
export async function startMartiServers(o: {
  host: string;
  httpsPort: number;
  enrollPort: number;
  pki: NodePki;
  deps: MartiDeps;
  limits?: Partial<MartiLimits>;
  log?: Logger;
}): Promise<MartiServers> {
  const log = o.log ?? createLogger({ name: 'marti' });
  const limits: MartiLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const files = openFileStore(o.deps.dataDir);

  const api = baseApp(log, { ...mutualTlsOptions(o.pki) });
  const server = api.server as unknown as HttpsServer;
  refuseRevoked(server, o.deps.revocations, (serial) => log.info({ serial }, 'revoked certificate refused'));
  // live connections of a certificate that gets revoked are closed at once
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (s: TLSSocket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const unRevoke = o.deps.revocations.onRevoke((serial) => {
    for (const s of sockets) {
      const raw = s.getPeerCertificate()?.raw;
      if (raw && identityOfCert(raw)?.serial === serial) s.destroy();
    }
  });

  let httpsPort = o.httpsPort;
  registerVersionRoutes(api, o.deps);
  registerContactRoutes(api, o.deps);
  const groups = openGroupBook(o.deps.dataDir);
  registerGroupRoutes(api, o.deps, groups);
  registerFileRoutes(api, { deps: o.deps, store: files, limits, baseUrl: () => `https://${o.deps.publicHost}:${httpsPort}` });
  const started = startMissions(api, o.deps, files);
  const missions = started?.stream;

  const enroll = baseApp(log, { key: o.pki.serverKeyPem, cert: o.pki.serverCertPem, minVersion: 'TLSv1.2' });
  registerVersionRoutes(enroll, o.deps);
  registerEnrollRoutes(enroll, o.deps, o.pki);
  registerBasicGroupRoutes(enroll, o.deps, groups);

  await api.listen({ host: o.host, port: o.httpsPort });
  try {
    await enroll.listen({ host: o.host, port: o.enrollPort });
  } catch (e) {
    await api.close();
    throw e;
  }
  httpsPort = (api.server.address() as AddressInfo).port;
  const enrollPort = (enroll.server.address() as AddressInfo).port;
  log.info({ httpsPort, enrollPort }, 'marti https api listening');
  return {
    httpsPort,
    enrollPort,
    files,
    missions,
    missionPanel: started?.panel,
    async close() {
      unRevoke();
      for (const s of sockets) s.destroy();
      await Promise.all([api.close(), enroll.close()]);
    },
  };
}
