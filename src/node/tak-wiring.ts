import { constants } from 'node:crypto';
import type tls from 'node:tls';
import type { CotEvent } from '../cot/model.js';
import { combineLabels } from '../labels/index.js';
import { TakServer } from '../tak/server.js';
import { resolveConnectionBudget } from '../tak/budget.js';
import type { ClientIdentity, TakConnection } from '../tak/connection.js';
import { identityOfCert } from '../certs/index.js';
import type { MartiServers } from '../marti/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { NodeCore } from './core.js';
import { warnCode, type Closers } from './closers.js';
import { raiseFdLimit } from './fd-limit.js';
import { GEOCHAT_TYPE, type createChatBridge } from './chat-bridge.js';
import { FILESHARE_TYPE, fileShareLabel } from './fileshare-label.js';
import { routeToMissions } from './missions-wiring.js';

export interface TakWiring {
  pipeline: Pipeline;
  chatBridge: ReturnType<typeof createChatBridge>;
  /** Marti starts after the streaming server; until then a file share keeps the label it carries. */
  marti: () => MartiServers | undefined;
}

/**
 * The TAK streaming server (plain TCP and TLS): its connection budget from the fd limit, client
 * identities from this node's CA, and every event a client sends into the pipeline. A revoked
 * certificate or a disabled user ends the client's live sessions at once.
 */
export async function createTakServer(core: NodeCore, closers: Closers, wiring: TakWiring): Promise<TakServer> {
  const { config, guard, log } = core;
  const fdLimit = await raiseFdLimit(log);
  const conns = config.connections;
  const maxConnections = resolveConnectionBudget(conns.maxConnections, fdLimit?.soft, conns.reservedFds, log);
  const tcpAudience = core.nationAudience(config.tcpClearance ?? core.lowestClassification);
  const tak: TakServer = new TakServer({
    processId: core.processId,
    guard,
    logger: log,
    limits: {
      maxEventBytes: config.limits.maxEventBytes,
      maxSendQueueBytes: config.limits.maxSendQueueBytes,
      sendWindowBytes: config.limits.sendWindowBytes,
      offerProtobuf: config.offerProtobuf,
    },
    fanout: { maxAgeMs: config.limits.maxPositionAgeMs },
    latest: () => core.store.events.latest({ now: Date.now() }),
    parseStored: core.parseStored,
    anonymousIdentity: () => ({
      name: 'anonymous',
      nation: config.nation,
      groups: ['__ANON__'],
      audience: tcpAudience,
      audienceKey: guard.audienceKey(tcpAudience),
    }),
    certificateIdentity: (socket: tls.TLSSocket) => certIdentity(core, socket),
    ingest: (ev, from) => ingestFromClient(core, wiring, ev, from),
    tls: {
      key: core.pki.serverKeyPem,
      cert: core.pki.serverCertPem,
      ca: core.pki.caCertPem,
      handshakeTimeoutMs: config.limits.handshakeTimeoutMs,
      // TLS 1.2 then sends no ticket; TLS 1.3 still sends (stateful) ones, but nothing stores their
      // sessions, so none resumes. Marti and federation keep tickets: short HTTPS calls gain from them.
      ...(conns.tlsSessionTickets ? {} : { secureOptions: constants.SSL_OP_NO_TICKET }),
    },
    budget: {
      maxConnections,
      maxPerAddress: { tcp: conns.maxPerAddressTcp, tls: conns.maxPerAddressTls },
      tcpIdleTimeoutMs: conns.tcpIdleTimeoutMs,
      refusalLogIntervalMs: conns.refusalLogIntervalMs,
    },
  });
  closers.push(() => tak.close());
  endRevokedSessions(core, tak, closers);
  return tak;
}

async function ingestFromClient(core: NodeCore, wiring: TakWiring, ev: CotEvent, from: TakConnection): Promise<void> {
  const { guard, labels, log } = core;
  const marti = wiring.marti();
  // A file share carries the label of the file it announces, never a lower one.
  const shareLabel =
    ev.type === FILESHARE_TYPE && marti
      ? fileShareLabel(
          {
            files: marti.files,
            allows: (l, a) => guard.decide(l, a).allow,
            combine: (ls) => combineLabels(core.registry, ls),
          },
          ev,
          { uid: from.uid, audience: from.identity.audience },
          ev.labelXml ? labels.parse(ev.labelXml, from.identity.nation) : undefined,
        )
      : undefined;
  const toMission = await routeToMissions(marti?.missions, ev, from);
  const r = await wiring.pipeline.fromTak(shareLabel ? { ...toMission.ev, labelXml: labels.xml(shareLabel) } : toMission.ev, from);
  if (r.fresh) await toMission.after?.(r.stored);
  // clientEndPoints releases a client by the label its SA was stored with (unlabelled SAs get the default).
  if (from.lastSa === ev) from.lastSa.label = r.stored.label;
  if (r.fresh && ev.type === GEOCHAT_TYPE) {
    await wiring.chatBridge
      .fromTak(ev, r.stored.label, { name: from.identity.name, callsign: from.callsign, audience: from.identity.audience })
      .catch(warnCode(log, 'GeoChat to chat failed'));
  }
}

function certIdentity(core: NodeCore, socket: tls.TLSSocket): ClientIdentity | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer?.raw) return undefined;
  const id = identityOfCert(peer.raw);
  if (!id || id.kind !== 'client' || core.revocations.isRevoked(id.serial)) return undefined;
  // A certificate from this node's CA names a user of this nation; a foreign nation here is a misissue.
  if (id.nation !== core.config.nation) return undefined;
  const audience = core.nationAudience();
  return { name: id.name, nation: id.nation, groups: id.groups.length ? id.groups : ['__ANON__'], serial: id.serial, audience, audienceKey: core.guard.audienceKey(audience) };
}

function endRevokedSessions(core: NodeCore, tak: TakServer, closers: Closers): void {
  const { log } = core;
  core.revocations.onRevoke((serial) => {
    const n = tak.dropSerial(serial);
    log.info({ serial, dropped: n }, 'certificate revoked');
  });
  // A disabled user's live TAK sessions (certificate name = username) end at once, like a revocation.
  const unRevokedUsers = core.users.onRevoked((r) => {
    if (r.kind !== 'user') return;
    const live = [...tak.connections()].filter((c) => c.identity.serial !== undefined && c.identity.name === r.username);
    for (const c of live) {
      c.close('user disabled');
      c.socket.destroy();
    }
    log.info({ user: r.username, dropped: live.length }, 'user disabled');
  });
  closers.push(unRevokedUsers);
}
