import type { Audience } from '../../labels/index.js';
import type { StoredEvent } from '../../store/types.js';
import { roleOf, visibleMission, type Caller } from './access.js';
import type { MissionContent } from './content.js';
import { can, type Mission } from './model.js';
import type { MissionService } from './service.js';

/** Matches no client uid: a mission CoT with no one to reach must not fall back to broadcast. */
export const NO_RECIPIENT = '\u0000mission-without-recipients';

const MISSION_ATTR = /\bmission="([^"]*)"/;

/**
 * Mission names a CoT is addressed to (`<marti><dest mission="…"/></marti>`). A scan from tag to tag, so a
 * long detail costs linear time whatever it holds.
 */
export function missionDests(detailXml: string): string[] {
  const out: string[] = [];
  let at = detailXml.indexOf('<marti');
  while (at >= 0 && out.length < 16) {
    at = detailXml.indexOf('<dest', at + 1);
    if (at < 0) break;
    const end = detailXml.indexOf('>', at);
    if (end < 0) break;
    const m = MISSION_ATTR.exec(detailXml.slice(at, end));
    if (m) out.push(m[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    at = end;
  }
  return out;
}

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
  constructor(
    private readonly svc: MissionService,
    private readonly content: MissionContent,
  ) {}

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
