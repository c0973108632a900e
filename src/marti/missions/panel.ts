import type { MissionDetailView, MissionLogView, MissionTrackView, MissionView } from '../../vocab/index.js';
import type { Caller } from './access.js';
import type { MissionContent } from './content.js';
import type { MissionService } from './service.js';

/** A browser user as the mission service sees it: writes as `user:<name>`, subscribes under one client uid. */
export interface PanelUser {
  username: string;
  nation: string;
  audience: Caller['audience'];
}

export type PanelTrack = MissionTrackView;
export type PanelMission = MissionView;
export type PanelMissionDetail = MissionDetailView;

type ViewJson = Awaited<ReturnType<MissionService['view']>> & { classificationJa?: string } & { logs?: MissionLogView[] };

/** The web user's subscriptions are kept under this client uid (never a TAK client's uid). */
export const webClientUid = (username: string) => `kizuna-web:${username}`;

/**
 * The missions panel of the browser COP: the same service (guard, roles, write authority) the Mission API
 * routes use, seen through a session user instead of a client certificate. A hidden mission is NOT_FOUND
 * exactly like a missing one, because every call starts with the service's visibility check.
 */
export class MissionPanel {
  constructor(
    private readonly svc: MissionService,
    private readonly content: MissionContent,
  ) {}

  private caller(u: PanelUser): Caller {
    return { identity: `user:${u.username}`, name: u.username, nation: u.nation, audience: u.audience };
  }

  private async subscribed(who: Caller, name: string, clientUid: string): Promise<boolean> {
    return this.svc.subscription(who, { name }, { clientUid }).then(
      () => true,
      () => false,
    );
  }

  private shape(v: ViewJson, subscribed: boolean): PanelMission {
    return {
      name: v.name,
      guid: v.guid,
      description: v.description,
      classification: v.classification,
      classificationJa: v.classificationJa ?? v.classification,
      passwordProtected: v.passwordProtected,
      subscribed,
      tracks: v.uids.map((u) => ({ uid: u.data, callsign: u.details.callsign, type: u.details.type, lat: u.details.location.lat, lon: u.details.location.lon })),
      files: v.contents.map((c) => ({ hash: c.data.hash, name: c.data.name, size: c.data.size })),
    };
  }

  async list(u: PanelUser): Promise<PanelMission[]> {
    const who = this.caller(u);
    const views = await this.svc.list(who, { passwordProtected: true, ja: true });
    const cid = webClientUid(u.username);
    return Promise.all(views.map(async (v) => this.shape(v, await this.subscribed(who, v.name, cid))));
  }

  async get(u: PanelUser, name: string): Promise<PanelMissionDetail> {
    const who = this.caller(u);
    const cid = webClientUid(u.username);
    const v = (await this.svc.get(who, { name }, { clientUid: cid }, { logs: true, ja: true })) as ViewJson;
    const logs = (v.logs ?? []).map((l) => ({ id: l.id, content: l.content, dtg: l.dtg, creatorUid: l.creatorUid }));
    return { ...this.shape(v, await this.subscribed(who, name, cid)), logs };
  }

  async subscribe(u: PanelUser, name: string): Promise<void> {
    await this.svc.subscribe(this.caller(u), { name }, { clientUid: webClientUid(u.username) });
  }

  async unsubscribe(u: PanelUser, name: string): Promise<void> {
    await this.svc.unsubscribe(this.caller(u), { name }, { clientUid: webClientUid(u.username) });
  }

  /** A track or shape the user can see, added as the user's write (the content put of the Mission API). */
  async add(u: PanelUser, name: string, uid: string): Promise<PanelMissionDetail> {
    const cid = webClientUid(u.username);
    await this.content.add(this.caller(u), { name }, { clientUid: cid }, { hashes: [], uids: [uid], creatorUid: cid });
    return this.get(u, name);
  }
}
