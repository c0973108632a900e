import { KizunaError } from '../util/errors.js';
import type { Admitted } from '../labels/index.js';
import type { SecurityLabel } from '../labels/types.js';
import type { Doc, DocPut } from '../store/types.js';
import { timeFirstId } from './ids.js';
import { COL, CommentText, RequestInputSchema, type CommentBody, type ConcurrenceBody, type RequestBody, type RequestBundle } from './model.js';
import { ListQuery, Id, parse } from './input.js';
import type { Coordination } from './service.js';
import { beginCreate, type CoordinationCore } from './core.js';
import type { SessionUser } from './users.js';
import { ACTIONS, ACTION_ROLE, ORIGINATOR_ACTIONS, deriveStatus, transitionError } from './workflow.js';

type RequestService = Pick<Coordination, 'createRequest' | 'getRequest' | 'listRequests' | 'act' | 'comment' | 'checkDeadlines'>;

/**
 * Requests and their per-nation concurrence: the originator's request document, each nation's own decision
 * and comment documents, every write through the write authority (src/coordination/doc-authority.ts).
 */
export function createRequests(c: CoordinationCore): RequestService {
  const { nation, nodeId, store, audit, authority, now, iso, commit, listAll, requireRole } = c;

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


  return {
    async createRequest(user, input) {
      const { i, nations, t, label, id } = beginCreate(c, user, { schema: RequestInputSchema, value: input, what: 'request' }, (r) => r.nations);
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
            [audit.draft('request.escalated', nodeId, { id: r.id, deadline: r.deadline, pending })],
          );
        } catch (err) {
          // Someone changed the request meanwhile: the next tick looks again.
          if (!(err instanceof KizunaError && err.code === 'CONFLICT')) throw err;
        }
      }
    },


  };

  /** A comment is this nation's own document about the request: labelled by this nation, at least as protective. */
  function commentPut(requestId: string, label: SecurityLabel, user: SessionUser, text: string, at: string): Admitted<DocPut> {
    const id = `${requestId}:${nation}:${timeFirstId(nation, Date.parse(at))}`;
    const body: CommentBody = { owner: nation, rev: 1, requestId, by: user.username, at, text };
    return authority.byUser(user, undefined, { collection: COL.comment, id, label: authority.ownLabelOver(label), body, expectedVersion: 0 });
  }

}
