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
import { beginCreate, listAll as listAllOf, requireRole as requireRoleOf, type CoordinationCore } from './core.js';
import { Id, PageQuery, parse } from './input.js';
import { createRequests } from './requests.js';
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
  /** Edit an event of this nation: its author, or a coordinator of the nation; the label stays (no widening). */
  updateCalendarEvent(user: SessionUser, id: string, input: CalendarInput): Promise<Doc<CalendarBody>>;
  listCalendar(q?: { after?: string; limit?: number }): Promise<Doc<CalendarBody>[]>;
  chatRooms(): { id: string; name: string }[];
  postChat(user: SessionUser, room: string, text: string, label?: LabelInput): Promise<Doc<ChatBody>>;
  listChat(room: string, q?: { after?: string; limit?: number }): Promise<Doc<ChatBody>[]>;
  posture(): Promise<PostureDoc>;
  proposePhase(user: SessionUser, phase: Phase): Promise<PostureDoc>;
  ackPhase(user: SessionUser, proposalId: string): Promise<PostureDoc>;
  checkDeadlines(): Promise<void>;
  /** a partner's document (`originNation`: relayed, the originator's binding verified); true when stored */
  applyRemote(doc: Doc, fromNation: string, originNation?: string): Promise<boolean>;
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

  const requireRole = (user: SessionUser, min: Role) => requireRoleOf(nation, user, min);

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

  const listAll = <B>(collection: string, where?: Record<string, string>) => listAllOf<B>(store, collection, where);

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
  const core: CoordinationCore = { nation, nodeId: o.nodeId, store, registry, audit, authority, now, iso, commit, listAll, requireRole };
  const requests = createRequests(core);

  // ---- the service ----------------------------------------------------------------------------------

  const svc: Coordination = {
    nation,
    requestView,
    calendarView,
    chatView,
    postureView,

    ...requests,
    async createCalendarEvent(user, input) {
      const what = { schema: CalendarInputSchema, value: input, what: 'calendar event' };
      const { i, nations: participants, label, id } = beginCreate(core, user, what, (e) => e.participants);
      const body: CalendarBody = { owner: nation, rev: 1, id, title: i.title, start: i.start, end: i.end, participants, by: user.username };
      if (i.area) body.area = i.area;
      const [doc] = await commit(
        [authority.byUser(user, undefined, { collection: COL.calendar, id, label, body, expectedVersion: 0 })],
        [audit.draft('calendar.created', user.username, { id, participants })],
      );
      return doc as Doc<CalendarBody>;
    },

    async updateCalendarEvent(user, id, input) {
      requireRole(user, 'operator');
      const i = parse(CalendarInputSchema, input, 'calendar event');
      // hidden answers like missing; the authority refuses a partner's event and another author's (unless coordinator)
      const doc = authority.visibleOrMissing(await store.getDoc<CalendarBody>(COL.calendar, parse(Id, id, 'id')), user);
      const participants = [...new Set([nation, ...i.participants])].sort();
      const body: CalendarBody = { ...doc.body, rev: doc.body.rev + 1, title: i.title, start: i.start, end: i.end, participants };
      if (i.area) body.area = i.area;
      const [written] = await commit(
        [authority.byUser(user, doc, { collection: COL.calendar, id: doc.id, label: doc.label, body, expectedVersion: doc.version })],
        [audit.draft('calendar.updated', user.username, { id: doc.id, participants })],
      );
      return written as Doc<CalendarBody>;
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

  return svc;
}
