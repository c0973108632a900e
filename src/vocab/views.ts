import type { Phase, Priority, RequestKind, RequestStatus } from './index.js';
import type { Role } from './roles.js';

/** A label as the browser needs it: already rendered server-side from the policy files. */
export interface LabelView {
  policy: string;
  classification: string;
  /** hierarchy rank in its policy (higher = more sensitive), for the banner colour */
  rank: number;
  /** banner marking, e.g. "SECRET//REL TO USA, JPN" */
  marking: string;
  /** Japanese rendering of the marking */
  markingJa: string;
  /** portion mark, e.g. "(S//REL TO USA, JPN)" */
  portion: string;
  /** banner colour as CSS (policy file's colour for the classification) */
  color: string;
}

export interface UserView {
  username: string;
  nation: string;
  role: Role;
  displayName?: string;
}

/**
 * A file of the node's labelled file store (Marti data packages, federated files). Generic in its label
 * type so this leaf needs no import of the label model; users write `FileRecord<SecurityLabel>`.
 */
export interface FileRecord<Label> {
  /** PrimaryKey (ATAK wants an integer) */
  id: number;
  uid: string;
  hash: string;
  name: string;
  mimeType: string;
  size: number;
  keywords: string[];
  tool: 'public' | 'private';
  /** certificate CN of the uploader */
  submitter: string;
  submitterNation: string;
  creatorUid: string;
  submittedAt: string;
  label: Label;
  /** node the file came from over federation; absent for local uploads */
  origin?: string;
}

/** Coordination views (REST and WebSocket), built by src/coordination, served by src/api. */
export interface ConcurrenceView {
  nation: string;
  decision: 'pending' | 'concur' | 'not_concur' | 'return';
  by?: string;
  at?: string;
  comment?: string;
}

export interface RequestView {
  id: string;
  kind: RequestKind;
  title: string;
  description: string;
  requester: string;
  originNation: string;
  nations: string[];
  status: RequestStatus;
  priority: Priority;
  area?: { type: 'Point'; coordinates: [number, number] } | { type: 'Polygon'; coordinates: [number, number][][] };
  window?: { start: string; end: string };
  deadline?: string;
  escalated?: boolean;
  concurrence: ConcurrenceView[];
  comments: { by: string; nation: string; at: string; text: string }[];
  label: LabelView;
  version: number;
  updatedAt: string;
}

export interface CalendarEventView {
  id: string;
  title: string;
  start: string;
  end: string;
  participants: string[];
  area?: RequestView['area'];
  label: LabelView;
}

export interface ChatMessageView {
  id: string;
  room: string;
  from: string;
  nation: string;
  text: string;
  at: string;
  label: LabelView;
}

export interface PostureView {
  phases: Record<string, Phase>;
  /** the alliance posture: the highest phase of the nations */
  alliance: Phase;
  pending?: { id: string; nation: string; proposed: Phase; by: string; at: string; awaiting: string[] };
}
