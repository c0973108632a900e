import { randomBytes, randomUUID } from 'node:crypto';
import { renderMarking, type PolicyRegistry, type ReleaseGuard, type SecurityLabel } from '../../labels/index.js';
import { KizunaError } from '../../util/errors.js';
import { MISSION_LIST_LIMIT, type MissionItemRow } from '../../store/missions-types.js';
import { authorize, hashPassword, roleOf, visibleMission, type Caller, type Credentials } from './access.js';
import { ROLES, type InviteBody, type Item, type Mission, type MissionBody, type MissionDeps, type MissionRoleType, type SubscriptionBody } from './model.js';
import { changeJson, createdCot, deletedCot, inviteCot, logJson, missionJson, type MissionView } from './shapes.js';
import { MissionWrites } from './writes.js';
import type { ContentBody, LogBody, UidBody } from './model.js';

export type Ref = { name?: string; guid?: string };

/** TAK Server's mission name rule (MissionApi), plus a bound on its length. */
const NAME_RE = /^[\p{L}\p{N}\w\s.()!=@#$&^*_\-+[\]{}:,|\\]+$/u;
export function checkName(name: string): string {
  if (name.length === 0 || name.length > 1024 || name.includes('/') || !NAME_RE.test(name)) throw new KizunaError('BAD_REQUEST', 'mission name');
  return name;
}

export function parseRole(v: string | undefined, fallback: MissionRoleType): MissionRoleType {
  if (v === undefined || v === '') return fallback;
  if (!(ROLES as readonly string[]).includes(v)) throw new KizunaError('BAD_REQUEST', 'role');
  return v as MissionRoleType;
}

export interface CreateInput {
  name: string;
  creatorUid: string;
  label: SecurityLabel | undefined;
  password?: string;
  fields: Partial<Omit<MissionBody, 'password' | 'createTime' | 'creatorUid'>>;
}

const newToken = () => randomBytes(24).toString('base64url');

export interface MissionLimits {
  /** missions on this node */
  maxMissions: number;
  /** items of one kind (files, tracks, log entries, subscriptions, invitations) in one mission */
  maxItems: number;
}
export const DEFAULT_MISSION_LIMITS: MissionLimits = { maxMissions: MISSION_LIST_LIMIT, maxItems: MISSION_LIST_LIMIT };

/** The mission logic behind the routes: visibility first, then role, then the write authority. */
export class MissionService {
  readonly writes: MissionWrites;
  readonly limits: MissionLimits;
  constructor(readonly o: { nodeId: string; nation: string; guard: ReleaseGuard; registry: PolicyRegistry; defaultLabel: () => SecurityLabel; deps: MissionDeps; limits?: Partial<MissionLimits> }) {
    this.writes = new MissionWrites(o);
    this.limits = { ...DEFAULT_MISSION_LIMITS, ...o.limits };
  }

  /**
   * Listings read at most the store's page: past it, missions or items would silently drop out of every
   * answer, so a node refuses to grow beyond it (QUOTA_EXCEEDED) instead.
   */
  async room(mission: string | undefined, kind?: MissionItemRow['kind']): Promise<void> {
    const n = mission === undefined ? (await this.store.listMissions(this.limits.maxMissions)).length : (await this.store.items(mission, kind!)).length;
    if (n >= (mission === undefined ? this.limits.maxMissions : this.limits.maxItems)) throw new KizunaError('QUOTA_EXCEEDED', 'mission limit reached');
  }
  get store() {
    return this.o.deps.store;
  }

  visible<T extends { label: SecurityLabel }>(who: Caller, rows: T[]): T[] {
    return this.o.guard.releaseMany(rows.map((r) => ({ label: r.label, value: r })), who.audience, 'rest').map((r) => r.value);
  }

  async items<B>(who: Caller, m: Mission, kind: MissionItemRow['kind']): Promise<Item<B>[]> {
    return this.visible(who, (await this.store.items(m.guid, kind)) as Item<B>[]);
  }

  /** A mission in TAK Server's JSON, with only the items the caller may see. */
  async view(who: Caller, m: Mission, extra: Partial<Omit<MissionView, 'mission' | 'marking' | 'markingJa' | 'contents' | 'uids'>> = {}, ja = false) {
    const released = this.o.guard.release({ label: m.label, value: m }, who.audience, 'rest');
    if (!released) throw new KizunaError('NOT_FOUND');
    const [contents, uids] = await Promise.all([this.items<ContentBody>(who, m, 'content'), this.items<UidBody>(who, m, 'uid')]);
    const markingJa = ja ? { markingJa: renderMarking(this.o.registry, released.label, 'ja') } : {};
    return missionJson({ mission: released, marking: renderMarking(this.o.registry, released.label), ...markingJa, contents, uids, ...extra });
  }

  /** `ja`: each mission's marking in Japanese too (the browser panel asks for it) */
  async list(who: Caller, q: { passwordProtected: boolean; tool?: string; ja?: boolean }) {
    const all = this.visible(who, (await this.store.listMissions()) as Mission[]);
    const shown = all.filter((m) => (q.passwordProtected || m.body.password === undefined) && (q.tool === undefined || m.body.tool === q.tool));
    return Promise.all(shown.map((m) => this.view(who, m, {}, q.ja)));
  }

  async get(who: Caller, ref: Ref, cred: Credentials, o: { changes?: boolean; logs?: boolean; since?: number; until?: number; ja?: boolean }) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_READ');
    const extra: Partial<MissionView> = {};
    if (o.changes) extra.changes = await this.changes(who, m, { ...o, squashed: true });
    if (o.logs) extra.logs = (await this.items<LogBody>(who, m, 'log')).map((l) => logJson(l, m.name));
    return this.view(who, m, extra, o.ja);
  }

  /** Create (201, with the creator's owner token) or, for the mission's holder, update (200). */
  async createOrUpdate(who: Caller, input: CreateInput): Promise<{ created: boolean; json: unknown }> {
    const existing = (await this.store.missionByName(input.name)) as Mission | undefined;
    if (existing) {
      // someone else's mission, seen or not, is refused alike (the write authority's NOT_HOLDER)
      const row = this.writes.mission(who, existing, input.label, (l, originator) => ({ ...existing, label: l, originator, body: { ...existing.body, ...input.fields } }));
      await this.store.putMission(row);
      return { created: false, json: await this.view(who, row as Mission) };
    }
    await this.room(undefined);
    const now = Date.now();
    const body: MissionBody = {
      description: '',
      chatRoom: '',
      baseLayer: '',
      bbox: '',
      path: '',
      tool: 'public',
      keywords: [],
      groups: ['__ANON__'],
      defaultRole: 'MISSION_SUBSCRIBER',
      inviteOnly: false,
      expiration: -1,
      ...input.fields,
      creatorUid: input.creatorUid,
      createTime: new Date(now).toISOString(),
      ...(input.password ? { password: await hashPassword(input.password) } : {}),
    };
    const row = this.writes.mission(who, undefined, input.label, (l, originator) => ({ guid: randomUUID(), name: input.name, label: l, body, originator, origin: this.o.nodeId, createdAt: now }));
    await this.store.putMission(row);
    const m = row as Mission;
    const sub = await this.putSubscription(who, m, input.creatorUid, 'MISSION_OWNER');
    await this.writes.change(m, m.label, { type: 'CREATE_MISSION', creatorUid: input.creatorUid, isFederatedChange: false }, now);
    await this.o.deps.announce(createdCot(m), m.label);
    return { created: true, json: await this.view(who, m, { token: sub.token, ownerRole: 'MISSION_OWNER' }) };
  }

  async delete(who: Caller, ref: Ref, cred: Credentials) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_DELETE');
    const json = await this.view(who, m);
    const to = await this.writes.subscriberUids(m);
    await this.store.deleteMission(this.writes.deleteMission(who, m));
    if (to.length) this.o.deps.notify(deletedCot(m, cred.clientUid ?? m.body.creatorUid), m.label, to);
    return json;
  }

  private async putSubscription(who: Caller, m: Mission, clientUid: string, role: MissionRoleType): Promise<SubscriptionBody> {
    const existing = (await this.store.item(m.guid, 'subscription', clientUid)) as Item<SubscriptionBody> | undefined;
    if (!existing) await this.room(m.guid, 'subscription');
    const body: SubscriptionBody = { clientUid, username: who.name, identity: who.identity, token: existing?.body.token ?? newToken(), role, createTime: existing?.body.createTime ?? new Date().toISOString() };
    await this.store.putItem(this.writes.bookkeeping(existing, m.label, (l, originator) => ({ mission: m.guid, kind: 'subscription', key: clientUid, label: l, body, originator, createdAt: Date.now() })));
    return body;
  }

  async subscribe(who: Caller, ref: Ref, cred: Credentials & { clientUid: string }) {
    const m = await visibleMission(this.store, this.o.guard, who, ref);
    const role = await roleOf(this.store, m, who, cred);
    if (!role) throw new KizunaError('FORBIDDEN');
    return this.putSubscription(who, m, cred.clientUid, role);
  }

  async unsubscribe(who: Caller, ref: Ref, cred: Credentials & { clientUid: string }) {
    const m = await visibleMission(this.store, this.o.guard, who, ref);
    const sub = (await this.store.item(m.guid, 'subscription', cred.clientUid)) as Item<SubscriptionBody> | undefined;
    if (!sub) return;
    const role = await roleOf(this.store, m, who, cred);
    if (sub.body.identity !== who.identity && role !== 'MISSION_OWNER') throw new KizunaError('FORBIDDEN');
    await this.store.deleteItem(this.writes.removeBookkeeping(sub));
  }

  async subscriptions(who: Caller, ref: Ref, cred: Credentials) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_READ');
    return this.items<SubscriptionBody>(who, m, 'subscription');
  }

  async subscription(who: Caller, ref: Ref, cred: Credentials & { clientUid: string }) {
    const m = await visibleMission(this.store, this.o.guard, who, ref);
    const sub = (await this.store.item(m.guid, 'subscription', cred.clientUid)) as Item<SubscriptionBody> | undefined;
    // a subscription carries its token: only its own holder reads it (anyone else could act with its role)
    if (!sub || sub.body.identity !== who.identity) throw new KizunaError('NOT_FOUND');
    return sub.body;
  }

  async role(who: Caller, ref: Ref, cred: Credentials) {
    const m = await visibleMission(this.store, this.o.guard, who, ref);
    const role = await roleOf(this.store, m, who, cred);
    if (!role) throw new KizunaError('FORBIDDEN');
    return role;
  }

  async setRole(who: Caller, ref: Ref, cred: Credentials, target: { clientUid: string; role: MissionRoleType }) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_SET_ROLE');
    const sub = (await this.store.item(m.guid, 'subscription', target.clientUid)) as Item<SubscriptionBody> | undefined;
    if (!sub) throw new KizunaError('NOT_FOUND');
    const body = { ...sub.body, role: target.role };
    await this.store.putItem(this.writes.bookkeeping(sub, m.label, (l, originator) => ({ ...sub, label: l, originator, body })));
    this.o.deps.notify(inviteCot(m, body.token, target.role, 'ROLE_CHANGE'), m.label, [target.clientUid]);
    return body.role;
  }

  async invite(who: Caller, ref: Ref, cred: Credentials, inv: { type: string; invitee: string; role: MissionRoleType; creatorUid: string }) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_WRITE');
    const key = `${inv.type}:${inv.invitee}`;
    const existing = await this.store.item(m.guid, 'invite', key);
    if (!existing) await this.room(m.guid, 'invite');
    const body: InviteBody & { token: string } = { ...inv, token: newToken() };
    await this.store.putItem(this.writes.bookkeeping(existing, m.label, (l, originator) => ({ mission: m.guid, kind: 'invite', key, label: l, body, originator, createdAt: Date.now() })));
    if (inv.type === 'clientUid') this.o.deps.notify(inviteCot(m, body.token, inv.role), m.label, [inv.invitee]);
  }

  async uninvite(who: Caller, ref: Ref, cred: Credentials, inv: { type: string; invitee: string }) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_WRITE');
    const existing = await this.store.item(m.guid, 'invite', `${inv.type}:${inv.invitee}`);
    if (existing) await this.store.deleteItem(this.writes.removeBookkeeping(existing));
  }

  /** Names of the missions that invited this client uid, among those the caller may see. */
  async invitations(who: Caller, clientUid: string): Promise<string[]> {
    const names: string[] = [];
    for (const inv of this.visible(who, await this.store.itemsByKey('invite', `clientUid:${clientUid}`))) {
      const m = await this.store.missionByGuid(inv.mission);
      if (m && this.o.guard.decide(m.label, who.audience).allow) names.push(m.name);
    }
    return names;
  }

  async setPassword(who: Caller, ref: Ref, cred: Credentials, password: string | undefined) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_SET_PASSWORD');
    const body: MissionBody = { ...m.body };
    if (password) body.password = await hashPassword(password);
    else delete body.password;
    await this.store.putMission(this.writes.mission(who, m, undefined, (l, originator) => ({ ...m, label: l, originator, body })));
  }

  async setKeywords(who: Caller, ref: Ref, cred: Credentials, keywords: (k: string[]) => string[]) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_WRITE');
    const body: MissionBody = { ...m.body, keywords: [...new Set(keywords(m.body.keywords))] };
    const row = this.writes.mission(who, m, undefined, (l, originator) => ({ ...m, label: l, originator, body }));
    await this.store.putMission(row);
    return this.view(who, row as Mission);
  }

  async changesOf(who: Caller, ref: Ref, cred: Credentials, o: { since?: number; until?: number; squashed?: boolean }) {
    const { mission: m } = await authorize(this.store, this.o.guard, who, ref, cred, 'MISSION_READ');
    return this.changes(who, m, o);
  }

  /** Changes the caller may see; `squashed` keeps the last change per content (TAK Server's default). */
  async changes(who: Caller, m: Mission, o: { since?: number; until?: number; squashed?: boolean }) {
    const rows = this.visible(who, await this.store.changes(m.guid, { ...(o.since !== undefined ? { since: o.since } : {}), ...(o.until !== undefined ? { until: o.until } : {}) }));
    let kept = rows;
    if (o.squashed) {
      const last = new Map<string, number>();
      rows.forEach((c, i) => last.set(contentKey(c.body as { contentUid?: string; contentResource?: { hash: string } }) ?? `#${i}`, i));
      kept = rows.filter((c, i) => last.get(contentKey(c.body as { contentUid?: string; contentResource?: { hash: string } }) ?? `#${i}`) === i);
    }
    return kept.map((c) => changeJson(c as never, m.name));
  }
}

const contentKey = (b: { contentUid?: string; contentResource?: { hash: string } }) => (b.contentResource ? `h:${b.contentResource.hash}` : b.contentUid !== undefined ? `u:${b.contentUid}` : undefined);
