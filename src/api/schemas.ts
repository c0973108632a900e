/**
 * zod mirrors of the browser wire types in ./contract.ts. They validate input at the boundary and
 * generate the OpenAPI document; the type assertions at the bottom keep them identical to contract.ts.
 */
import { z } from 'zod';
import { PHASES, PRIORITIES, REQUEST_KINDS, REQUEST_STATUSES, ROLES } from '../vocab/index.js';
import { CalendarInputSchema, LabelInputSchema, RequestInputSchema } from '../coordination/index.js';
// only the compile-time proof at the bottom reads the contract's types
import type * as Contract from './contract.js';

/** Components of the OpenAPI document: every schema registered here becomes #/components/schemas/<id>. */
export const apiSchemas = z.registry<{ id: string; description?: string }>();
function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  apiSchemas.add(schema, description ? { id, description } : { id });
  return schema;
}

const iso = z.string().max(40);

export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;
export const PhaseSchema = named('Phase', z.enum(PHASES));
export const RequestKindSchema = named('RequestKind', z.enum(REQUEST_KINDS));
export const RequestStatusSchema = named('RequestStatus', z.enum(REQUEST_STATUSES));
export const PrioritySchema = z.enum(PRIORITIES);

export const LabelViewSchema = named(
  'LabelView',
  z.object({
    policy: z.string(),
    classification: z.string(),
    rank: z.number(),
    marking: z.string(),
    markingJa: z.string(),
    portion: z.string(),
    color: z.string(),
  }),
  'A label as released to this user, rendered from the policy files',
);

const latLon = z.tuple([z.number(), z.number()]);
export const ShapeViewSchema = named(
  'ShapeView',
  z.object({
    kind: z.enum(['marker', 'line', 'polygon', 'rectangle', 'circle', 'rings', 'route', 'ellipse']),
    points: z.array(latLon),
    radii: z.array(z.number()).optional(),
    minor: z.number().optional(),
    angle: z.number().optional(),
    stroke: z.string().optional(),
    strokeOpacity: z.number().optional(),
    fill: z.string().optional(),
    fillOpacity: z.number().optional(),
  }),
  'Geometry of a TAK drawing, points as [lat, lon], radii in metres',
);
export const AlertViewSchema = named(
  'AlertView',
  z.object({
    kind: z.enum(['emergency', 'panic', 'troops-in-contact', 'geofence', 'custom']),
    label: z.string().optional(),
    text: z.string().optional(),
    about: z.string().optional(),
    cancel: z.boolean(),
  }),
  'An ATAK emergency/alert event (b-a-*): kind, the emergency text and the unit it is about',
);

export const TrackViewSchema = named(
  'TrackView',
  z.object({
    uid: z.string(),
    type: z.string(),
    callsign: z.string(),
    lat: z.number(),
    lon: z.number(),
    hae: z.number(),
    course: z.number().optional(),
    speed: z.number().optional(),
    time: z.string(),
    stale: z.string(),
    how: z.string(),
    origin: z.string(),
    label: LabelViewSchema,
    remarks: z.string().optional(),
    shape: ShapeViewSchema.optional(),
    alert: AlertViewSchema.optional(),
  }),
);

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
export const AreaSchema = named(
  'Area',
  z.union([
    z.object({ type: z.literal('Point'), coordinates: position }),
    z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position).min(4).max(1000)).min(1).max(10) }),
  ]),
  'GeoJSON point or polygon, [lon, lat]',
);
export const WindowSchema = z.object({ start: iso, end: iso });

export const ConcurrenceViewSchema = named(
  'ConcurrenceView',
  z.object({
    nation: z.string(),
    decision: z.enum(['pending', 'concur', 'not_concur', 'return']),
    by: z.string().optional(),
    at: z.string().optional(),
    comment: z.string().optional(),
  }),
);

export const RequestViewSchema = named(
  'RequestView',
  z.object({
    id: z.string(),
    kind: RequestKindSchema,
    title: z.string(),
    description: z.string(),
    requester: z.string(),
    originNation: z.string(),
    nations: z.array(z.string()),
    status: RequestStatusSchema,
    priority: PrioritySchema,
    area: AreaSchema.optional(),
    window: WindowSchema.optional(),
    deadline: z.string().optional(),
    escalated: z.boolean().optional(),
    concurrence: z.array(ConcurrenceViewSchema),
    comments: z.array(z.object({ by: z.string(), nation: z.string(), at: z.string(), text: z.string() })),
    label: LabelViewSchema,
    version: z.number(),
    updatedAt: z.string(),
  }),
);

export const CalendarEventViewSchema = named(
  'CalendarEventView',
  z.object({
    id: z.string(),
    title: z.string(),
    start: z.string(),
    end: z.string(),
    participants: z.array(z.string()),
    area: AreaSchema.optional(),
    label: LabelViewSchema,
  }),
);

export const ChatMessageViewSchema = named(
  'ChatMessageView',
  z.object({
    id: z.string(),
    room: z.string(),
    from: z.string(),
    nation: z.string(),
    text: z.string(),
    at: z.string(),
    label: LabelViewSchema,
  }),
);

export const PostureViewSchema = named(
  'PostureView',
  z.object({
    phases: z.record(z.string(), PhaseSchema),
    alliance: PhaseSchema,
    pending: z
      .object({ id: z.string(), nation: z.string(), proposed: PhaseSchema, by: z.string(), at: z.string(), awaiting: z.array(z.string()) })
      .optional(),
  }),
);

export const UserViewSchema = named(
  'UserView',
  z.object({ username: z.string(), nation: z.string(), role: RoleSchema, displayName: z.string().optional() }),
);

export const ErrorBodySchema = named(
  'Error',
  z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
  'Every error: a stable code and a generic message, never request content',
);

// ---- request bodies ----

export const LoginBodySchema = named(
  'LoginBody',
  z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) }),
);
export const LoginResultSchema = named(
  'LoginResult',
  z.object({ token: z.string(), expiresAt: z.string(), user: UserViewSchema }),
);
export const OkSchema = named('Ok', z.object({ ok: z.literal(true) }));

/** Bodies validated by the coordination service itself: one schema, documented here under these names. */
export const NewRequestSchema = named('NewRequest', RequestInputSchema);
export const NewCalendarEventSchema = named('NewCalendarEvent', CalendarInputSchema);
named('LabelInput', LabelInputSchema, 'a full STANAG 4774 label (JSON, owned by this nation) or the short form {classification, relTo?, caveats?}');
export const ActionBodySchema = named('ActionBody', z.object({ comment: z.string().max(4000).optional() }));
export const CommentBodySchema = named('CommentBody', z.object({ text: z.string().min(1).max(4000) }));
export const ChatBodySchema = named(
  'ChatBody',
  z.object({ text: z.string().min(1).max(4000), label: LabelInputSchema.optional() }),
);
export const ProposeBodySchema = named('ProposeBody', z.object({ phase: PhaseSchema }));

// ---- lists ----
export const TrackListSchema = named('TrackList', z.object({ items: z.array(TrackViewSchema), total: z.number() }));
export const RequestListSchema = named(
  'RequestList',
  z.object({ items: z.array(RequestViewSchema), next: z.string().optional() }),
);
export const CalendarListSchema = named('CalendarList', z.object({ items: z.array(CalendarEventViewSchema), next: z.string().optional() }));
export const ChatRoomListSchema = named('ChatRoomList', z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) }));
export const ChatListSchema = named('ChatList', z.object({ items: z.array(ChatMessageViewSchema), next: z.string().optional() }));
export const FederationStatusSchema = named('FederationStatus', z.object({ peers: z.unknown() }));

// ---- query strings and path params ----
const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);
export const TrackQuerySchema = z.object({
  type: z.string().max(64).optional().describe('CoT type prefix, e.g. a-h'),
  origin: z.string().max(32).optional(),
  after: z.string().max(256).optional().describe('uid cursor'),
  limit: limit(5000, 5000),
});
export const RequestQuerySchema = z.object({
  status: RequestStatusSchema.optional(),
  kind: RequestKindSchema.optional(),
  after: z.string().max(200).optional().describe('id cursor from `next`'),
  limit: limit(200, 50),
});
export const PageQuerySchema = z.object({ after: z.string().max(200).optional(), limit: limit(200, 100) });
export const IdParamsSchema = z.object({ id: z.string().min(1).max(200) });
export const UsernameParamsSchema = z.object({ username: z.string().min(1).max(64) });
export const DisabledBodySchema = named('DisabledBody', z.object({ disabled: z.boolean() }));

// ---- compile-time proof that the schemas are the contract types ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type _SchemaMatchesContract = [
  Assert<Equal<z.infer<typeof LabelViewSchema>, Contract.LabelView>>,
  Assert<Equal<z.infer<typeof TrackViewSchema>, Contract.TrackView>>,
  Assert<Equal<z.infer<typeof ConcurrenceViewSchema>, Contract.ConcurrenceView>>,
  Assert<Equal<z.infer<typeof RequestViewSchema>, Contract.RequestView>>,
  Assert<Equal<z.infer<typeof CalendarEventViewSchema>, Contract.CalendarEventView>>,
  Assert<Equal<z.infer<typeof ChatMessageViewSchema>, Contract.ChatMessageView>>,
  Assert<Equal<z.infer<typeof PostureViewSchema>, Contract.PostureView>>,
  Assert<Equal<z.infer<typeof UserViewSchema>, Contract.UserView>>,
];
