import { randomUUID } from 'node:crypto';
import type { Released } from '../../labels/index.js';
import { PERMISSIONS, type ChangeBody, type ContentBody, type Item, type LogBody, type Mission, type MissionRoleType, type SubscriptionBody, type UidBody } from './model.js';

/** TAK Server's JSON shapes (MissionApi, com.bbn.marti.sync.model.*). */
export const role = (type: MissionRoleType) => ({ type, permissions: PERMISSIONS[type] });

export const contentJson = (c: Item<ContentBody>) => ({
  timestamp: new Date(c.createdAt).toISOString(),
  creatorUid: c.body.creatorUid,
  data: { ...contentData(c.body) },
});
export const contentData = (b: ContentBody) => ({
  keywords: b.keywords,
  mimeType: b.mimeType,
  name: b.name,
  submissionTime: b.submissionTime,
  submitter: b.submitter,
  uid: b.uid,
  creatorUid: b.creatorUid,
  hash: b.hash,
  size: b.size,
  expiration: -1,
});
export const uidJson = (u: Item<UidBody>) => ({
  data: u.body.uid,
  timestamp: new Date(u.createdAt).toISOString(),
  creatorUid: u.body.creatorUid,
  details: { type: u.body.type, callsign: u.body.callsign ?? u.body.uid, location: { lat: u.body.lat, lon: u.body.lon } },
});
export const logJson = (l: Item<LogBody>, missionName: string) => ({
  id: l.body.id,
  content: l.body.content,
  creatorUid: l.body.creatorUid,
  missionNames: [missionName],
  servertime: l.body.servertime,
  dtg: l.body.dtg,
  created: l.body.created,
  contentHashes: l.body.contentHashes,
  keywords: l.body.keywords,
});
export const subscriptionJson = (s: SubscriptionBody, withToken: boolean) => ({
  ...(withToken ? { token: s.token } : {}),
  clientUid: s.clientUid,
  username: s.username,
  createTime: s.createTime,
  role: role(s.role),
});
export const changeJson = (c: { body: ChangeBody; at: number }, missionName: string) => ({
  isFederatedChange: c.body.isFederatedChange,
  type: c.body.type,
  missionName,
  timestamp: new Date(c.at).toISOString(),
  creatorUid: c.body.creatorUid,
  serverTime: new Date(c.at).toISOString(),
  ...(c.body.contentUid !== undefined ? { contentUid: c.body.contentUid } : {}),
  ...(c.body.contentResource ? { contentResource: contentData(c.body.contentResource) } : {}),
  ...(c.body.details ? { details: c.body.details } : {}),
});

export interface MissionView {
  mission: Released<Mission>;
  /** marking of the mission's label as the caller sees it (TAK's free-text classification field) */
  marking: string;
  /** the same marking in Japanese, for the browser's missions panel only (TAK clients get TAK's fields) */
  markingJa?: string;
  contents: Item<ContentBody>[];
  uids: Item<UidBody>[];
  token?: string;
  ownerRole?: MissionRoleType;
  changes?: ReturnType<typeof changeJson>[];
  logs?: ReturnType<typeof logJson>[];
}

export function missionJson(v: MissionView) {
  const m = v.mission.value;
  const b = m.body;
  return {
    name: m.name,
    description: b.description,
    chatRoom: b.chatRoom,
    baseLayer: b.baseLayer,
    bbox: b.bbox,
    path: b.path,
    classification: v.marking,
    ...(v.markingJa !== undefined ? { classificationJa: v.markingJa } : {}),
    tool: b.tool,
    keywords: b.keywords,
    creatorUid: b.creatorUid,
    createTime: b.createTime,
    externalData: [],
    feeds: [],
    mapLayers: [],
    defaultRole: role(b.defaultRole),
    ...(v.ownerRole ? { ownerRole: role(v.ownerRole) } : {}),
    inviteOnly: b.inviteOnly,
    expiration: b.expiration,
    guid: m.guid,
    uids: v.uids.map(uidJson),
    contents: v.contents.map(contentJson),
    passwordProtected: b.password !== undefined,
    groups: b.groups,
    ...(v.token ? { token: v.token } : {}),
    ...(v.changes ? { missionChanges: v.changes } : {}),
    ...(v.logs ? { logs: v.logs } : {}),
  };
}

export const envelope = (type: string, data: unknown, nodeId: string) => JSON.stringify({ version: '3', type, data, nodeId });

// --- streaming notifications (TAK Server's t-x-m-* events) ----------------------------------------------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function event(type: string, uid: string, detail: string, now = Date.now()): string {
  const t = new Date(now).toISOString();
  const stale = new Date(now + 120_000).toISOString();
  return (
    `<event version="2.0" uid="${esc(uid)}" type="${type}" how="h-g-i-g-o" time="${t}" start="${t}" stale="${stale}">` +
    `<point lat="0" lon="0" hae="0" ce="9999999" le="9999999"/><detail>${detail}</detail></event>`
  );
}

const missionAttrs = (m: Mission, kind: string, authorUid: string) =>
  `type="${kind}" tool="${esc(m.body.tool)}" name="${esc(m.name)}" guid="${esc(m.guid)}" authorUid="${esc(authorUid)}"`;

/** Kizuna's element in a t-x-m-n carrying the mission's fields to partner nodes. */
export const EXT = 'kizunaMission';

/** The mission's public fields, carried beside TAK's <mission> element of a t-x-m-n (clients ignore it). */
export function missionExtension(m: Mission): string {
  const b = m.body;
  const attrs = { description: b.description, createTime: b.createTime, creatorUid: b.creatorUid, defaultRole: b.defaultRole, tool: b.tool, keywords: b.keywords.join(',') };
  return `<${EXT} ${Object.entries(attrs).map(([k, v]) => `${k}="${esc(v)}"`).join(' ')}/>`;
}

/**
 * t-x-m-n: a new mission, stored and sent like any CoT (to every client and partner its label allows), with
 * the mission's fields for partner nodes; t-x-m-d: deleted (to its subscribers).
 */
export const createdCot = (m: Mission) => event('t-x-m-n', `mission-${m.guid}`, `<mission ${missionAttrs(m, 'CREATE', m.body.creatorUid)}/>${missionExtension(m)}`);
export const deletedCot = (m: Mission, by: string) => event('t-x-m-d', randomUUID(), `<mission ${missionAttrs(m, 'DELETE', by)}/>`);

/** t-x-m-i: an invitation (with the invitee's token and role), t-x-m-r: a role change. */
export function inviteCot(m: Mission, token: string, r: MissionRoleType, kind: 'INVITE' | 'ROLE_CHANGE' = 'INVITE'): string {
  const perms = PERMISSIONS[r].map((p) => `<permission type="${p}"/>`).join('');
  const detail = `<mission ${missionAttrs(m, kind, m.body.creatorUid)} token="${esc(token)}"><role type="${r}"><permissions>${perms}</permissions></role></mission>`;
  return event(kind === 'INVITE' ? 't-x-m-i' : 't-x-m-r', randomUUID(), detail);
}

/** t-x-m-c: one mission change, in TAK Server's <MissionChanges><MissionChange> form. */
export function changeCot(m: Mission, c: ChangeBody, at: number): string {
  const parts: string[] = [];
  if (c.contentResource) {
    const r = c.contentResource;
    parts.push(
      `<contentResource><creatorUid>${esc(r.creatorUid)}</creatorUid><expiration>-1</expiration><hash>${esc(r.hash)}</hash>` +
        `<mimeType>${esc(r.mimeType)}</mimeType><name>${esc(r.name)}</name><size>${r.size}</size>` +
        `<submissionTime>${esc(r.submissionTime)}</submissionTime><submitter>${esc(r.submitter)}</submitter><uid>${esc(r.uid)}</uid></contentResource>`,
    );
  }
  if (c.contentUid !== undefined) parts.push(`<contentUid>${esc(c.contentUid)}</contentUid>`);
  if (c.details) {
    const d = c.details;
    parts.push(`<details type="${esc(d.type)}" callsign="${esc(d.callsign)}"><location lat="${d.location.lat}" lon="${d.location.lon}"/></details>`);
  }
  const ts = new Date(at).toISOString();
  parts.push(
    `<creatorUid>${esc(c.creatorUid)}</creatorUid><isFederatedChange>${c.isFederatedChange}</isFederatedChange>` +
      `<missionName>${esc(m.name)}</missionName><timestamp>${ts}</timestamp><type>${c.type}</type>`,
  );
  const detail = `<mission ${missionAttrs(m, 'CHANGE', c.creatorUid)}><MissionChanges><MissionChange>${parts.join('')}</MissionChange></MissionChanges></mission>`;
  return event('t-x-m-c', c.contentUid ?? randomUUID(), detail, at);
}
