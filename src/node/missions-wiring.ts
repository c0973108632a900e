import { randomUUID } from 'node:crypto';
import type { CotEvent } from '../cot/model.js';
import type { SecurityLabel } from '../labels/index.js';
import { parseCotXml } from '../cot/xml.js';
import type { MissionDeps, MissionStream, StreamSender } from '../marti/index.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { TakServer } from '../tak/server.js';
import type { TakConnection } from '../tak/connection.js';

/** What the Mission API needs from the node: its store, the latest tracks, and the streaming server. */
export function missionDeps(store: Store, tak: () => TakServer, nodeId: string, publish: (ev: CotEvent, label: SecurityLabel) => Promise<unknown>): MissionDeps {
  return {
    announce: async (xml, label) => void (await publish(parseCotXml(xml), label)),
    store: store.missions,
    latest: (uid) => store.events.getLatest(uid),
    notify(xml, label, to) {
      const cot = parseCotXml(xml);
      const now = Date.now();
      // a notification is never stored; the guard still decides each recipient against `label`
      const stored: StoredEvent = { id: randomUUID(), origin: nodeId, uid: cot.uid, type: cot.type, time: now, stale: now + 120_000, receivedAt: now, label, xml };
      tak().deliver({ stored, cot, route: { destCallsigns: [], destUids: to ?? [] } });
    },
  };
}

/**
 * CoT addressed to a mission goes to that mission's subscribers (instead of everyone) and, once stored,
 * becomes a mission uid. Returns the event to ingest and what to do after it was stored.
 */
export async function routeToMissions(missions: MissionStream | undefined, ev: CotEvent, from: TakConnection) {
  if (!missions || !ev.detailXml.includes('mission=')) return { ev, after: undefined };
  const id = from.identity;
  const sender: StreamSender = { uid: from.uid, name: id.name, nation: id.nation, audience: id.audience, ...(id.serial ? { serial: id.serial } : {}) };
  const route = await missions.route(ev.detailXml, sender);
  if (!route) return { ev, after: undefined };
  return {
    ev: { ...ev, destUids: [...(ev.destUids ?? []), ...route.destUids] },
    after: (stored: StoredEvent) => missions.record(route, stored, sender),
  };
}
