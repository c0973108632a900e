import {
  admit,
  audienceFor,
  authorityContext,
  combineLabels,
  originatorOfPeer,
  type Admitted,
  type AuthorityContext,
  type ExistingObject,
  type PolicyRegistry,
  type WriteActor,
  type WriteRefusal,
} from '../labels/index.js';
import type { Audience, Decision, SecurityLabel } from '../labels/types.js';
import type { Doc, DocPut } from '../store/types.js';
import { KizunaError } from '../util/errors.js';
import { COL } from './model.js';
import type { SessionUser } from './users.js';

/**
 * Coordination documents through the write authority (docs/write-authority.md, "Coordination documents").
 * A document is held by its nation: a local document by the user who wrote it (its body names them), a
 * partner's replica by the partner's node. The workflow (src/coordination/workflow.ts) decides which role
 * may take which step; this decides whether the writer may touch the object and with which label.
 */

const MODERATOR_ROLES = new Set(['coordinator', 'administrator']);

/** The same identities the CoT pipeline uses (src/pipeline/actors.ts), so a user is one writer everywhere. */
export function userWriter(u: SessionUser): WriteActor {
  return { kind: 'user', identity: `user:${u.username}`, nation: u.nation, audience: u.audience, moderator: MODERATOR_ROLES.has(u.role) };
}

/** Who wrote a local document: the body names the user (requester, author, decider). */
function authorOf(collection: string, body: Record<string, unknown>): string | undefined {
  const name = collection === COL.request ? body.requester : collection === COL.chat ? body.from : body.by;
  return typeof name === 'string' ? name : undefined;
}

/** The authority's view of a stored document. */
export function heldBy(doc: Doc<{ owner: string }>, nation: string): ExistingObject {
  const owner = doc.body.owner;
  if (owner !== nation) return { label: doc.label, originator: originatorOfPeer(owner), origin: owner };
  const author = authorOf(doc.collection, doc.body as unknown as Record<string, unknown>);
  // no author in the body: the nation's writers may continue it (the pre-authority rule)
  return { label: doc.label, originator: author === undefined ? '' : `user:${author}`, origin: owner };
}

export interface DocAuthorityOptions {
  nodeId: string;
  nation: string;
  registry: PolicyRegistry;
  guard: { decide(label: SecurityLabel, audience: Audience): Decision };
  /** every refusal (audit) */
  onRefused(r: { actor: WriteActor; code: WriteRefusal; collection: string; id?: string }): void;
}

export interface DocAuthority {
  readonly ctx: AuthorityContext;
  /** a document the user may not see answers exactly like a missing one */
  visibleOrMissing<D extends Doc>(doc: D | undefined, user: SessionUser): D;
  /** a local user's write (create when `existing` is undefined) */
  byUser(user: SessionUser, existing: Doc | undefined, put: DocPut): Admitted<DocPut>;
  /** the node acting for its nation on its own documents (deadline escalation) */
  byNode(existing: Doc, put: DocPut): Admitted<DocPut>;
  /**
   * a partner node's document, after schema and id checks; `relayed`: sent by `fromNation` on behalf of its
   * owner, whose binding the federation boundary verified (the same rule as relayed tracks)
   */
  byPeer(fromNation: string, peerAudience: Audience, existing: Doc | undefined, put: DocPut, relayed?: boolean): { ok: true; put: Admitted<DocPut> } | { ok: false; code: WriteRefusal };
  /**
   * The label of this nation's own document about another object (a decision, comment or acknowledgement):
   * at least as protective as that object's label, but in this node's policy and owned by this nation, since
   * nobody writes a label naming another nation as owner.
   */
  ownLabelOver(label: SecurityLabel): SecurityLabel;
}

export function createDocAuthority(o: DocAuthorityOptions): DocAuthority {
  const ctx = authorityContext(o.registry, o.nation, o.guard);
  const nodeActor = (): WriteActor => ({
    kind: 'node',
    identity: `node:${o.nodeId}`,
    nation: o.nation,
    audience: audienceFor(o.registry, { nation: o.nation }),
    moderator: true,
  });

  function decideFor(actor: WriteActor, existing: Doc | undefined, put: DocPut, origin: string, relayed = false) {
    return admit(
      ctx,
      actor,
      existing ? heldBy(existing as Doc<{ owner: string }>, o.nation) : undefined,
      { op: 'write', label: put.label, defaultLabel: put.label, origin, ...(relayed ? { relayed } : {}) },
      (label): DocPut => ({ ...put, label }),
    );
  }

  function local(actor: WriteActor, existing: Doc | undefined, put: DocPut): Admitted<DocPut> {
    const r = decideFor(actor, existing, put, o.nation);
    if (r.ok) return r.value;
    o.onRefused({ actor, code: r.code, collection: put.collection, ...(r.visible || !existing ? { id: put.id } : {}) });
    // refused and missing look the same: a hidden object answers like a missing one, anything else alike
    if (existing && !r.visible) throw new KizunaError('NOT_FOUND');
    throw new KizunaError('FORBIDDEN', 'write refused', { cause: r.code });
  }

  return {
    ctx,
    visibleOrMissing(doc, user) {
      if (!doc || !ctx.decide(doc.label, user.audience)) throw new KizunaError('NOT_FOUND');
      return doc;
    },
    byUser: (user, existing, put) => local(userWriter(user), existing, put),
    byNode: (existing, put) => local(nodeActor(), existing, put),
    byPeer(fromNation, peerAudience, existing, put, relayed) {
      const actor: WriteActor = { kind: 'peer', identity: `peer:${fromNation}`, nation: fromNation, audience: peerAudience };
      const owner = (put.body as { owner: string }).owner;
      const r = decideFor(actor, existing, put, owner, relayed);
      // the caller audits a peer's refusal as `federation.rejected` with the code as reason
      return r.ok ? { ok: true, put: r.value } : { ok: false, code: r.code };
    },
    ownLabelOver(label) {
      if (label.owner === o.nation && label.policy === ctx.policy) return label;
      return combineLabels(o.registry, [label], { policy: ctx.policy, owner: o.nation });
    },
  };
}
