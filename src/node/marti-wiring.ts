import { join } from 'node:path';
import { parseCotXml } from '../cot/xml.js';
import type { TakServer } from '../tak/server.js';
import { startMartiServers, type MartiServers } from '../marti/index.js';
import { createFileTransfer, type Federation, type FileTransfer } from '../federation/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { NodeCore } from './core.js';
import { missionDeps } from './missions-wiring.js';
import { warnCode, type Closers } from './closers.js';

export interface MartiWiring {
  pipeline: Pipeline;
  tak: TakServer;
  federation: Federation;
  /** The TLS streaming port the enrollment answers name (the bound one when the config asked for port 0). */
  tlsPort: number;
}

/**
 * The Marti HTTPS API and certificate enrollment for TAK clients, and the transfer of its labelled
 * files to federation peers in chunks (same guard rule as every object).
 */
export async function startMarti(core: NodeCore, closers: Closers, wiring: MartiWiring): Promise<{ marti: MartiServers; fileTransfer: FileTransfer }> {
  const { config, nodeId, audit, users, log } = core;
  const { tak, pipeline } = wiring;
  const appendAudit = async (kind: string, actor: string, body: unknown): Promise<void> => {
    await audit.append(kind, actor, body);
  };
  const marti = await startMartiServers({
    host: config.host,
    httpsPort: config.ports.https,
    enrollPort: config.ports.enroll,
    pki: core.pki,
    deps: {
      nation: config.nation,
      nodeId,
      publicHost: config.publicHost,
      tlsPort: wiring.tlsPort,
      dataDir: config.dataDir,
      guard: core.guard,
      registry: core.registry,
      authenticate: async (username, password, address) => {
        const u = await users.verifyPassword(username, password, { address, via: 'marti' });
        return u ? { username: u.username, role: u.role } : undefined;
      },
      revocations: core.revocations,
      audit: appendAudit,
      clients: () =>
        [...tak.connections()]
          .filter((c) => c.uid)
          .map((c) => ({
            label: c.lastSa?.label,
            value: { uid: c.uid!, callsign: c.callsign ?? c.uid!, lastEventTime: c.lastEventAt, groups: [...c.groups] },
          })),
      publishCot: async (xml, label, by) => {
        const ev = parseCotXml(xml, { maxBytes: config.limits.maxEventBytes });
        await pipeline.fromUser(ev, { username: by.name, nation: by.nation, audience: by.audience }, label);
      },
      defaultLabel: core.defaultLabel,
      missions: missionDeps(core.store, () => tak, nodeId, (ev, label) => pipeline.fromNode(ev, `node:${nodeId}:missions`, label)),
    },
  });
  closers.push(() => marti.close());
  const fileTransfer = createFileTransfer({
    nodeId,
    nation: config.nation,
    registry: core.registry,
    guard: core.guard,
    federation: wiring.federation,
    files: marti.files,
    dir: join(config.dataDir, 'federation-files'),
    audit: appendAudit,
    maxOutbox: config.limits.maxOutbox,
    log,
  });
  const unFiles = marti.files.onRecord((rec) => {
    fileTransfer.send(rec).catch(warnCode(log, 'federation offer (file) failed'));
  });
  fileTransfer.start();
  closers.push(async () => {
    unFiles();
    await fileTransfer.close();
  });
  return { marti, fileTransfer };
}
