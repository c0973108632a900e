import type { Audience, Labelled, PolicyRegistry, ReleaseGuard, SecurityLabel } from '../labels/index.js';
import type { Revocations } from '../certs/index.js';
import type { MissionDeps } from './missions/model.js';

export interface MartiClient {
  uid: string;
  callsign: string;
  /** ms since epoch */
  lastEventTime: number;
  groups: string[];
  username?: string;
  team?: string;
  role?: string;
  /** default true: only connected clients are listed by the node */
  connected?: boolean;
}

export interface MartiUser {
  username: string;
  role: string;
  groups?: string[];
}

/** What the node gives the Marti servers (the lead wires these). */
export interface MartiDeps {
  nation: string;
  nodeId: string;
  /** host name put in content URLs */
  publicHost: string;
  /** streaming TLS port (8089) for enrollment packages */
  tlsPort: number;
  dataDir: string;
  guard: ReleaseGuard;
  registry: PolicyRegistry;
  /** password check (throttled by the node: may throw LOGIN_THROTTLED); `address` = the client's */
  authenticate(username: string, password: string, address?: string): Promise<MartiUser | undefined>;
  revocations: Revocations;
  audit(kind: string, actor: string, body: unknown): Promise<void>;
  /** connected TAK clients, each with the label of its SA */
  clients(): Labelled<MartiClient>[];
  /** relay a file-share CoT (b-f-t-r) through the node's release path */
  publishCot(xml: string, label: SecurityLabel, by: { name: string; nation: string; audience: Audience }): Promise<void>;
  /** label for uploads that come without one */
  defaultLabel(): SecurityLabel;
  /** mission storage and delivery (no Mission API without it) */
  missions?: MissionDeps;
}

export interface MartiLimits {
  /** largest single upload (TAK Server: EnterpriseSyncSizeLimitMB) */
  maxUploadBytes: number;
  /** total bytes a user may have stored */
  userQuotaBytes: number;
}

export const DEFAULT_LIMITS: MartiLimits = { maxUploadBytes: 400 * 1024 * 1024, userQuotaBytes: 2 * 1024 * 1024 * 1024 };
