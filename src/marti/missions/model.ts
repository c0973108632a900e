import type { SecurityLabel } from '../../labels/index.js';
import type { MissionItemRow, MissionRow, MissionStore } from '../../store/missions-types.js';
import type { StoredEvent } from '../../store/types.js';

export type MissionRoleType = 'MISSION_OWNER' | 'MISSION_SUBSCRIBER' | 'MISSION_READONLY_SUBSCRIBER';
export const ROLES: readonly MissionRoleType[] = ['MISSION_OWNER', 'MISSION_SUBSCRIBER', 'MISSION_READONLY_SUBSCRIBER'];

/** TAK Server's permission sets per role (MissionRole / MissionPermission). */
export const PERMISSIONS: Record<MissionRoleType, string[]> = {
  MISSION_OWNER: [
    'MISSION_MANAGE_FEEDS',
    'MISSION_SET_PASSWORD',
    'MISSION_WRITE',
    'MISSION_MANAGE_LAYERS',
    'MISSION_UPDATE_GROUPS',
    'MISSION_DELETE',
    'MISSION_SET_ROLE',
    'MISSION_READ',
  ],
  MISSION_SUBSCRIBER: ['MISSION_READ', 'MISSION_WRITE'],
  MISSION_READONLY_SUBSCRIBER: ['MISSION_READ'],
};
export type Permission = 'MISSION_READ' | 'MISSION_WRITE' | 'MISSION_DELETE' | 'MISSION_SET_PASSWORD' | 'MISSION_SET_ROLE';

export const can = (role: MissionRoleType | undefined, p: Permission): boolean => role !== undefined && PERMISSIONS[role].includes(p);

/** What the service keeps in a mission row's body (never sent as is: the password hash stays here). */
export interface MissionBody {
  description: string;
  chatRoom: string;
  baseLayer: string;
  bbox: string;
  path: string;
  tool: string;
  keywords: string[];
  creatorUid: string;
  /** ISO 8601 */
  createTime: string;
  groups: string[];
  defaultRole: MissionRoleType;
  inviteOnly: boolean;
  expiration: number;
  /** scrypt "salt:hash" (hex); absent = not password protected */
  password?: string;
}

export interface ContentBody {
  hash: string;
  name: string;
  mimeType: string;
  size: number;
  keywords: string[];
  submitter: string;
  submissionTime: string;
  uid: string;
  creatorUid: string;
}
export interface UidBody {
  uid: string;
  creatorUid: string;
  type: string;
  callsign?: string;
  lat: number;
  lon: number;
}
export interface LogBody {
  id: string;
  content: string;
  creatorUid: string;
  dtg: string;
  servertime: string;
  created: string;
  contentHashes: string[];
  keywords: string[];
}
export interface SubscriptionBody {
  clientUid: string;
  username: string;
  /** write actor identity of the subscriber ('cert:<serial>') */
  identity: string;
  token: string;
  role: MissionRoleType;
  createTime: string;
}
export interface InviteBody {
  type: string;
  invitee: string;
  role: MissionRoleType;
  creatorUid: string;
}
export type ChangeType = 'CREATE_MISSION' | 'DELETE_MISSION' | 'ADD_CONTENT' | 'REMOVE_CONTENT';
export interface ChangeBody {
  type: ChangeType;
  creatorUid: string;
  contentUid?: string;
  contentResource?: ContentBody;
  details?: { type: string; callsign: string; location: { lat: number; lon: number } };
  isFederatedChange: boolean;
}

export type Mission = MissionRow<MissionBody>;
export type Item<B> = MissionItemRow<B>;

/** What the node gives the mission service. */
export interface MissionDeps {
  store: MissionStore;
  /** the latest stored state of a track (for mission uids and /cot) */
  latest(uid: string): Promise<StoredEvent | undefined>;
  /**
   * A notification CoT for TAK clients, released by the guard against `label`; `to` = client uids
   * (undefined: every connected client, as TAK Server announces new missions).
   */
  notify(xml: string, label: SecurityLabel, to: string[] | undefined): void;
  /** a mission announcement (t-x-m-n): stored and sent like any CoT the node writes (clients and partners) */
  announce(xml: string, label: SecurityLabel): Promise<void>;
}
