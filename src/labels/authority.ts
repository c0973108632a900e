import { KizunaError } from '../util/errors.js';
import type { Admitted } from './admitted.js';
import { MULTI_OWNER, type PolicyRegistry } from './registry.js';
import type { Audience, SecurityLabel } from './types.js';

/**
 * The write authority: who may create, update, delete or re-label what (docs/write-authority.md, and the
 * README's "Write authority" section). Every way into a node asks `admit()`; only it produces `Admitted<T>`.
 * Pure: no I/O, no clock (the caller passes `now`), so the property test can drive it directly.
 */

/** Who is writing. `identity` is stable across reconnects: it decides who may update an object later. */
export interface WriteActor {
  /** client: a TAK connection; user: a REST/Marti user; peer: a federated node; node: this node's own sources */
  kind: 'client' | 'user' | 'peer' | 'node';
  /** 'cert:<serial>', 'anon:<nation>', 'user:<name>', 'peer:<nation>', 'node:<id>', 'feed:<id>' */
  identity: string;
  nation: string;
  audience: Audience;
  /**
   * users: the role the owning node grants moderation to (coordinator and above); node: the node acting for
   * its nation on its own objects (e.g. escalating an overdue request). Never set for clients or peers.
   */
  moderator?: boolean;
}

/** The object as the node holds it now (a tombstone keeps its owner and originator). */
export interface ExistingObject {
  label: SecurityLabel;
  /** identity that created it (see WriteActor.identity) */
  originator: string;
  /** origin node id */
  origin: string;
  tombstone?: boolean;
}

export interface IncomingWrite {
  op: 'write' | 'delete' | 'relabel';
  /** undefined: unlabelled input (an update keeps the object's label, a create gets `defaultLabel`) */
  label: SecurityLabel | undefined;
  defaultLabel: SecurityLabel;
  /** origin node id claimed for the object (peers: the object's origin; local actors: this node) */
  origin: string;
  /**
   * peers: the object reached us through another node AND the boundary verified its originator's own binding
   * (the owner released it to us); only then may a peer write an object its nation does not own
   */
  relayed?: boolean;
}

export interface AuthorityContext {
  registry: PolicyRegistry;
  /** this node's nation and policy: the node, never the input, decides them for local writers */
  nation: string;
  policy: string;
  decide(label: SecurityLabel, audience: Audience): boolean;
  /** the label is valid under its policy (memoised per label object by `authorityContext`) */
  valid?(label: SecurityLabel): boolean;
}

/** Reason codes for audit and logs. Every refusal is answered to the actor the same way (FORBIDDEN). */
export const WriteRefusal = {
  LABEL_INVALID: 'WRITE_LABEL_INVALID',
  POLICY: 'WRITE_FOREIGN_POLICY',
  OWNER: 'WRITE_OWNER_CLAIM',
  CLEARANCE: 'WRITE_ABOVE_CLEARANCE',
  NOT_HOLDER: 'WRITE_NOT_HOLDER',
  WIDEN: 'WRITE_WIDENS_LABEL',
  RELABEL_ROLE: 'WRITE_RELABEL_ROLE',
} as const;
export type WriteRefusal = (typeof WriteRefusal)[keyof typeof WriteRefusal];

export type AdmitResult<T> =
  | { ok: true; value: Admitted<T>; label: SecurityLabel; originator: string }
  | { ok: false; code: WriteRefusal; /** the actor may see the object named by the write (audit may name it) */ visible: boolean };

/**
 * Decides one write. `build(label, originator)` makes the value to store once the decision is yes, so the
 * brand can only be put on what was decided.
 */
export function admit<T>(
  ctx: AuthorityContext,
  actor: WriteActor,
  existing: ExistingObject | undefined,
  incoming: IncomingWrite,
  build: (label: SecurityLabel, originator: string) => T,
): AdmitResult<T> {
  const seen = existing !== undefined && !existing.tombstone && ctx.decide(existing.label, actor.audience);
  const refuse = (code: WriteRefusal): AdmitResult<T> => ({ ok: false, code, visible: seen });

  if (incoming.op === 'delete') {
    // A delete names an object: missing, hidden and someone else's are one refusal.
    if (!existing || existing.tombstone || !seen || !mayModify(actor, existing, incoming)) return refuse(WriteRefusal.NOT_HOLDER);
    return accept(existing.label, existing.originator);
  }
  const label = incoming.label ?? (existing && !existing.tombstone ? existing.label : incoming.defaultLabel);
  const shape = checkShape(ctx, actor, label, incoming);
  if (shape) return refuse(shape);
  if (!ctx.decide(label, actor.audience)) return refuse(WriteRefusal.CLEARANCE);
  // A peer's object is held by its origin node, the identity its later updates and deletes are judged by.
  if (!existing) return accept(label, actor.kind === 'peer' ? originatorOfPeer(incoming.origin) : actor.identity);
  // Hidden or not, a uid someone else holds is refused exactly like a hidden one.
  if (!(existing.tombstone || seen) || !mayModify(actor, existing, incoming)) return refuse(WriteRefusal.NOT_HOLDER);
  // The origin node decided its own object's label (its re-labels included); the boundary re-checked it.
  if (actor.kind === 'peer') return accept(label, existing.originator);
  if (incoming.op === 'relabel') {
    if (actor.kind !== 'user' || !actor.moderator || existing.label.owner !== ctx.nation) return refuse(WriteRefusal.RELABEL_ROLE);
    return accept(label, existing.originator);
  }
  if (!existing.tombstone && label !== existing.label && !dominates(ctx.registry, label, existing.label)) return refuse(WriteRefusal.WIDEN);
  return accept(label, existing.originator);

  function accept(l: SecurityLabel, originator: string): AdmitResult<T> {
    return { ok: true, value: build(l, originator) as Admitted<T>, label: l, originator };
  }
}

/** Owner and policy of a label written by this actor. */
function checkShape(ctx: AuthorityContext, actor: WriteActor, label: SecurityLabel, incoming: IncomingWrite): WriteRefusal | undefined {
  if (!(ctx.valid ? ctx.valid(label) : ctx.registry.check(label).ok)) return WriteRefusal.LABEL_INVALID;
  if (actor.kind === 'peer') {
    // A federated object keeps its originator's label (policy included); the boundary checked our translation.
    // A peer never writes what this nation owns, and writes only its own nation's objects unless relaying.
    if (label.owner === ctx.nation || label.owner === MULTI_OWNER) return WriteRefusal.OWNER;
    if (!incoming.relayed && label.owner !== actor.nation) return WriteRefusal.OWNER;
    return undefined;
  }
  if (label.policy !== ctx.policy && !ctx.registry.policy(ctx.policy)?.file.alsoWrites.includes(label.policy)) return WriteRefusal.POLICY;
  if (actor.nation !== ctx.nation) return WriteRefusal.OWNER;
  // A combined label (e.g. a file share announcing a partner's file) is written by one of its contributors.
  const ownsPart = label.owner === MULTI_OWNER ? (label.contributors ?? []).includes(actor.nation) : label.owner === actor.nation;
  if (!ownsPart) return WriteRefusal.OWNER;
  return undefined;
}

/** Originator, a moderator of the owning nation, or (federation) the same origin node. */
function mayModify(actor: WriteActor, existing: ExistingObject, incoming: IncomingWrite): boolean {
  if (actor.kind === 'peer') {
    // rows stored before peers' objects were held by their origin node name the link's peer instead
    const holder = existing.originator === originatorOfPeer(incoming.origin) || existing.originator === `peer:${actor.nation}`;
    return existing.origin === incoming.origin && holder;
  }
  if (existing.originator === actor.identity) return true;
  // Rows stored before the authority existed name no originator: the nation that owns them may continue them.
  if (existing.originator === '' && existing.label.owner === actor.nation) return true;
  return (actor.kind === 'user' || actor.kind === 'node') && actor.moderator === true && existing.label.owner === actor.nation;
}

/**
 * A node's own bookkeeping (user accounts, sessions, the configuration digest, federation checkpoints): no
 * outside actor writes these, so the only rule is the node's own shape rule: in this node's policy, owned by
 * its nation. Anything else is a programming error and refused like any other write.
 */
export function admitNodeRecord<T extends { label: SecurityLabel }>(node: { nation: string; policy: string }, value: T): Admitted<T> {
  if (value.label.policy !== node.policy || value.label.owner !== node.nation) throw new KizunaError('FORBIDDEN', 'write refused', { cause: WriteRefusal.OWNER });
  return value as Admitted<T>;
}

/** Objects a peer writes are held by their origin node: only that node's later updates may change them. */
export function originatorOfPeer(originNode: string): string {
  return `node:${originNode}`;
}

/**
 * `a` is at least as protective as `b` (same policy): classification not lower, every restrictive value of
 * `b` kept, releasability (and every other permissive set) not wider. An update that is not must be an
 * explicit re-label.
 */
export function dominates(registry: PolicyRegistry, a: SecurityLabel, b: SecurityLabel): boolean {
  if (a.policy !== b.policy) return false;
  const def = registry.policy(a.policy);
  if (!def) return false;
  if (registry.rank(a.policy, a.classification) < registry.rank(b.policy, b.classification)) return false;
  const relTag = def.relTag;
  const cats = (l: SecurityLabel) => new Map(l.categories.map((c) => [c.tagSet, c]));
  const ca = cats(a);
  const cb = cats(b);
  for (const [tagSet, c] of cb) {
    if (c.type === 'restrictive') {
      const mine = new Set(ca.get(tagSet)?.values ?? []);
      if (c.values.some((v) => !mine.has(v))) return false;
    } else if (c.type === 'permissive' && tagSet !== relTag) {
      const mine = ca.get(tagSet);
      if (!mine || mine.values.some((v) => !c.values.includes(v))) return false;
    }
  }
  const rel = (l: SecurityLabel, m: Map<string, { values: string[] }>) => {
    const r = m.get(relTag);
    return registry.expandReleasability(l.policy, r ? r.values : l.owner === MULTI_OWNER ? [] : [l.owner]);
  };
  const ra = rel(a, ca);
  const rb = rel(b, cb);
  for (const v of ra) if (!rb.has(v)) return false;
  return true;
}

/** The authority's view of a node: its nation and policy, and the release decision it checks clearance with. */
export function authorityContext(
  registry: PolicyRegistry,
  nation: string,
  guard: { decide(label: SecurityLabel, audience: Audience): { allow: boolean } },
): AuthorityContext {
  // Labels on the hot path are interned, frozen objects: one validity check per distinct label object.
  const validity = new WeakMap<SecurityLabel, boolean>();
  const valid = (l: SecurityLabel): boolean => {
    let v = validity.get(l);
    if (v === undefined) {
      v = registry.check(l).ok;
      if (Object.isFrozen(l)) validity.set(l, v);
    }
    return v;
  };
  return { registry, nation, policy: registry.policyOf(nation), decide: (l, a) => guard.decide(l, a).allow, valid };
}
