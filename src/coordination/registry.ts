import { KizunaError } from '../util/errors.js';
import type { Audience, LabelCategory, SecurityLabel } from '../labels/types.js';
import type { LabelInput } from './model.js';

/**
 * The part of the labels PolicyRegistry (src/labels/index.ts) this module uses. Declared structurally so
 * the coordination layer depends on the contract, not on the registry's implementation.
 */
export interface RegistryLike {
  has(policy: string): boolean;
  policyOf(nation: string): string;
  rank(policy: string, classification: string): number;
  classifications(policy: string): string[];
  validate(label: SecurityLabel): SecurityLabel;
  tryTranslate(label: SecurityLabel, toPolicy: string): SecurityLabel | undefined;
}

export const RELEASABLE_TO = 'Releasable To';
export const CAVEAT = 'Caveat';

/** The audience of a user of `nation` cleared to `maxClassification` (default: the policy's highest). */
export function audienceOf(registry: RegistryLike, nation: string, maxClassification?: string): Audience {
  const policy = registry.policyOf(nation);
  const classes = registry.classifications(policy);
  const ceiling = maxClassification ?? classes[classes.length - 1]!;
  registry.rank(policy, ceiling); // throws LABEL_INVALID for an unknown level
  return { policy, nation, maxClassification: ceiling, held: {} };
}

/**
 * Turns client input into a validated label owned by `nation`. Short form = the node's own policy;
 * releasability always includes the owner. A writer may not label above his own clearance.
 */
export function labelFromInput(
  registry: RegistryLike,
  o: { nation: string; input?: LabelInput; defaultRelTo: string[]; audience: Audience; now: number },
): SecurityLabel {
  const policy = registry.policyOf(o.nation);
  let label: SecurityLabel;
  if (o.input && 'policy' in o.input) {
    label = o.input as unknown as SecurityLabel;
    if (label.owner !== o.nation) throw new KizunaError('FORBIDDEN', 'a label must be owned by the writer nation');
  } else {
    const classification = o.input?.classification ?? registry.classifications(policy)[0]!;
    const relTo = [...new Set([o.nation, ...(o.input?.relTo ?? o.defaultRelTo)])].sort();
    const categories: LabelCategory[] = [{ tagSet: RELEASABLE_TO, type: 'permissive', values: relTo }];
    if (o.input?.caveats?.length) categories.push({ tagSet: CAVEAT, type: 'restrictive', values: [...o.input.caveats] });
    label = { policy, classification, categories, owner: o.nation, createdAt: new Date(o.now).toISOString() };
  }
  const valid = registry.validate(label);
  assertWithinClearance(registry, valid, o.audience);
  return valid;
}

/**
 * Write-up protection: nobody creates or acts on an object above his own ceiling. A label of another policy
 * is judged by its translation into the writer's policy; one that does not translate is refused (nobody can
 * show it is within the ceiling).
 */
export function assertWithinClearance(registry: RegistryLike, label: SecurityLabel, audience: Audience): void {
  const mine = label.policy === audience.policy ? label : registry.tryTranslate(label, audience.policy);
  if (!mine || registry.rank(mine.policy, mine.classification) > registry.rank(audience.policy, audience.maxClassification)) {
    throw new KizunaError('FORBIDDEN', 'label is above the writer clearance');
  }
}

/** Label for node-local records (users, sessions): lowest level, owner only. */
export function localLabel(registry: RegistryLike, nation: string, now: number): SecurityLabel {
  const policy = registry.policyOf(nation);
  return registry.validate({
    policy,
    classification: registry.classifications(policy)[0]!,
    categories: [{ tagSet: RELEASABLE_TO, type: 'permissive', values: [nation] }],
    owner: nation,
    createdAt: new Date(now).toISOString(),
  });
}
