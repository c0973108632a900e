/**
 * Wire contract between a node and its browser COP (web/). Plain types, importable by the web build.
 * Everything in these messages has already passed the release guard for the connected user.
 * The shared vocabulary (phases, statuses, roles, LabelView, UserView) lives in src/vocab.
 */
import type { CalendarEventView, ChatMessageView, FeedStatus, LabelView, PostureView, RequestView, UserView } from '../vocab/index.js';
import type { ShapeGeometry } from '../cot/shapes.js';
import type { AlertInfo } from '../cot/alert.js';

export type ShapeView = ShapeGeometry;
export type AlertView = AlertInfo;

export type {
  CalendarEventView,
  ChatMessageView,
  ConcurrenceView,
  LabelView,
  Phase,
  PostureView,
  Priority,
  RequestKind,
  RequestStatus,
  RequestView,
  Role,
  UserView,
} from '../vocab/index.js';

export interface TrackView {
  uid: string;
  type: string;
  callsign: string;
  lat: number;
  lon: number;
  hae: number;
  /** degrees, when known */
  course?: number;
  /** m/s, when known */
  speed?: number;
  time: string;
  stale: string;
  how: string;
  /** origin node/nation trigraph */
  origin: string;
  label: LabelView;
  remarks?: string;
  /** geometry of a drawing (TAK shape types), to draw instead of a symbol */
  shape?: ShapeView;
  /** an ATAK emergency/alert event (b-a-*) */
  alert?: AlertView;
}

/**
 * Server → browser over WebSocket `/api/ws?token=...`. A WebSocket message carries one ServerMessage,
 * or a JSON array of them (frames gathered for ~20 ms) to be handled in array order.
 */
export type ServerMessage =
  | { t: 'hello'; node: string; nation: string; user: UserView }
  | { t: 'snapshot'; tracks: TrackView[] }
  | { t: 'track'; track: TrackView }
  | { t: 'remove'; uid: string }
  | { t: 'banner'; label: LabelView }
  | { t: 'request'; request: RequestView }
  | { t: 'calendar'; event: CalendarEventView }
  | { t: 'chat'; message: ChatMessageView }
  | { t: 'posture'; posture: PostureView }
  | { t: 'expired' };

/** One sensor feed as GET /api/admin/feeds lists it (administrators): configuration summary and counters. */
export type FeedStatusView = FeedStatus;
export interface FeedListView {
  feeds: { config: { id: string; kind: string; transport: string }; source: 'config' | 'admin'; status: FeedStatusView }[];
}

/** One choosable value of the user's own policy, with its display in both UI languages. */
export interface LabelChoice {
  name: string;
  marking: string;
  markingJa: string;
}

/**
 * What a user may put on a label they create: levels up to their clearance and caveats they hold, from
 * their own nation's policy; releasability to their own nation plus the node's configured partners.
 */
export interface LabelOptionsView {
  policy: string;
  nation: string;
  classifications: { name: string; marking: string; markingJa: string; rank: number; color: string }[];
  caveats: { tagSet: string; values: { name: string; marking: string; markingJa: string; minClassification?: string }[] }[];
  releasabilityTag: string;
  /** own nation first, then partners */
  nations: string[];
}

/** REST (all JSON, errors as `{ error: { code, message } }`):
 *  POST /api/auth/login {username,password} -> {token, expiresAt, user: UserView}
 *  POST /api/auth/logout; GET /api/me -> UserView
 *  GET  /api/label-options -> LabelOptionsView (the label picker's choices for this user)
 *  GET  /api/tracks -> {items: TrackView[], total}
 *  GET  /api/requests?status=&kind=&after=&limit= -> {items: RequestView[], next?: string}
 *  POST /api/requests {kind,title,description,nations,priority,area?,window?,deadline?,label} -> RequestView
 *  GET  /api/requests/:id -> RequestView
 *  POST /api/requests/:id/{submit|concur|not-concur|return|execute|close} {comment?} -> RequestView
 *  POST /api/requests/:id/comments {text} -> RequestView
 *  GET  /api/calendar -> {items: CalendarEventView[]}; POST /api/calendar
 *  GET  /api/chat/rooms -> {items: {id,name}[]}; GET/POST /api/chat/rooms/:id/messages
 *  GET  /api/posture -> PostureView; POST /api/posture/propose {phase}; POST /api/posture/:id/ack
 *  GET  /api/admin/feeds -> FeedListView; POST /api/admin/feeds {feed config}; DELETE /api/admin/feeds/:id
 *  GET  /api/openapi.json; GET /healthz; GET /metrics
 */
export const API_NOTES = 'see comment above';
