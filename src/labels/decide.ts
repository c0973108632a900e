import { KizunaError } from '../util/errors.js';
import { MULTI_OWNER, type PolicyRegistry } from './registry.js';
import { DecisionReason, type Audience, type Decision, type SecurityLabel } from './types.js';

/** An audience resolved against the registry once (canonical spellings, ceiling rank). */
export interface CompiledAudience {
  policy: string;
  nation: string;
  ceiling: number;
  held: Map<string, Set<string>>;
}

export function compileAudience(registry: PolicyRegistry, audience: Audience): CompiledAudience | undefined {
  if (!audience || typeof audience.policy !== 'string') return undefined;
  const def = registry.policy(audience.policy);
  if (!def || typeof audience.maxClassification !== 'string') return undefined;
  const ceiling = def.clsByUpper.get(audience.maxClassification.toUpperCase());
  if (!ceiling) return undefined;
  const held = new Map<string, Set<string>>();
  for (const [tagSet, values] of Object.entries(audience.held ?? {})) {
    const tag = def.tagsByUpper.get(tagSet.toUpperCase());
    if (!tag || !Array.isArray(values)) continue; // unknown holdings grant nothing
    const set = held.get(tag.name) ?? new Set<string>();
    for (const v of values) {
      const d = typeof v === 'string' ? tag.values.get(v.toUpperCase()) : undefined;
      if (d) set.add(d.name);
    }
    held.set(tag.name, set);
  }
  const nation = typeof audience.nation === 'string' ? audience.nation.toUpperCase() : '';
  return { policy: def.id, nation, ceiling: ceiling.rank, held };
}

export interface DecideResult {
  decision: Decision;
  /** the label translated into the audience's policy, when allowed */
  label?: SecurityLabel;
}

/** Extra held values for a label's owner (readiness-phase grants), in the audience's policy terms. */
export type GrantLookup = (owner: string, audience: CompiledAudience) => Map<string, Set<string>> | undefined;

const deny = (reason: DecisionReason): DecideResult => ({ decision: { allow: false, reason } });
const ALLOW: Decision = Object.freeze({ allow: true, reason: DecisionReason.ALLOW });

/**
 * The release decision (docs/labels.md §5.2). Fails closed on every unknown: missing label, unknown policy,
 * classification, tag set or value, unmappable translation, unknown audience policy or ceiling.
 */
export function decideCompiled(
  registry: PolicyRegistry,
  label: SecurityLabel | undefined,
  aud: CompiledAudience | undefined,
  grants?: GrantLookup,
): DecideResult {
  if (label === undefined || label === null) return deny(DecisionReason.NO_LABEL);
  const checked = registry.check(label);
  if (!checked.ok) return deny(checked.reason);
  if (!aud) return deny(DecisionReason.AUDIENCE_POLICY);
  const l = registry.tryTranslate(checked.label, aud.policy);
  if (!l) return deny(DecisionReason.UNMAPPABLE);
  if (registry.rank(l.policy, l.classification) > aud.ceiling) return deny(DecisionReason.CLASSIFICATION);

  const soleOwner = l.owner !== MULTI_OWNER && (l.contributors ?? []).every((c) => c === l.owner);
  const extra = soleOwner && grants ? grants(l.owner, aud) : undefined;
  const holds = (tagSet: string, v: string): boolean => aud.held.get(tagSet)?.has(v) === true || extra?.get(tagSet)?.has(v) === true;

  const relTag = registry.policy(l.policy)!.relTag;
  let sawRel = false;
  for (const c of l.categories) {
    if (c.type === 'restrictive') {
      for (const v of c.values) if (!holds(c.tagSet, v)) return deny(DecisionReason.RESTRICTIVE);
    } else if (c.type === 'permissive') {
      if (c.values.length === 0) return deny(DecisionReason.EMPTY_RELEASABILITY);
      const isRel = c.tagSet === relTag;
      if (isRel) sawRel = true;
      const values = isRel ? registry.expandReleasability(l.policy, c.values) : new Set(c.values);
      let hit = false;
      for (const v of values) if ((isRel && v === aud.nation) || holds(c.tagSet, v)) hit = true;
      if (!hit) return deny(DecisionReason.RELEASABILITY);
    }
  }
  // No Releasable To: owner-only (NOFORN). A combined label with several owners then releases to nobody.
  // Exactly as if Releasable To were {owner} (so combining, which makes it explicit, stays monotone).
  if (!sawRel && (l.owner === MULTI_OWNER || (l.owner !== aud.nation && !holds(relTag, l.owner)))) return deny(DecisionReason.RELEASABILITY);
  return { decision: ALLOW, label: l };
}

export function decide(registry: PolicyRegistry, label: SecurityLabel | undefined, audience: Audience): Decision {
  return decideCompiled(registry, label, compileAudience(registry, audience)).decision;
}

export interface AudienceInput {
  nation: string;
  /** default: the highest classification of the nation's policy */
  maxClassification?: string;
  held?: Record<string, string[]>;
}

/** A user/client/peer of `nation`, under the nation's policy (values validated, SPIF spelling). */
export function audienceFor(registry: PolicyRegistry, input: AudienceInput): Audience {
  const nation = input.nation.toUpperCase();
  const policy = registry.policyOf(nation);
  const levels = registry.classifications(policy);
  const max = input.maxClassification ?? levels[levels.length - 1]!;
  const ceiling = levels.find((c) => c.toUpperCase() === max.toUpperCase());
  if (!ceiling) throw new KizunaError('LABEL_INVALID', 'unknown clearance ceiling');
  const held: Record<string, string[]> = {};
  const def = registry.policy(policy)!;
  for (const [tagSet, values] of Object.entries(input.held ?? {})) {
    const tag = def.tagsByUpper.get(tagSet.toUpperCase());
    if (!tag || tag.type === 'informative') throw new KizunaError('LABEL_INVALID', 'unknown held tag set');
    const canon = values.map((v) => {
      const d = tag.values.get(v.toUpperCase());
      if (!d) throw new KizunaError('LABEL_INVALID', `unknown held value in ${tag.name}`);
      return d.name;
    });
    held[tag.name] = [...new Set([...(held[tag.name] ?? []), ...canon])].sort();
  }
  return { policy, nation, maxClassification: ceiling, held };
}
