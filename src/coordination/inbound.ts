import { audienceFor, type PolicyRegistry } from '../labels/index.js';
import type { SecurityLabel } from '../labels/types.js';
import type { Admitted } from '../labels/index.js';
import type { AuditDraft, Doc, DocPut, Store } from '../store/types.js';
import { KizunaError } from '../util/errors.js';
import type { AuditLog } from './audit.js';
import type { DocAuthority } from './doc-authority.js';
import { BODY_SCHEMAS, COL, FEDERATED_COLLECTIONS } from './model.js';
import type { ChangeInfo } from './service.js';

export interface InboundDeps {
  nation: string;
  store: Store;
  registry: PolicyRegistry;
  audit: AuditLog;
  authority: DocAuthority;
  commit(docs: readonly Admitted<DocPut>[], entries: AuditDraft[], info: ChangeInfo): Promise<unknown>;
}

/**
 * A partner's document, as federation delivers it: collection, id, schema and label are checked, then the
 * write authority decides (a peer writes only its own nation's documents, under labels its nation owns, and
 * changes only what its node created). Every refusal is audited as `federation.rejected` with its reason.
 *
 * `originNation` is given when the document was relayed by `fromNation` and the federation boundary
 * verified the originator's own binding: the document is then judged as the originator's (its owner must
 * be that nation), and the relay is recorded as `via`. Resolves true when the document was stored (new or
 * newer), false when it was a duplicate, a stale revision or our own echo: only the former is relayed on.
 */
export type ApplyRemote = (doc: Doc, fromNation: string, originNation?: string) => Promise<boolean>;

export function createInbound(d: InboundDeps): ApplyRemote {
  const { nation, store, registry, audit, authority } = d;

  async function reject(doc: Doc, fromNation: string, reason: string): Promise<never> {
    const collection = typeof doc?.collection === 'string' ? doc.collection.slice(0, 64) : '?';
    const id = typeof doc?.id === 'string' ? doc.id.slice(0, 200) : '?';
    await audit.append('federation.rejected', String(fromNation).slice(0, 16), { collection, id, from: fromNation, reason });
    throw new KizunaError('FED_REJECTED', reason);
  }

  return async function applyRemote(doc: Doc, fromNation: string, originNation?: string): Promise<boolean> {
    const relayed = originNation !== undefined && originNation !== fromNation;
    const writer = relayed ? originNation : fromNation;
    if (!doc || typeof doc !== 'object' || !(FEDERATED_COLLECTIONS as readonly string[]).includes(doc.collection)) {
      return reject(doc, fromNation, 'collection');
    }
    if (typeof doc.id !== 'string' || doc.id.length === 0 || doc.id.length > 200) return reject(doc, fromNation, 'id');
    const schema = BODY_SCHEMAS[doc.collection as keyof typeof BODY_SCHEMAS];
    const parsed = schema.safeParse(doc.body);
    if (!parsed.success) return reject(doc, fromNation, 'schema');
    const body = parsed.data as { owner: string; rev: number } & Record<string, unknown>;
    let label: SecurityLabel;
    try {
      label = registry.validate(doc.label);
    } catch {
      return reject(doc, fromNation, 'label');
    }
    if (!idMatchesOwner(doc.collection, doc.id, body)) return reject(doc, fromNation, 'id-owner');
    let peerAudience;
    try {
      peerAudience = audienceFor(registry, { nation: fromNation });
    } catch {
      return reject(doc, fromNation, 'peer');
    }
    // Two links may deliver the same doc at once: the loser of the optimistic write looks again.
    for (let attempt = 0; ; attempt++) {
      const existing = await store.getDoc<{ owner: string; rev: number }>(doc.collection, doc.id);
      if (body.owner !== writer) {
        // Our own doc echoed back unchanged is harmless; anything else is a forgery.
        if (body.owner === nation && existing && existing.body.owner === nation && body.rev <= existing.body.rev) return false;
        return reject(doc, fromNation, 'owner');
      }
      if (existing && existing.body.owner === body.owner && existing.body.rev >= body.rev) return false; // duplicate or stale: idempotent
      const put = { collection: doc.collection, id: doc.id, label, body, expectedVersion: existing?.version ?? 0 };
      const r = authority.byPeer(fromNation, peerAudience, existing, put, relayed);
      if (!r.ok) return reject(doc, fromNation, existing && existing.body.owner !== body.owner ? 'owner-change' : r.code);
      try {
        await d.commit(
          [r.put],
          [audit.draft(`remote.${doc.collection}`, fromNation, { id: doc.id, owner: body.owner, rev: body.rev, ...(relayed ? { via: fromNation } : {}), ...remoteSummary(doc.collection, body) })],
          { remote: true, from: fromNation },
        );
        return true;
      } catch (err) {
        if (!(err instanceof KizunaError && err.code === 'CONFLICT') || attempt >= 3) throw err;
      }
    }
  };
}

/** The id of some docs encodes their single owner; a peer cannot claim a slot of another nation. */
function idMatchesOwner(collection: string, id: string, body: { owner: string } & Record<string, unknown>): boolean {
  switch (collection) {
    case COL.concurrence:
      return id === `${String(body.requestId)}:${body.owner}`;
    case COL.ack:
      return id === `${String(body.proposalId)}:${body.owner}`;
    case COL.comment:
      return id.startsWith(`${String(body.requestId)}:${body.owner}:`);
    case COL.chat:
      return body.id === id && id.split('-')[1] === body.owner;
    default:
      return body.id === id && id.startsWith(`${body.owner}-`);
  }
}

/** What the audit keeps of a remote change: ids and decisions, never free text. */
function remoteSummary(collection: string, b: Record<string, unknown>): Record<string, unknown> {
  if (collection === COL.concurrence) return { requestId: b.requestId, round: b.round, decision: b.decision, by: b.by };
  if (collection === COL.request) return { stage: b.stage, round: b.round };
  if (collection === COL.proposal) return { phase: b.phase };
  if (collection === COL.ack) return { proposalId: b.proposalId, by: b.by };
  return {};
}
