import { makeLabel } from '../../labels/index.js';
import type { Released } from '../../labels/released.js';
import type { Audience, Labelled } from '../../labels/types.js';
import type { Doc } from '../../store/types.js';
import type { Action, CalendarBody, ChatBody, PostureDoc, RequestBundle } from '../../coordination/index.js';
import type { PostureView, RequestView } from '../contract.js';
import type { ApiDeps, SessionUser } from '../deps.js';
import { releasedPage } from '../paging.js';
import { labelViews, releaseOrNotFound } from '../release.js';
import { route, type AnyRoute } from '../route-table.js';
import {
  ActionBodySchema,
  CalendarEventViewSchema,
  CalendarListSchema,
  ChatBodySchema,
  ChatListSchema,
  ChatMessageViewSchema,
  ChatRoomListSchema,
  FederationStatusSchema,
  CommentBodySchema,
  IdParamsSchema,
  NewCalendarEventSchema,
  NewRequestSchema,
  PageQuerySchema,
  PostureViewSchema,
  ProposeBodySchema,
  RequestListSchema,
  RequestQuerySchema,
  RequestViewSchema,
} from '../schemas.js';

/** URL segment → workflow action (the browser uses dashes). */
const ACTION_PATHS: Record<string, { action: Action; min: 'operator' | 'coordinator'; summary: string }> = {
  submit: { action: 'submit', min: 'operator', summary: 'Submit (or resubmit) a request for concurrence' },
  review: { action: 'review', min: 'coordinator', summary: "Mark this nation's review as started" },
  concur: { action: 'concur', min: 'coordinator', summary: "Concur for this node's nation" },
  'not-concur': { action: 'not_concur', min: 'coordinator', summary: "Do not concur for this node's nation" },
  return: { action: 'return', min: 'coordinator', summary: 'Return for changes' },
  execute: { action: 'execute', min: 'coordinator', summary: 'Start execution of a concurred request' },
  close: { action: 'close', min: 'coordinator', summary: 'Close the request' },
};

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The label under which this node states the alliance posture: lowest level of its policy, releasable to
 * the nations whose phases it shows. The posture is derived from labelled proposal docs; this label
 * lets it pass the guard like everything else.
 */
export function postureLabelled(deps: ApiDeps, p: PostureDoc): Labelled<PostureDoc> {
  const policy = deps.registry.policyOf(deps.nation);
  const relTo = [...new Set([deps.nation, ...Object.keys(p.phases)])].sort();
  const label = makeLabel(deps.registry, { policy, classification: deps.registry.classifications(policy)[0]!, relTo, owner: deps.nation });
  return { label, value: p };
}

/** The release and view helpers every coordination route uses: what a route answers is what the guard released. */
function coordinationContext(deps: ApiDeps) {
  const { guard, coordination: coord } = deps;
  const lv = labelViews(deps.registry);
  const bundleOf = (b: RequestBundle): Labelled<RequestBundle> => ({ label: b.label, value: b });
  const docOf = <B>(d: Doc<B>): Labelled<Doc<B>> => ({ label: d.label, value: d });

  /** The view carries the label as released (translated for the audience), never the stored one. */
  const requestView = (r: Released<RequestBundle>): RequestView => coord.requestView({ ...r.value, label: r.label }, lv);
  const calendarView = (r: Released<Doc<CalendarBody>>) => coord.calendarView({ ...r.value, label: r.label }, lv);
  const chatView = (r: Released<Doc<ChatBody>>) => coord.chatView({ ...r.value, label: r.label }, lv);
  const postureView = (audience: Audience, p: PostureDoc): PostureView =>
    coord.postureView(releaseOrNotFound(guard, postureLabelled(deps, p), audience, 'rest').value);

  /** A request the user may not see answers exactly like one that does not exist. */
  async function visibleRequest(user: SessionUser, id: string): Promise<Released<RequestBundle>> {
    const b = await coord.getRequest(id);
    return releaseOrNotFound(guard, b && bundleOf(b), user.audience, 'rest');
  }
  /** What the user just wrote, as released to them (a write they may not read back answers like missing). */
  const releasedRequest = (user: SessionUser, b: RequestBundle) => releaseOrNotFound(guard, bundleOf(b), user.audience, 'rest');
  const releasedDoc = <B>(user: SessionUser, d: Doc<B>) => releaseOrNotFound(guard, docOf(d), user.audience, 'rest');

  /** One page of a listing, released to the user and turned into views; `next` only when more may follow. */
  async function viewPage<T, V>(
    user: SessionUser,
    query: { after?: string | undefined; limit: number },
    list: { fetch: (after: string | undefined, limit: number) => Promise<T[]>; labelled: (t: T) => Labelled<T>; idOf: (t: T) => string },
    view: (r: Released<T>) => V,
  ): Promise<{ items: V[]; next?: string }> {
    const page = await releasedPage({
      fetch: list.fetch,
      idOf: list.idOf,
      release: (ts) => guard.releaseMany(ts.map(list.labelled), user.audience, 'rest'),
      releasedId: (r) => list.idOf(r.value),
      after: query.after,
      limit: query.limit,
    });
    return { items: page.items.map(view), ...(page.next ? { next: page.next } : {}) };
  }
  /** Calendar events and chat messages list by id. */
  const docList = <B>(fetch: (opts: { limit: number; after?: string }) => Promise<Doc<B>[]>) => ({
    fetch: async (after: string | undefined, limit: number) =>
      (await fetch({ limit, ...(after !== undefined ? { after } : {}) })).sort(byId),
    labelled: (d: Doc<B>) => docOf(d),
    idOf: (d: Doc<B>) => d.id,
  });

  return { coord, bundleOf, requestView, calendarView, chatView, postureView, visibleRequest, releasedRequest, releasedDoc, viewPage, docList };
}

type Ctx = ReturnType<typeof coordinationContext>;

/** Requests and their bilateral concurrence workflow. */
function requestRoutes({ coord, bundleOf, requestView, visibleRequest, releasedRequest, viewPage }: Ctx): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/requests',
      summary: 'Coordination requests releasable to the caller (filter by status/kind; cursor `next`)',
      tag: 'requests',
      auth: 'viewer',
      query: RequestQuerySchema,
      response: RequestListSchema,
      handler: async ({ user, query }) => {
        const fetch = (after: string | undefined, limit: number) =>
          coord.listRequests({
            limit,
            ...(after !== undefined ? { after } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.kind ? { kind: query.kind } : {}),
          });
        return viewPage(user, query, { fetch, labelled: bundleOf, idOf: (b) => b.request.id }, requestView);
      },
    }),
    route({
      method: 'POST',
      url: '/api/requests',
      summary: 'Create a request (draft) owned by this nation',
      tag: 'requests',
      auth: 'operator',
      body: NewRequestSchema,
      response: RequestViewSchema,
      handler: async ({ user, body }) => requestView(releasedRequest(user, await coord.createRequest(user, body))),
    }),
    route({
      method: 'GET',
      url: '/api/requests/:id',
      summary: 'One request with every nation’s concurrence and the comments',
      tag: 'requests',
      auth: 'viewer',
      params: IdParamsSchema,
      response: RequestViewSchema,
      handler: async ({ user, params }) => requestView(await visibleRequest(user, params.id)),
    }),
    ...Object.entries(ACTION_PATHS).map(([segment, a]) =>
      route({
        method: 'POST',
        url: `/api/requests/:id/${segment}`,
        summary: a.summary,
        tag: 'requests',
        auth: a.min,
        params: IdParamsSchema,
        body: ActionBodySchema,
        response: RequestViewSchema,
        handler: async ({ user, params, body }) => {
          await visibleRequest(user, params.id);
          return requestView(releasedRequest(user, await coord.act(user, params.id, a.action, body.comment)));
        },
      }),
    ),
    route({
      method: 'POST',
      url: '/api/requests/:id/comments',
      summary: 'Comment on a request',
      tag: 'requests',
      auth: 'operator',
      params: IdParamsSchema,
      body: CommentBodySchema,
      response: RequestViewSchema,
      handler: async ({ user, params, body }) => {
        await visibleRequest(user, params.id);
        await coord.comment(user, params.id, body.text);
        return requestView(await visibleRequest(user, params.id));
      },
    }),
  ];
}

/** The exercise and training calendar. */
function calendarRoutes({ coord, calendarView, releasedDoc, viewPage, docList }: Ctx): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/calendar',
      summary: 'Exercise and training calendar (releasable events, by id; cursor `next`)',
      tag: 'calendar',
      auth: 'viewer',
      query: PageQuerySchema,
      response: CalendarListSchema,
      handler: async ({ user, query }) => viewPage(user, query, docList((o) => coord.listCalendar(o)), calendarView),
    }),
    route({
      method: 'POST',
      url: '/api/calendar',
      summary: 'Add a bilateral exercise or training event',
      tag: 'calendar',
      auth: 'operator',
      body: NewCalendarEventSchema,
      response: CalendarEventViewSchema,
      handler: async ({ user, body }) => calendarView(releasedDoc(user, await coord.createCalendarEvent(user, body))),
    }),
    route({
      method: 'POST',
      url: '/api/calendar/:id',
      summary: "Edit an event of this nation (its author or a coordinator; the label is kept; hidden answers like missing)",
      tag: 'calendar',
      auth: 'operator',
      params: IdParamsSchema,
      body: NewCalendarEventSchema,
      response: CalendarEventViewSchema,
      handler: async ({ user, params, body }) =>
        calendarView(releasedDoc(user, await coord.updateCalendarEvent(user, params.id, body))),
    }),
  ];
}

/** Bilateral chat rooms. */
function chatRoutes({ coord, chatView, releasedDoc, viewPage, docList }: Ctx): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/chat/rooms',
      summary: 'Bilateral chat rooms',
      tag: 'chat',
      auth: 'viewer',
      response: ChatRoomListSchema,
      // room names are node configuration, the same for every user: no object content
      handler: async () => ({ items: coord.chatRooms().map((r) => ({ id: r.id, name: r.name })) }),
    }),
    route({
      method: 'GET',
      url: '/api/chat/rooms/:id/messages',
      summary: 'Messages of a room, oldest first (cursor `next`)',
      tag: 'chat',
      auth: 'viewer',
      params: IdParamsSchema,
      query: PageQuerySchema,
      response: ChatListSchema,
      handler: async ({ user, params, query }) => viewPage(user, query, docList((o) => coord.listChat(params.id, o)), chatView),
    }),
    route({
      method: 'POST',
      url: '/api/chat/rooms/:id/messages',
      summary: 'Post a labelled chat message',
      tag: 'chat',
      auth: 'operator',
      params: IdParamsSchema,
      body: ChatBodySchema,
      response: ChatMessageViewSchema,
      handler: async ({ user, params, body }) =>
        chatView(releasedDoc(user, await coord.postChat(user, params.id, body.text, body.label))),
    }),
  ];
}

/** Readiness phases and the alliance posture. */
function postureRoutes({ coord, postureView }: Ctx): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/posture',
      summary: 'Readiness phase of each nation, the alliance posture and any pending proposal',
      tag: 'posture',
      auth: 'viewer',
      response: PostureViewSchema,
      handler: async ({ user }) => postureView(user.audience, await coord.posture()),
    }),
    route({
      method: 'POST',
      url: '/api/posture/propose',
      summary: "Propose a readiness phase for this node's nation",
      tag: 'posture',
      auth: 'coordinator',
      body: ProposeBodySchema,
      response: PostureViewSchema,
      handler: async ({ user, body }) => postureView(user.audience, await coord.proposePhase(user, body.phase)),
    }),
    route({
      method: 'POST',
      url: '/api/posture/:id/ack',
      summary: "Acknowledge the other nation's proposed phase",
      tag: 'posture',
      auth: 'coordinator',
      params: IdParamsSchema,
      response: PostureViewSchema,
      handler: async ({ user, params }) => postureView(user.audience, await coord.ackPhase(user, params.id)),
    }),
  ];
}

export function coordinationRoutes(deps: ApiDeps): AnyRoute[] {
  const ctx = coordinationContext(deps);
  const routes: AnyRoute[] = [...requestRoutes(ctx), ...calendarRoutes(ctx), ...chatRoutes(ctx), ...postureRoutes(ctx)];
  if (deps.federationStatus) {
    const status = deps.federationStatus;
    routes.push(
      route({
        method: 'GET',
        url: '/api/federation/status',
        summary: 'Peer links and outbox depths (operational data, no objects)',
        tag: 'federation',
        auth: 'operator',
        response: FederationStatusSchema,
        handler: async () => ({ peers: status() }),
      }),
    );
  }
  return routes;
}
