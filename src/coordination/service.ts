import { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { createGuard, type Admitted, type PolicyRegistry } from '../labels/index.js';
import type { Audience, SecurityLabel } from '../labels/types.js';
import type { Decision as GuardDecision } from '../labels/types.js';
import type { AuditDraft, Doc, DocPut, Store } from '../store/types.js';
import { REQUEST_STATUSES, type Phase, type RequestStatus } from '../vocab/index.js';
import { chainAudit, type AuditLog } from './audit.js';
import { newId, timeFirstId } from './ids.js';
import {
  BODY_SCHEMAS,
  COL,
  CalendarInputSchema,
  ChatText,
  CommentText,
  FEDERATED_COLLECTIONS,
  LabelInputSchema,
  PHASES,
  REQUEST_KINDS,
  RequestInputSchema,
  type AckBody,
  type CalendarBody,
  type CalendarInput,
  type ChatBody,
  type CommentBody,
  type ConcurrenceBody,
  type LabelInput,
  type PostureDoc,
  type ProposalBody,
  type RequestBody,
  type RequestBundle,
  type RequestInput,
  type Role,
} from './model.js';
import { derivePosture } from './posture.js';
import { labelFromInput } from './registry.js';
import { createDocAuthority } from './doc-authority.js';
import { createInbound } from './inbound.js';
import type { SessionUser } from './users.js';
import { calendarView, chatView, postureView, requestView } from './views.js';
import { ACTIONS, ACTION_ROLE, ORIGINATOR_ACTIONS, deriveStatus, roleAtLeast, transitionError, type Action } from './workflow.js';

export interface ChangeInfo {
  /** true when the doc arrived from a peer (do not federate it back) */
  remote: boolean;
  from?: string;
  /**
   * true when another process of this same node made the change (scale-out on a shared store and bus):
   * it is already stored, audited and federated there; here it only updates live views.
   */
  sibling?: boolean;
}
export type ChangeListener = (doc: Doc, info: ChangeInfo) => void;
export type PhaseListener = (nation: string, phase: Phase) => void;

export interface CoordinationOptions {
  nodeId: string;
  nation: string;
  store: Store;
  registry: PolicyRegistry;
  audit: AuditLog;
  now?: () => number;
  /** nations that must acknowledge this nation's phase changes (default: the bilateral partner) */
  allies?: string[];
  /** users act only on objects the guard releases to them (default: a guard of `registry`) */
  guard?: { decide(label: SecurityLabel, audience: Audience): GuardDecision };
  rooms?: { id: string; name: string }[];
  /** called for listener failures (logging); never rethrown */
  onError?: (err: unknown) => void;
}

export interface Coordination {
  readonly nation: string;
  createRequest(user: SessionUser, input: RequestInput): Promise<RequestBundle>;
  getRequest(id: string): Promise<RequestBundle | undefined>;
  listRequests(q?: { status?: RequestStatus; kind?: string; after?: string; limit?: number }): Promise<RequestBundle[]>;
  act(user: SessionUser, id: string, action: Action, comment?: string): Promise<RequestBundle>;
  comment(user: SessionUser, id: string, text: string): Promise<RequestBundle>;
  createCalendarEvent(user: SessionUser, input: CalendarInput): Promise<Doc<CalendarBody>>;
  listCalendar(q?: { after?: string; limit?: number }): Promise<Doc<CalendarBody>[]>;
  chatRooms(): { id: string; name: string }[];
  postChat(user: SessionUser, room: string, text: string, label?: LabelInput): Promise<Doc<ChatBody>>;
  listChat(room: string, q?: { after?: string; limit?: number }): Promise<Doc<ChatBody>[]>;
  posture(): Promise<PostureDoc>;
  proposePhase(user: SessionUser, phase: Phase): Promise<PostureDoc>;
  ackPhase(user: SessionUser, proposalId: string): Promise<PostureDoc>;
  checkDeadlines(): Promise<void>;
  applyRemote(doc: Doc, fromNation: string): Promise<void>;
  onChange(fn: ChangeListener): () => void;
  /** A change another process of this node committed to the shared store: tell local listeners only. */
  notifySibling(doc: Doc, info: ChangeInfo): void;
  onPhase(fn: PhaseListener): () => void;
  requestView: typeof requestView;
  calendarView: typeof calendarView;
  chatView: typeof chatView;
  postureView: typeof postureView;
}

const DEFAULT_ROOMS = [
  { id: 'bilateral', name: 'Bilateral coordination / 日米調整' },
  { id: 'operations', name: 'Operations / 運用' },
  { id: 'logistics', name: 'Logistics / 後方支援' },
];

const ListQuery = z
  .object({
    status: z.enum(REQUEST_STATUSES).optional(),
    kind: z.enum(REQUEST_KINDS).optional(),
    after: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();
const PageQuery = z.object({ after: z.string().max(200).optional(), limit: z.number().int().min(1).max(500).default(100) }).strict();
const Id = z.string().min(1).max(200);

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // Paths only: never echo the offending value (it may be protected content).
  const where = r.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
  // An attachment over the size limit is a size problem, not a malformed request.
  const tooLarge = r.error.issues.some((i) => i.code === 'too_big' && i.path[0] === 'attachments' && i.path.at(-1) === 'data');
  throw new KizunaError(tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', `${what}: invalid ${where}`);
}

export function createCoordination(o: CoordinationOptions): Coordination {
  const { store, registry, audit, nation } = o;
  const now = o.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const allies = (o.allies ?? (nation === 'JPN' ? ['USA'] : nation === 'USA' ? ['JPN'] : [])).filter((n) => n !== nation);
  const rooms = o.rooms ?? DEFAULT_ROOMS;
  const changeListeners = new Set<ChangeListener>();
  const phaseListeners = new Set<PhaseListener>();
  const reportError = (err: unknown) => {
    try {
      o.onError?.(err);
    } catch {
      /* a logger failing must not break a write */
    }
  };

  // ---- helpers --------------------------------------------------------------------------------------

  function requireRole(user: SessionUser, min: Role): void {
    if (!user || typeof user !== 'object') throw new KizunaError('UNAUTHENTICATED');
    // Users of this node act for this node's nation only: a decision is always written by its own nation.
    if (user.nation !== nation) throw new KizunaError('FORBIDDEN', 'users act only for the nation of their node');
    if (!roleAtLeast(user.role, min)) throw new KizunaError('FORBIDDEN', `requires ${min}`);
  }

  const authority = createDocAuthority({
    nodeId: o.nodeId,
    nation,
    registry,
    guard: o.guard ?? createGuard(registry),
    onRefused: (r) => {
      void audit
        .append('write.refused', r.actor.identity, { code: r.code, op: 'write', path: 'coordination', kind: r.actor.kind, collection: r.collection, ...(r.id !== undefined ? { id: r.id } : {}) })
        .catch(reportError);
    },
  });

  async function commit(docs: readonly Admitted<DocPut>[], entries: AuditDraft[], info: ChangeInfo = { remote: false }): Promise<Doc[]> {
    const touchesPosture = docs.some((d) => d.collection === COL.proposal || d.collection === COL.ack);
    // A baseline first, so the change this commit makes is seen (and audited) as a change.
    if (touchesPosture && lastPhases === undefined) await refreshPhases();
    const { versions } = await store.commit({ docs, audit: entries, chain: chainAudit });
    const at = now();
    const written = docs.map((d, i): Doc => ({ collection: d.collection, id: d.id, version: versions[i]!, label: d.label, body: d.body, updatedAt: at }));
    for (const doc of written) {
      for (const fn of changeListeners) {
        try {
          fn(doc, info);
        } catch (err) {
          reportError(err);
        }
      }
    }
    if (touchesPosture) await refreshPhases();
    return written;
  }

  async function listAll<B>(collection: string, where?: Record<string, string>): Promise<Doc<B>[]> {
    const out: Doc<B>[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.listDocs<B>(collection, { limit: 1000, ...(where ? { where } : {}), ...(after ? { after } : {}) });
      out.push(...page);
      if (page.length < 1000) return out;
      after = page[page.length - 1]!.id;
    }
  }

  async function bundle(request: Doc<RequestBody>): Promise<RequestBundle> {
    const [concurrences, comments] = await Promise.all([
      listAll<ConcurrenceBody>(COL.concurrence, { requestId: request.id }),
      listAll<CommentBody>(COL.comment, { requestId: request.id }),
    ]);
    comments.sort((a, b) => (a.body.at < b.body.at ? -1 : a.body.at > b.body.at ? 1 : a.id < b.id ? -1 : 1));
    const status = deriveStatus(request.body, concurrences.map((c) => c.body));
    return { request, concurrences, comments, status, label: request.label };
  }

  function findRequest(id: string): Promise<Doc<RequestBody> | undefined> {
    return store.getDoc<RequestBody>(COL.request, parse(Id, id, 'id'));
  }

  async function loadRequest(id: string): Promise<Doc<RequestBody>> {
    const doc = await findRequest(id);
    if (!doc) throw new KizunaError('NOT_FOUND');
    return doc;
  }

  // ---- posture ------------------------------------------------------------------------------------

  async function posture(): Promise<PostureDoc> {
    const [proposals, acks] = await Promise.all([listAll<ProposalBody>(COL.proposal), listAll<AckBody>(COL.ack)]);
    return derivePosture(
      [nation, ...allies],
      proposals.map((p) => p.body),
      acks.map((a) => a.body),
    );
  }

  let lastPhases: Map<string, Phase> | undefined;
  let phaseQueue: Promise<void> = Promise.resolve();
  /** Serialised so listeners see phase changes once and in order. */
  function refreshPhases(replayTo?: PhaseListener): Promise<void> {
    phaseQueue = phaseQueue
      .catch(() => undefined)
      .then(async () => {
        const p = await posture();
        const first = lastPhases === undefined;
        const prev = lastPhases ?? new Map<string, Phase>();
        lastPhases = new Map(Object.entries(p.phases));
        for (const [n, phase] of lastPhases) {
          const changed = prev.get(n) !== phase;
          if (first || changed) {
            if (!first) await audit.append('posture.phase_changed', o.nodeId, { nation: n, phase, alliance: p.alliance });
            for (const fn of phaseListeners) {
              try {
                fn(n, phase);
              } catch (err) {
                reportError(err);
              }
            }
          } else if (replayTo) {
            replayTo(n, phase);
          }
        }
      });
    return phaseQueue;
  }

  const applyRemote = createInbound({ nation, store, registry, audit, authority, commit });

  // ---- the service ----------------------------------------------------------------------------------

  const svc: Coordination = {
    nation,
    requestView,
    calendarView,
    chatView,
    postureView,

    async createRequest(user, input) {
      requireRole(user, 'operator');
      const i = parse(RequestInputSchema, input, 'request');
      const nations = [...new Set([nation, ...i.nations])].sort();
      const t = now();
      const label = labelFromInput(registry, { nation, input: i.label, defaultRelTo: nations, audience: user.audience, now: t });
      const id = newId(nation, t);
      const body: RequestBody = {
        owner: nation,
        rev: 1,
        id,
        kind: i.kind,
        title: i.title,
        description: i.description,
        requester: user.username,
        nations,
        priority: i.priority,
        stage: 'draft',
        round: 0,
        createdAt: new Date(t).toISOString(),
      };
      if (i.area) body.area = i.area;
      if (i.window) body.window = i.window;
      if (i.deadline) body.deadline = i.deadline;
      if (i.attachments?.length) body.attachments = i.attachments;
      const [doc] = await commit(
        [authority.byUser(user, undefined, { collection: COL.request, id, label, body, expectedVersion: 0 })],
        [audit.draft('request.created', user.username, { id, kind: i.kind, nations, classification: label.classification })],
      );
      return bundle(doc as Doc<RequestBody>);
    },

    async getRequest(id) {
      if (!Id.safeParse(id).success) return undefined;
      const doc = await store.getDoc<RequestBody>(COL.request, id);
      return doc ? bundle(doc) : undefined;
    },

    async listRequests(q = {}) {
      const query = parse(ListQuery, q, 'query');
      const out: RequestBundle[] = [];
      let after = query.after;
      const page = Math.max(query.limit, 50);
      for (;;) {
        const docs = await store.listDocs<RequestBody>(COL.request, {
          limit: page,
          ...(query.kind ? { where: { kind: query.kind } } : {}),
          ...(after !== undefined ? { after } : {}),
        });
        for (const d of docs) {
          const b = await bundle(d);
          if (query.status && b.status !== query.status) continue;
          out.push(b);
          if (out.length === query.limit) return out;
        }
        if (docs.length < page) return out;
        after = docs[docs.length - 1]!.id;
      }
    },

    async act(user, id, action, comment) {
      if (!(ACTIONS as readonly string[]).includes(action)) throw new KizunaError('BAD_REQUEST', 'unknown action');
      requireRole(user, ACTION_ROLE[action]);
      const text = comment === undefined ? undefined : parse(CommentText, comment, 'comment');
      const req = authority.visibleOrMissing(await findRequest(id), user);
      const r = req.body;
      if (ORIGINATOR_ACTIONS.has(action)) {
        if (r.owner !== nation) throw new KizunaError('FORBIDDEN', `only ${r.owner} may ${action} this request`);
      } else if (!r.nations.includes(nation)) {
        throw new KizunaError('FORBIDDEN', `${nation} is not a party to this request`);
      }
      const before = await bundle(req);
      const problem = transitionError(action, nation, r, before.concurrences.map((c) => c.body));
      if (problem) throw new KizunaError('CONFLICT', problem);
      const at = iso();
      const docs: Admitted<DocPut>[] = [];
      if (ORIGINATOR_ACTIONS.has(action)) {
        const next: RequestBody = { ...r, rev: r.rev + 1 };
        if (action === 'submit') {
          next.stage = 'submitted';
          next.round = r.round + 1;
          delete next.escalated; // a new round gets its deadline afresh
        } else next.stage = action === 'execute' ? 'in_execution' : 'closed';
        docs.push(authority.byUser(user, req, { collection: COL.request, id: r.id, label: req.label, body: next, expectedVersion: req.version }));
        if (text !== undefined) docs.push(commentPut(r.id, req.label, user, text, at));
      } else {
        const cid = `${r.id}:${nation}`;
        const mine = before.concurrences.find((c) => c.id === cid);
        const body: ConcurrenceBody = {
          owner: nation,
          rev: (mine?.body.rev ?? 0) + 1,
          requestId: r.id,
          round: r.round,
          decision: action as ConcurrenceBody['decision'],
          by: user.username,
          at,
        };
        if (text !== undefined) body.comment = text;
        // A decision is as sensitive as what it approves, and labelled by the nation that decides.
        const label = authority.ownLabelOver(req.label);
        docs.push(authority.byUser(user, mine, { collection: COL.concurrence, id: cid, label, body, expectedVersion: mine?.version ?? 0 }));
      }
      await commit(docs, [
        audit.draft(`request.${action}`, user.username, { id: r.id, nation, round: action === 'submit' ? r.round + 1 : r.round, from: before.status }),
      ]);
      return bundle(await loadRequest(r.id));
    },

    async comment(user, id, text) {
      requireRole(user, 'operator');
      const t = parse(CommentText, text, 'comment');
      const req = authority.visibleOrMissing(await findRequest(id), user);
      if (!req.body.nations.includes(nation)) throw new KizunaError('FORBIDDEN', `${nation} is not a party to this request`);
      if (req.body.stage === 'closed') throw new KizunaError('CONFLICT', 'request is closed');
      const put = commentPut(req.id, req.label, user, t, iso());
      await commit([put], [audit.draft('request.comment', user.username, { id: req.id, comment: put.id })]);
      return bundle(req);
    },

    async createCalendarEvent(user, input) {
      requireRole(user, 'operator');
      const i = parse(CalendarInputSchema, input, 'calendar event');
      const participants = [...new Set([nation, ...i.participants])].sort();
      const t = now();
      const label = labelFromInput(registry, { nation, input: i.label, defaultRelTo: participants, audience: user.audience, now: t });
      const id = newId(nation, t);
      const body: CalendarBody = { owner: nation, rev: 1, id, title: i.title, start: i.start, end: i.end, participants, by: user.username };
      if (i.area) body.area = i.area;
      const [doc] = await commit(
        [authority.byUser(user, undefined, { collection: COL.calendar, id, label, body, expectedVersion: 0 })],
        [audit.draft('calendar.created', user.username, { id, participants })],
      );
      return doc as Doc<CalendarBody>;
    },

    async listCalendar(q = {}) {
      const query = parse(PageQuery, q, 'query');
      const docs = await store.listDocs<CalendarBody>(COL.calendar, { limit: query.limit, ...(query.after ? { after: query.after } : {}) });
      return docs.sort((a, b) => (a.body.start < b.body.start ? -1 : a.body.start > b.body.start ? 1 : 0));
    },

    chatRooms: () => rooms.map((r) => ({ ...r })),

    async postChat(user, room, text, labelInput) {
      requireRole(user, 'operator');
      if (!rooms.some((r) => r.id === room)) throw new KizunaError('NOT_FOUND');
      const t = parse(ChatText, text, 'chat');
      const li = labelInput === undefined ? undefined : parse(LabelInputSchema, labelInput, 'label');
      const at = now();
      const label = labelFromInput(registry, { nation, input: li, defaultRelTo: [nation, ...allies], audience: user.audience, now: at });
      const id = timeFirstId(nation, at);
      const body: ChatBody = { owner: nation, rev: 1, id, room, from: user.username, text: t, at: new Date(at).toISOString() };
      const [doc] = await commit(
        [authority.byUser(user, undefined, { collection: COL.chat, id, label, body, expectedVersion: 0 })],
        [audit.draft('chat.posted', user.username, { id, room })],
      );
      return doc as Doc<ChatBody>;
    },

    async listChat(room, q = {}) {
      if (!rooms.some((r) => r.id === room)) throw new KizunaError('NOT_FOUND');
      const query = parse(PageQuery, q, 'query');
      return store.listDocs<ChatBody>(COL.chat, { where: { room }, limit: query.limit, ...(query.after ? { after: query.after } : {}) });
    },

    posture,

    async proposePhase(user, phase) {
      requireRole(user, 'coordinator');
      const p = parse(z.enum(PHASES), phase, 'phase');
      const t = now();
      const current = await posture();
      if (current.phases[nation] === p && current.pending?.nation !== nation) throw new KizunaError('CONFLICT', `already in ${p}`);
      const id = newId(nation, t);
      const label = labelFromInput(registry, { nation, defaultRelTo: [nation, ...allies], audience: user.audience, now: t });
      const body: ProposalBody = { owner: nation, rev: 1, id, phase: p, by: user.username, at: new Date(t).toISOString(), awaiting: [...allies] };
      await commit(
        [authority.byUser(user, undefined, { collection: COL.proposal, id, label, body, expectedVersion: 0 })],
        [audit.draft('posture.proposed', user.username, { id, nation, phase: p, awaiting: allies })],
      );
      return posture();
    },

    async ackPhase(user, proposalId) {
      requireRole(user, 'coordinator');
      const pid = parse(Id, proposalId, 'proposal id');
      const prop = authority.visibleOrMissing(await store.getDoc<ProposalBody>(COL.proposal, pid), user);
      if (prop.body.owner === nation) throw new KizunaError('FORBIDDEN', 'a nation does not acknowledge its own proposal');
      if (!prop.body.awaiting.includes(nation)) throw new KizunaError('FORBIDDEN', `${nation} is not asked to acknowledge`);
      const current = await posture();
      if (current.pending?.id !== pid) {
        // Either already effective (acked) or superseded by a newer proposal of that nation.
        const sameNation = (await listAll<ProposalBody>(COL.proposal)).filter((d) => d.body.owner === prop.body.owner);
        const newest = sameNation.reduce((a, b) => (b.body.at > a.body.at || (b.body.at === a.body.at && b.id > a.id) ? b : a));
        if (newest.id !== pid) throw new KizunaError('CONFLICT', 'proposal was superseded');
      }
      const id = `${pid}:${nation}`;
      if (await store.getDoc(COL.ack, id)) throw new KizunaError('CONFLICT', 'already acknowledged');
      const body: AckBody = { owner: nation, rev: 1, proposalId: pid, by: user.username, at: iso() };
      await commit(
        [authority.byUser(user, undefined, { collection: COL.ack, id, label: authority.ownLabelOver(prop.label), body, expectedVersion: 0 })],
        [audit.draft('posture.acknowledged', user.username, { proposalId: pid, nation: prop.body.owner, phase: prop.body.phase })],
      );
      return posture();
    },

    async checkDeadlines() {
      const t = now();
      for (const d of await listAll<RequestBody>(COL.request, { owner: nation, stage: 'submitted' })) {
        const r = d.body;
        if (!r.deadline || r.escalated || Date.parse(r.deadline) > t) continue;
        const b = await bundle(d);
        if (b.status !== 'submitted' && b.status !== 'in_review') continue;
        const pending = r.nations.filter((n) => !b.concurrences.some((c) => c.body.owner === n && c.body.round === r.round && c.body.decision !== 'review'));
        try {
          await commit(
            [authority.byNode(d, { collection: COL.request, id: r.id, label: d.label, body: { ...r, rev: r.rev + 1, escalated: true }, expectedVersion: d.version })],
            [audit.draft('request.escalated', o.nodeId, { id: r.id, deadline: r.deadline, pending })],
          );
        } catch (err) {
          // Someone changed the request meanwhile: the next tick looks again.
          if (!(err instanceof KizunaError && err.code === 'CONFLICT')) throw err;
        }
      }
    },

    applyRemote,

    notifySibling(doc, info) {
      for (const fn of changeListeners) {
        try {
          fn(doc, { ...info, sibling: true });
        } catch (err) {
          reportError(err);
        }
      }
      if (doc.collection === COL.proposal || doc.collection === COL.ack) void refreshPhases().catch(reportError);
    },

    onChange(fn) {
      changeListeners.add(fn);
      return () => changeListeners.delete(fn);
    },

    onPhase(fn) {
      phaseListeners.add(fn);
      // A new listener learns the current phases (the node applies them to the guard at start-up).
      void refreshPhases(fn).catch(reportError);
      return () => phaseListeners.delete(fn);
    },
  };

  /** A comment is this nation's own document about the request: labelled by this nation, at least as protective. */
  function commentPut(requestId: string, label: SecurityLabel, user: SessionUser, text: string, at: string): Admitted<DocPut> {
    const id = `${requestId}:${nation}:${timeFirstId(nation, Date.parse(at))}`;
    const body: CommentBody = { owner: nation, rev: 1, requestId, by: user.username, at, text };
    return authority.byUser(user, undefined, { collection: COL.comment, id, label: authority.ownLabelOver(label), body, expectedVersion: 0 });
  }

  return svc;
}
