import type { SecurityLabel } from '../labels/types.js';
import type { Admitted } from '../labels/admitted.js';

/**
 * Mission (TAK Data Sync) rows. The store knows nothing of TAK's shapes: bodies are JSON the mission service
 * owns. Every row carries its own label; the write paths take only what the write authority admitted.
 */
export interface MissionRow<B = unknown> {
  guid: string;
  /** unique on a node (TAK Server's key for a mission) */
  name: string;
  label: SecurityLabel;
  body: B;
  /** identity that created it (write authority) */
  originator: string;
  /** origin node id */
  origin: string;
  /** ms since epoch */
  createdAt: number;
}

export type MissionItemKind = 'content' | 'uid' | 'log' | 'subscription' | 'invite';

export interface MissionItemRow<B = unknown> {
  /** the mission's guid */
  mission: string;
  kind: MissionItemKind;
  /** hash, uid, log id, client uid, invitee: unique per mission and kind */
  key: string;
  label: SecurityLabel;
  body: B;
  originator: string;
  createdAt: number;
}

export interface MissionChangeRow<B = unknown> {
  /** ascending per node */
  seq: number;
  mission: string;
  label: SecurityLabel;
  body: B;
  /** ms since epoch */
  at: number;
}

export interface MissionStore {
  /** creates or replaces the mission with this guid (its name stays unique: CONFLICT otherwise) */
  putMission(m: Admitted<MissionRow>): Promise<void>;
  missionByName(name: string): Promise<MissionRow | undefined>;
  missionByGuid(guid: string): Promise<MissionRow | undefined>;
  /** every mission, by name; the caller filters through the guard */
  listMissions(limit?: number): Promise<MissionRow[]>;
  /** the mission with its items and changes */
  deleteMission(m: Admitted<MissionRow>): Promise<void>;
  putItem(i: Admitted<MissionItemRow>): Promise<void>;
  deleteItem(i: Admitted<MissionItemRow>): Promise<boolean>;
  items(mission: string, kind: MissionItemKind): Promise<MissionItemRow[]>;
  item(mission: string, kind: MissionItemKind, key: string): Promise<MissionItemRow | undefined>;
  /** items of one kind and key across missions (a log entry by id, invitations of a client) */
  itemsByKey(kind: MissionItemKind, key: string): Promise<MissionItemRow[]>;
  appendChange(c: Admitted<Omit<MissionChangeRow, 'seq'>>): Promise<number>;
  /** changes with since <= at < until, ascending, at most `limit` */
  changes(mission: string, o?: { since?: number; until?: number; limit?: number }): Promise<MissionChangeRow[]>;
}

export const MISSION_LIST_LIMIT = 10_000;
export const MISSION_CHANGES_LIMIT = 10_000;
