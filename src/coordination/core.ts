import type { z } from 'zod';
import type { Admitted, PolicyRegistry } from '../labels/index.js';
import type { SecurityLabel } from '../labels/types.js';
import type { AuditDraft, Doc, DocPut, Store } from '../store/types.js';
import { KizunaError } from '../util/errors.js';
import type { AuditLog } from './audit.js';
import type { DocAuthority } from './doc-authority.js';
import { newId } from './ids.js';
import { parse } from './input.js';
import type { LabelInput, Role } from './model.js';
import { labelFromInput } from './registry.js';
import type { ChangeInfo } from './service.js';
import type { SessionUser } from './users.js';
import { roleAtLeast } from './workflow.js';

/** What the parts of the coordination service share: one store, one audit chain, one write authority. */
export interface CoordinationCore {
  nation: string;
  nodeId: string;
  store: Store;
  registry: PolicyRegistry;
  audit: AuditLog;
  authority: DocAuthority;
  now(): number;
  iso(): string;
  /** the one write: admitted puts and their audit entries, atomically; then the change listeners */
  commit(docs: readonly Admitted<DocPut>[], entries: AuditDraft[], info?: ChangeInfo): Promise<Doc[]>;
  listAll<B>(collection: string, where?: Record<string, string>): Promise<Doc<B>[]>;
  requireRole(user: SessionUser, min: Role): void;
}

/** A user of this node, acting for this node's nation, with at least `min`. */
export function requireRole(nation: string, user: SessionUser, min: Role): void {
  if (!user || typeof user !== 'object') throw new KizunaError('UNAUTHENTICATED');
  // Users of this node act for this node's nation only: a decision is always written by its own nation.
  if (user.nation !== nation) throw new KizunaError('FORBIDDEN', 'users act only for the nation of their node');
  if (!roleAtLeast(user.role, min)) throw new KizunaError('FORBIDDEN', `requires ${min}`);
}

/** Every document of a collection (optionally filtered), page by page. */
export async function listAll<B>(store: Store, collection: string, where?: Record<string, string>): Promise<Doc<B>[]> {
  const out: Doc<B>[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listDocs<B>(collection, { limit: 1000, ...(where ? { where } : {}), ...(after ? { after } : {}) });
    out.push(...page);
    if (page.length < 1000) return out;
    after = page[page.length - 1]!.id;
  }
}

/**
 * The start of an operator's new object: its parsed input, the nations it concerns (this one plus those the
 * input lists, sorted), its label (releasable to those nations unless the input says otherwise), time and id.
 */
export function beginCreate<I extends { label?: LabelInput | undefined }>(
  c: CoordinationCore,
  user: SessionUser,
  input: { schema: z.ZodType<I>; value: unknown; what: string },
  listed: (i: I) => string[],
): { i: I; nations: string[]; t: number; label: SecurityLabel; id: string } {
  c.requireRole(user, 'operator');
  const i = parse(input.schema, input.value, input.what);
  const nations = [...new Set([c.nation, ...listed(i)])].sort();
  const t = c.now();
  const label = labelFromInput(c.registry, { nation: c.nation, input: i.label, defaultRelTo: nations, audience: user.audience, now: t });
  return { i, nations, t, label, id: newId(c.nation, t) };
}
