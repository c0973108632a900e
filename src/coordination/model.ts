import { z } from 'zod';
import type { Doc } from '../store/types.js';
import type { SecurityLabel } from '../labels/types.js';
import { PHASES, PRIORITIES, REQUEST_KINDS, ROLES, type Phase, type PostureView, type RequestKind, type RequestStatus, type Role, type UserView } from '../vocab/index.js';

/** Collections written by the coordination service. Every federated body names its single `owner` nation. */
export const COL = {
  request: 'request',
  concurrence: 'concurrence',
  comment: 'comment',
  calendar: 'calendar',
  chat: 'chat',
  proposal: 'posture_proposal',
  ack: 'posture_ack',
  user: 'user',
  session: 'session',
} as const;
export const FEDERATED_COLLECTIONS = [COL.request, COL.concurrence, COL.comment, COL.calendar, COL.chat, COL.proposal, COL.ack] as const;

export { PHASES, PRIORITIES, REQUEST_KINDS, ROLES, type Phase, type RequestKind, type RequestStatus, type Role, type UserView };

export const Nation = z.string().regex(/^[A-Z]{3}$/, 'nation must be a trigraph');
const Iso = z.iso.datetime({ offset: true });
const Lon = z.number().min(-180).max(180);
const Lat = z.number().min(-90).max(90);
const Position = z.tuple([Lon, Lat]);
export const AreaSchema = z.union([
  z.object({ type: z.literal('Point'), coordinates: Position }).strict(),
  z
    .object({
      type: z.literal('Polygon'),
      coordinates: z.array(z.array(Position).min(4).max(10_000)).min(1).max(100),
    })
    .strict(),
]);
export const WindowSchema = z
  .object({ start: Iso, end: Iso })
  .strict()
  .refine((w) => Date.parse(w.start) <= Date.parse(w.end), 'window ends before it starts');

/** Attachments travel inline (base64) and small; large files go through the file service. */
export const MAX_ATTACHMENT_BYTES = 256 * 1024;
export const AttachmentSchema = z
  .object({
    name: z.string().min(1).max(200),
    mediaType: z.string().min(1).max(100),
    data: z.base64().max(Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4, 'attachment too large'),
  })
  .strict();

/** A label as a client may give it: a full 4774 label, or a short form in the node's own policy. */
export const LabelInputSchema = z.union([
  z
    .object({
      classification: z.string().min(1).max(64),
      relTo: z.array(z.string().min(3).max(8)).max(32).optional(),
      caveats: z.array(z.string().min(1).max(64)).max(32).optional(),
    })
    .strict(),
  z.looseObject({ policy: z.string(), classification: z.string(), categories: z.array(z.unknown()), owner: z.string() }),
]);
export type LabelInput = z.infer<typeof LabelInputSchema>;

export const RequestInputSchema = z
  .object({
    kind: z.enum(REQUEST_KINDS),
    title: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).default(''),
    nations: z.array(Nation).max(16).default([]),
    priority: z.enum(PRIORITIES).default('routine'),
    area: AreaSchema.optional(),
    window: WindowSchema.optional(),
    deadline: Iso.optional(),
    attachments: z.array(AttachmentSchema).max(8).optional(),
    label: LabelInputSchema.optional(),
  })
  .strict();
export type RequestInput = z.input<typeof RequestInputSchema>;

export const CalendarInputSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    start: Iso,
    end: Iso,
    participants: z.array(Nation).max(16).default([]),
    area: AreaSchema.optional(),
    label: LabelInputSchema.optional(),
  })
  .strict()
  .refine((e) => Date.parse(e.start) <= Date.parse(e.end), 'event ends before it starts');
export type CalendarInput = z.input<typeof CalendarInputSchema>;

export const CommentText = z.string().trim().min(1).max(4000);
export const ChatText = z.string().trim().min(1).max(4000);

// ---- stored bodies (validated again when they arrive from a peer) ----------------------------------

const Base = { owner: Nation, rev: z.number().int().positive() };

/** `stage` is what the originator controls; the visible status is derived with the concurrences. */
export const RequestBodySchema = z
  .object({
    ...Base,
    id: z.string().min(1).max(100),
    kind: z.enum(REQUEST_KINDS),
    title: z.string().min(1).max(200),
    description: z.string().max(10_000),
    requester: z.string().min(1).max(100),
    nations: z.array(Nation).min(1).max(16),
    priority: z.enum(PRIORITIES),
    area: AreaSchema.optional(),
    window: WindowSchema.optional(),
    deadline: Iso.optional(),
    attachments: z.array(AttachmentSchema).max(8).optional(),
    stage: z.enum(['draft', 'submitted', 'in_execution', 'closed']),
    round: z.number().int().min(0),
    escalated: z.boolean().optional(),
    createdAt: Iso,
  })
  .strict();
export type RequestBody = z.infer<typeof RequestBodySchema>;

export const DECISIONS = ['review', 'concur', 'not_concur', 'return'] as const;
export type Decision = (typeof DECISIONS)[number];
export const ConcurrenceBodySchema = z
  .object({
    ...Base,
    requestId: z.string().min(1).max(100),
    round: z.number().int().min(1),
    decision: z.enum(DECISIONS),
    by: z.string().min(1).max(100),
    at: Iso,
    comment: z.string().max(4000).optional(),
  })
  .strict();
export type ConcurrenceBody = z.infer<typeof ConcurrenceBodySchema>;

export const CommentBodySchema = z
  .object({ ...Base, requestId: z.string().min(1).max(100), by: z.string().min(1).max(100), at: Iso, text: z.string().max(4000) })
  .strict();
export type CommentBody = z.infer<typeof CommentBodySchema>;

export const CalendarBodySchema = z
  .object({
    ...Base,
    id: z.string().min(1).max(100),
    title: z.string().min(1).max(200),
    start: Iso,
    end: Iso,
    participants: z.array(Nation).max(16),
    area: AreaSchema.optional(),
    by: z.string().min(1).max(100),
  })
  .strict();
export type CalendarBody = z.infer<typeof CalendarBodySchema>;

export const ChatBodySchema = z
  .object({ ...Base, id: z.string().min(1).max(100), room: z.string().min(1).max(64), from: z.string().min(1).max(100), text: z.string().max(4000), at: Iso })
  .strict();
export type ChatBody = z.infer<typeof ChatBodySchema>;

export const ProposalBodySchema = z
  .object({ ...Base, id: z.string().min(1).max(100), phase: z.enum(PHASES), by: z.string().min(1).max(100), at: Iso, awaiting: z.array(Nation).max(16) })
  .strict();
export type ProposalBody = z.infer<typeof ProposalBodySchema>;

export const AckBodySchema = z
  .object({ ...Base, proposalId: z.string().min(1).max(100), by: z.string().min(1).max(100), at: Iso })
  .strict();
export type AckBody = z.infer<typeof AckBodySchema>;

export const BODY_SCHEMAS = {
  [COL.request]: RequestBodySchema,
  [COL.concurrence]: ConcurrenceBodySchema,
  [COL.comment]: CommentBodySchema,
  [COL.calendar]: CalendarBodySchema,
  [COL.chat]: ChatBodySchema,
  [COL.proposal]: ProposalBodySchema,
  [COL.ack]: AckBodySchema,
} as const;

/** Everything known about one request: its doc, every nation's concurrence doc, comments, derived status. */
export interface RequestBundle {
  request: Doc<RequestBody>;
  concurrences: Doc<ConcurrenceBody>[];
  comments: Doc<CommentBody>[];
  status: RequestStatus;
  label: SecurityLabel;
}

/** The posture as the service computes it: the same shape the browser receives. */
export type PostureDoc = PostureView;

