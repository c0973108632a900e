import type { PolicyRegistry } from '../labels/index.js';
import type { ReleaseGuard } from '../labels/guard-types.js';
import type { SecurityLabel } from '../labels/types.js';
import type { Store, StoredEvent } from '../store/types.js';
import type { Coordination, LabelInput, SessionUser, UserService } from '../coordination/index.js';
import type { Logger } from '../util/log.js';
import type { CotEvent } from '../cot/model.js';
import type { FeedAdmin } from './routes/feeds.js';
import type { MissionsPanelApi } from './routes/missions.js';

export type { Coordination, SessionUser, UserService };

export type TrackChange = { kind: 'event'; event: StoredEvent } | { kind: 'delete'; uid: string; label: SecurityLabel };

/** The live picture; the node implements it from its ingest pipeline. Items are labelled, not yet released. */
export interface TrackFeed {
  /** current non-stale picture */
  latest(): Promise<StoredEvent[]>;
  subscribe(fn: (c: TrackChange) => void): () => void;
}

export interface ApiDeps {
  nodeId: string;
  nation: string;
  registry: PolicyRegistry;
  guard: ReleaseGuard;
  store: Store;
  users: UserService;
  coordination: Coordination;
  tracks: TrackFeed;
  /** partner nations offered in label pickers (configured peers); default: none beyond this nation */
  partners?: readonly string[];
  /** GET /api/federation/status (operator and above) */
  federationStatus?: () => unknown;
  /** POST /api/cot (operator and above) */
  ingestCot?: (xml: string, user: SessionUser) => Promise<void>;
  /** largest CoT event POST /api/cot takes (the node's limits.maxEventBytes); default 1 MiB */
  maxEventBytes?: number;
  /** /api/shapes (operator and above): publish a built event as this user, labelled from the short form (or the default) */
  publishCot?: (ev: CotEvent, label: LabelInput | undefined, user: SessionUser) => Promise<void>;
  /** POST /api/tracks/:uid/label (coordinator and above): the explicit re-label the write authority allows */
  relabelTrack?: (uid: string, label: LabelInput, user: SessionUser) => Promise<void>;
  /** /api/missions (viewer reads, operator subscribes and adds): the Mission API's service, once the Marti port is up */
  missions?: () => MissionsPanelApi | undefined;
  /** /api/admin/feeds (administrator): sensor feeds */
  feeds?: FeedAdmin;
  log?: Logger;
  /** WebSocket tuning (tests shorten the session check) */
  ws?: { sessionCheckMs?: number; maxBufferedBytes?: number };
}
