import type { Audience, WriteActor } from '../../labels/index.js';
import type { CotEvent } from '../../cot/model.js';
import { MissionFederation } from './federation.js';
import { missionDests } from './dest.js';

export { missionDests };
import type { StoredEvent } from '../../store/types.js';
import { roleOf, visibleMission, type Caller } from './access.js';
import type { MissionContent } from './content.js';
import { can, type Mission } from './model.js';
import type { MissionService } from './service.js';

/** Matches no client uid: a mission CoT with no one to reach must not fall back to broadcast. */
export const NO_RECIPIENT = '\u0000mission-without-recipients';

export interface StreamSender {
  uid: string | undefined;
  name: string;
  nation: string;
  serial?: string;
  audience: Audience;
}

export interface MissionRoute {
  missions: Mission[];
  /** the subscribers of those missions (the CoT's recipients), never empty */
  destUids: string[];
}

const callerOf = (s: StreamSender): Caller => ({ identity: s.serial ? `cert:${s.serial}` : `anon:${s.nation}`, name: s.name, nation: s.nation, audience: s.audience });

/**
 * CoT from a TAK client into missions: routed to the subscribers of each mission the sender may see and write
 * (as TAK Server does), then kept as a mission uid with the stored event's label.
 */
export class MissionStream {
  private readonly federation: MissionFederation;
  constructor(
    private readonly svc: MissionService,
    private readonly content: MissionContent,
  ) {
    this.federation = new MissionFederation(svc);
  }

  /** A CoT a partner node sent (already stored under the write authority): missions and mission items. */
  fromPeer(cot: CotEvent, stored: StoredEvent, actor: WriteActor): Promise<void> {
    if (cot.type !== 't-x-m-n' && !cot.detailXml.includes('mission=')) return Promise.resolve();
    return this.federation.fromPeer(cot, stored, actor);
  }

  async route(detailXml: string, sender: StreamSender): Promise<MissionRoute | undefined> {
    const names = missionDests(detailXml);
    if (names.length === 0) return undefined;
    const who = callerOf(sender);
    const missions: Mission[] = [];
    const uids = new Set<string>();
    for (const name of names) {
      const m = await visibleMission(this.svc.store, this.svc.o.guard, who, { name }).catch(() => undefined);
      if (!m) continue;
      const role = await roleOf(this.svc.store, m, who, sender.uid ? { clientUid: sender.uid } : {});
      if (!can(role, 'MISSION_WRITE')) continue;
      missions.push(m);
      for (const u of await this.svc.writes.subscriberUids(m)) uids.add(u);
    }
    return { missions, destUids: uids.size ? [...uids] : [NO_RECIPIENT] };
  }

  async record(route: MissionRoute, stored: StoredEvent, sender: StreamSender): Promise<void> {
    for (const m of route.missions) await this.content.addUid(callerOf(sender), m, stored, sender.uid ?? '', stored.label);
  }
}
