import fc from 'fast-check';
import type { Audience, SecurityLabel } from '../../src/labels/index.js';

/**
 * Generators for labels, audiences and egress paths. Mostly valid labels (so that allow decisions are
 * common), with a share of broken ones: wrong case, unknown values, missing owner in REL TO, empty REL TO,
 * unknown policies, garbage types.
 */
export const NATIONS = ['USA', 'JPN', 'PHL', 'GBR', 'AUS'] as const;
const REL_VALUES = ['USA', 'JPN', 'PHL', 'GBR', 'AUS', 'CAN', 'FVEY', 'NATO', 'TEYE'];
const LEVELS: Record<string, string[]> = {
  USA: ['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'],
  JPN: ['UNCLASSIFIED', 'HI', 'GOKUHI', 'KIMITSU'],
  NATO: ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'],
  PHL: ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'],
};
const CAVEATS: Record<string, string[]> = {
  USA: ['ORCON', 'PROPIN', 'KIZUNA-OPS', 'KIZUNA-CONTINGENCY'],
  JPN: ['SDS', 'CESI', 'KIZUNA-OPS', 'KIZUNA-CONTINGENCY'],
  NATO: [],
  PHL: [],
};
export const EGRESS = ['tak', 'rest', 'ws', 'federation', 'history', 'search', 'count', 'error', 'log', 'file'] as const;
export const PHASES = ['peacetime', 'gray_zone', 'contingency'] as const;

const caseVariant = (s: string) => fc.constantFrom(s, s.toLowerCase(), s[0] + s.slice(1).toLowerCase());
const iso = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
  .map((ms) => new Date(ms).toISOString().replace('.000Z', 'Z'));

export interface LabelGenOptions {
  policies?: string[];
  /** probability-ish weight of deliberately broken labels (0 = none) */
  broken?: boolean;
  /** informative values (dropped when unmapped) */
  informative?: boolean;
  /** limit caveats to values every policy pair maps (for translation round trips) */
  mappableOnly?: boolean;
  owners?: readonly string[];
}

export function labelArb(opts: LabelGenOptions = {}): fc.Arbitrary<SecurityLabel> {
  const policies = opts.policies ?? ['USA', 'JPN', 'NATO', 'PHL'];
  const owners = opts.owners ?? NATIONS;
  const valid = fc
    .record({
      policy: fc.constantFrom(...policies),
      owner: fc.constantFrom(...owners),
      levelIdx: fc.nat({ max: 4 }),
      relMode: fc.constantFrom('absent', 'present', 'present', 'present'),
      rel: fc.subarray(REL_VALUES, { maxLength: 4 }),
      cav: fc.subarray(['ORCON', 'PROPIN', 'KIZUNA-OPS', 'KIZUNA-CONTINGENCY', 'SDS', 'CESI'], { maxLength: 2 }),
      admin: opts.informative ? fc.subarray(['EXERCISE', 'REAL WORLD'], { maxLength: 1 }) : fc.constant([] as string[]),
      createdAt: iso,
      reviewAt: fc.option(iso, { nil: undefined }),
      originator: fc.option(fc.constantFrom('urn:kizuna:node:usa-1', 'urn:kizuna:node:jpn-1'), { nil: undefined }),
    })
    .map((g): SecurityLabel => {
      const levels = LEVELS[g.policy]!;
      let caveats = g.cav.filter((c) => CAVEATS[g.policy]!.includes(c));
      if (opts.mappableOnly) caveats = caveats.filter((c) => c.startsWith('KIZUNA-'));
      const classification = levels[Math.min(g.levelIdx, levels.length - 1)]!;
      // honour minClassification rules of the policy files (ORCON >= CONFIDENTIAL, SDS >= GOKUHI, CESI >= HI)
      const rank = levels.indexOf(classification);
      caveats = caveats.filter((c) => (c === 'ORCON' ? rank >= 1 : c === 'SDS' ? rank >= 2 : c === 'CESI' ? rank >= 1 : true));
      const categories: SecurityLabel['categories'] = [];
      if (g.relMode === 'present') categories.push({ tagSet: 'Releasable To', type: 'permissive', values: [...new Set([g.owner, ...g.rel])] });
      if (caveats.length) categories.push({ tagSet: 'Caveat', type: 'restrictive', values: caveats });
      if (g.admin.length) categories.push({ tagSet: 'Administrative', type: 'informative', values: g.admin });
      const l: SecurityLabel = { policy: g.policy, classification, categories, owner: g.owner, createdAt: g.createdAt };
      if (g.reviewAt) l.reviewAt = g.reviewAt;
      if (g.originator) l.originator = { idType: 'uniformResourceIdentifier', value: g.originator };
      return l;
    });
  if (!opts.broken) return valid;
  const broken = fc.tuple(valid, fc.nat({ max: 9 }), fc.constantFrom('XXX', 'ULTRA', 'Nope', '')).chain(([l, kind, junk]): fc.Arbitrary<SecurityLabel> => {
    const c = structuredClone(l);
    switch (kind) {
      case 0:
        return caseVariant(c.policy).map((p) => ({ ...c, policy: p }));
      case 1:
        return fc.constant({ ...c, policy: junk });
      case 2:
        return fc.constant({ ...c, classification: junk });
      case 3:
        return fc.constant({ ...c, categories: [...c.categories, { tagSet: junk || 'X', type: 'restrictive' as const, values: ['A'] }] });
      case 4:
        return fc.constant({ ...c, categories: [{ tagSet: 'Releasable To', type: 'permissive' as const, values: REL_VALUES.filter((v) => v !== c.owner).slice(0, 2) }] });
      case 5:
        return fc.constant({ ...c, categories: [{ tagSet: 'Releasable To', type: 'permissive' as const, values: [] }], contributors: [c.owner] });
      case 6:
        return fc.constant({ ...c, categories: [{ tagSet: 'Releasable To', type: 'informative' as const, values: [c.owner, 'JPN', 'USA'] }] });
      case 7:
        return fc.constant({ ...c, createdAt: 'not a date' });
      case 8:
        return caseVariant(c.classification).map((x) => ({ ...c, classification: x, owner: c.owner.toLowerCase() }));
      default:
        return fc.constant({ ...c, owner: 'MULTI', contributors: ['USA', 'JPN'] });
    }
  });
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: broken as fc.Arbitrary<SecurityLabel> });
}

export function audienceArb(): fc.Arbitrary<Audience> {
  return fc
    .record({
      nation: fc.constantFrom(...NATIONS),
      policyMode: fc.constantFrom('own', 'own', 'own', 'USA', 'NATO', 'XXX'),
      levelIdx: fc.nat({ max: 4 }),
      held: fc.subarray(['ORCON', 'PROPIN', 'KIZUNA-OPS', 'KIZUNA-CONTINGENCY', 'SDS', 'CESI'], { maxLength: 3 }),
      heldRel: fc.subarray(['NATO', 'FVEY', 'JPN'], { maxLength: 2 }),
      badCeiling: fc.boolean().map((b) => b && Math.random() < 0.05),
    })
    .map((g) => {
      const own = g.nation === 'USA' || g.nation === 'JPN' || g.nation === 'PHL' ? g.nation : 'NATO';
      const policy = g.policyMode === 'own' ? own : g.policyMode;
      const levels = LEVELS[policy] ?? ['UNCLASSIFIED'];
      return {
        policy,
        nation: g.nation,
        maxClassification: g.badCeiling ? 'ULTRA' : levels[Math.min(g.levelIdx, levels.length - 1)]!,
        held: { Caveat: g.held, 'Releasable To': g.heldRel },
      };
    });
}

export const phasesArb = fc.record({ USA: fc.constantFrom(...PHASES), JPN: fc.constantFrom(...PHASES) });
