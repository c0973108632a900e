/**
 * The shared vocabulary of a node and its browser COP: phases, request statuses and kinds, roles, and the
 * view types several rooms exchange. A leaf: imports nothing of the project, so api, coordination, labels,
 * marti, federation and web can all use it without depending on one another.
 */

/** Readiness phases, lowest first (the alliance posture is the highest phase of the nations). */
export const PHASES = ['peacetime', 'gray_zone', 'contingency'] as const;
export type Phase = (typeof PHASES)[number];

export const REQUEST_KINDS = ['isr', 'rfi', 'asset_protection', 'facility_use', 'logistics', 'hadr'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATUSES = ['draft', 'submitted', 'in_review', 'concurred', 'not_concurred', 'returned', 'in_execution', 'closed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const PRIORITIES = ['routine', 'priority', 'immediate'] as const;
export type Priority = (typeof PRIORITIES)[number];

export { FEED_KINDS, FEED_TRANSPORTS, type FeedKind, type FeedStatus, type FeedTransport } from './feeds.js';
export { ROLES, ROLE_RANK, roleAtLeast, type Role } from './roles.js';
export type { MissionDetailView, MissionLogView, MissionTrackView, MissionView } from './missions.js';
export type { ShapeKind, ShapeSpec } from './shapes.js';
export type {
  CalendarEventView,
  ChatMessageView,
  ConcurrenceView,
  FileRecord,
  LabelView,
  PostureView,
  RequestView,
  UserView,
} from './views.js';
