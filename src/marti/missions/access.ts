import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Audience, ReleaseGuard } from '../../labels/index.js';
import { KizunaError } from '../../util/errors.js';
import type { MissionStore } from '../../store/missions-types.js';
import { can, type InviteBody, type Item, type Mission, type MissionRoleType, type Permission, type SubscriptionBody } from './model.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

/** Who is calling: the client certificate (REST) or the streaming connection (CoT into a mission). */
export interface Caller {
  /** write-actor identity: 'cert:<serial>' or 'anon:<nation>' */
  identity: string;
  name: string;
  nation: string;
  audience: Audience;
}

/** What a request brings besides its certificate: the mission token and a password. */
export interface Credentials {
  token?: string;
  password?: string;
  /** the client uid the request speaks for (subscriptions are by client uid) */
  clientUid?: string;
}

export async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${(await scrypt(pw, salt, 32)).toString('hex')}`;
}

async function passwordMatches(stored: string, pw: string | undefined): Promise<boolean> {
  if (pw === undefined) return false;
  const [salt, hash] = stored.split(':');
  if (!salt || !hash) return false;
  const got = await scrypt(pw, Buffer.from(salt, 'hex'), 32);
  return timingSafeEqual(got, Buffer.from(hash, 'hex'));
}

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** `MissionAuthorization` first (what TAK clients send), then `Authorization`; both as "Bearer <token>". */
export function tokenOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  for (const h of ['missionauthorization', 'authorization']) {
    const v = headers[h];
    const s = Array.isArray(v) ? v[0] : v;
    if (s && /^bearer\s+/i.test(s)) return s.replace(/^bearer\s+/i, '').trim();
  }
  return undefined;
}

/**
 * A mission as the caller may see it: missing and hidden (the guard refuses its label) are one and the same
 * NOT_FOUND, decided before anything else (password, token, role) is looked at.
 */
export async function visibleMission(store: MissionStore, guard: ReleaseGuard, who: Caller, ref: { name?: string; guid?: string }): Promise<Mission> {
  const m = (ref.guid !== undefined ? await store.missionByGuid(ref.guid) : ref.name !== undefined ? await store.missionByName(ref.name) : undefined) as Mission | undefined;
  if (!m || !guard.decide(m.label, who.audience).allow) throw new KizunaError('NOT_FOUND');
  return m;
}

/**
 * The caller's role in a visible mission: the subscription its token names, else its own subscription (by
 * certificate), else owner when it created the mission, else an invitation, else the mission's default role
 * when the mission is open (no password, not invite-only) or the password given is right.
 */
export async function roleOf(store: MissionStore, m: Mission, who: Caller, cred: Credentials): Promise<MissionRoleType | undefined> {
  const subs = (await store.items(m.guid, 'subscription')) as Item<SubscriptionBody>[];
  if (cred.token !== undefined) {
    const byToken = subs.find((s) => sameToken(s.body.token, cred.token!));
    if (byToken) return byToken.body.role;
    const invites = (await store.items(m.guid, 'invite')) as Item<InviteBody & { token?: string }>[];
    const inv = invites.find((i) => i.body.token !== undefined && sameToken(i.body.token, cred.token!));
    if (inv) return inv.body.role;
  }
  const mine = subs.find((s) => s.body.identity === who.identity && (cred.clientUid === undefined || s.body.clientUid === cred.clientUid));
  if (mine) return mine.body.role;
  if (m.originator === who.identity) return 'MISSION_OWNER';
  if (cred.clientUid !== undefined) {
    const inv = (await store.item(m.guid, 'invite', `clientUid:${cred.clientUid}`)) as Item<InviteBody> | undefined;
    if (inv) return inv.body.role;
  }
  if (m.body.inviteOnly) return undefined;
  if (m.body.password !== undefined && !(await passwordMatches(m.body.password, cred.password))) return undefined;
  return m.body.defaultRole;
}

/** The mission and the caller's role, or the one refusal a visible mission gives (FORBIDDEN). */
export async function authorize(store: MissionStore, guard: ReleaseGuard, who: Caller, ref: { name?: string; guid?: string }, cred: Credentials, p: Permission) {
  const m = await visibleMission(store, guard, who, ref);
  const role = await roleOf(store, m, who, cred);
  if (!can(role, p)) throw new KizunaError('FORBIDDEN');
  return { mission: m, role: role! };
}
