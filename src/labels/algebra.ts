import { KizunaError } from '../util/errors.js';
import { MULTI_OWNER, type PolicyRegistry } from './registry.js';
import type { LabelCategory, SecurityLabel } from './types.js';

export interface CombineOptions {
  /** Governing policy of the result; default: the common policy, else the first (sorted) policy all labels map into. */
  policy?: string;
  /** Owner of the result (the producing node's nation); default: the common owner, else "MULTI". */
  owner?: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Releasability in closed form: group tokens expanded, then group members dropped again for display. */
function compress(registry: PolicyRegistry, policy: string, closed: Set<string>): string[] {
  const groups = registry.policy(policy)?.groups;
  const out = new Set(closed);
  for (const v of closed) for (const m of groups?.get(v) ?? []) out.delete(m);
  // A member dropped because of one group stays implied by it; re-expansion gives the same closed set.
  return [...out].sort(cmp);
}

function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

/**
 * High-water mark (docs/labels.md §5.1, owner-only mode): classification = max; restrictive = union;
 * Releasable To = intersection of the expanded sets (a part without it counts as {owner}; an empty result
 * is kept and releases to nobody); other permissive tag sets = intersection over the parts carrying them;
 * informative = union; contributors = union of every part's owners; createdAt = latest; reviewAt = earliest.
 * Every result carries `contributors`, which marks it as a combined label (no "REL TO has owner" rule).
 */
export function combineLabels(registry: PolicyRegistry, labels: readonly SecurityLabel[], opts: CombineOptions = {}): SecurityLabel {
  if (labels.length === 0) throw new KizunaError('LABEL_INVALID', 'nothing to combine');
  const valid = labels.map((l) => registry.validate(l));
  const policy = choosePolicy(registry, valid, opts.policy);
  const parts = valid.map((l) => registry.translate(l, policy));
  const def = registry.policy(policy)!;
  const relTag = def.relTag;

  let top = parts[0]!;
  for (const l of parts) if (registry.rank(policy, l.classification) > registry.rank(policy, top.classification)) top = l;

  const union = new Map<string, { type: LabelCategory['type']; values: Set<string> }>();
  const inter = new Map<string, Set<string>>();
  let rel: Set<string> | undefined;
  for (const l of parts) {
    const r = l.categories.find((c) => c.tagSet === relTag);
    const own = r ? registry.expandReleasability(policy, r.values) : l.owner === MULTI_OWNER ? new Set<string>() : new Set([l.owner]);
    rel = rel === undefined ? own : new Set([...rel].filter((v) => own.has(v)));
    for (const c of l.categories) {
      if (c.tagSet === relTag) continue;
      if (c.type === 'permissive') {
        const prev = inter.get(c.tagSet);
        inter.set(c.tagSet, prev === undefined ? new Set(c.values) : new Set([...prev].filter((v) => c.values.includes(v))));
      } else {
        const u = union.get(c.tagSet) ?? { type: c.type, values: new Set<string>() };
        for (const v of c.values) u.values.add(v);
        union.set(c.tagSet, u);
      }
    }
  }
  const categories: LabelCategory[] = [{ tagSet: relTag, type: 'permissive', values: compress(registry, policy, rel!) }];
  for (const [tagSet, values] of inter) categories.push({ tagSet, type: 'permissive', values: [...values] });
  for (const [tagSet, u] of union) categories.push({ tagSet, type: u.type, values: [...u.values] });

  const owners = new Set(parts.map((l) => l.owner));
  const contributors = new Set<string>();
  for (const l of parts) for (const c of l.contributors ?? [l.owner]) if (c !== MULTI_OWNER) contributors.add(c);
  const first = parts[0]!;
  const sameOriginator = parts.every(
    (l) => l.originator?.idType === first.originator?.idType && l.originator?.value === first.originator?.value,
  );
  const out: SecurityLabel = {
    policy,
    classification: top.classification,
    categories,
    owner: opts.owner ?? (owners.size === 1 ? first.owner : MULTI_OWNER),
    contributors: [...contributors],
    createdAt: parts.reduce((a, l) => (Date.parse(l.createdAt) > Date.parse(a) ? l.createdAt : a), first.createdAt),
  };
  const reviewAt = parts.reduce<string | undefined>((a, l) => earliest(a, l.reviewAt), undefined);
  if (reviewAt !== undefined) out.reviewAt = reviewAt;
  if (sameOriginator && first.originator) out.originator = first.originator;
  return registry.validate(out);
}

function choosePolicy(registry: PolicyRegistry, labels: readonly SecurityLabel[], wanted: string | undefined): string {
  if (wanted !== undefined) {
    if (!registry.has(wanted)) throw new KizunaError('LABEL_UNKNOWN_POLICY');
    return registry.policy(wanted)!.id;
  }
  const set = new Set(labels.map((l) => l.policy));
  if (set.size === 1) return labels[0]!.policy;
  // Deterministic (order of the input does not matter): the first policy, by id, every label maps into.
  for (const p of registry.policies()) if (labels.every((l) => registry.tryTranslate(l, p) !== undefined)) return p;
  throw new KizunaError('LABEL_UNMAPPABLE', 'labels have no common policy');
}

export interface MakeLabelInput {
  policy: string;
  classification: string;
  /** Releasable To values; the owner is added (a REL TO always includes its owner). */
  relTo?: string[];
  /** Restrictive values of the policy's "Caveat" tag set; "NOFORN" means Releasable To = {owner}. */
  caveats?: string[];
  owner: string;
  createdAt?: string;
}

/** Convenience builder for originator labels (validated, SPIF spelling). */
export function makeLabel(registry: PolicyRegistry, input: MakeLabelInput): SecurityLabel {
  const def = registry.policy(input.policy);
  if (!def) throw new KizunaError('LABEL_UNKNOWN_POLICY');
  const owner = input.owner.toUpperCase();
  const caveats = (input.caveats ?? []).filter((c) => c.toUpperCase() !== 'NOFORN');
  const noforn = caveats.length !== (input.caveats ?? []).length;
  const categories: LabelCategory[] = [];
  if (noforn) {
    if (input.relTo && input.relTo.some((v) => v.toUpperCase() !== owner)) throw new KizunaError('LABEL_INVALID', 'NOFORN with a foreign REL TO');
    categories.push({ tagSet: def.relTag, type: 'permissive', values: [owner] });
  } else if (input.relTo) {
    categories.push({ tagSet: def.relTag, type: 'permissive', values: [owner, ...input.relTo] });
  }
  if (caveats.length > 0) {
    const tag = [...def.tagsByUpper.values()].find((t) => t.type === 'restrictive');
    if (!tag) throw new KizunaError('LABEL_INVALID', 'policy has no restrictive tag set');
    categories.push({ tagSet: tag.name, type: 'restrictive', values: caveats });
  }
  return registry.validate({
    policy: def.id,
    classification: input.classification,
    categories,
    owner,
    createdAt: input.createdAt ?? new Date().toISOString(),
  });
}
