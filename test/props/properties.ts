import fc from 'fast-check';
import {
  audienceFor,
  combineLabels,
  createGuard,
  DEFAULT_POLICIES_DIR,
  labelFromJson,
  labelToJson,
  loadPolicies,
  parseLabelXml,
  serializeLabelXml,
  type Labelled,
  type PolicyRegistry,
  type SecurityLabel,
} from '../../src/labels/index.js';
import { audienceArb, EGRESS, labelArb, NATIONS, phasesArb } from './arbitraries.js';
import { Oracle } from './oracle.js';

/**
 * The label property suite, shared by vitest (src/labels/*.props.test.ts, moderate runs) and
 * `npm run test:props -- --runs N` (test/props/run-props.ts). Each property returns normally or throws
 * fast-check's counterexample report.
 */
export interface PropertyCase {
  name: string;
  /** counts of interesting outcomes, filled while running (e.g. allows vs denies) */
  stats: Record<string, number>;
  run(numRuns: number, seed?: number): void;
}

const registry: PolicyRegistry = loadPolicies();
const oracle = new Oracle(DEFAULT_POLICIES_DIR);
const eqLabel = (a: SecurityLabel, b: SecurityLabel): boolean => labelToJson(a) === labelToJson(b);
/** Counts one outcome `k` in a case's stats. */
export const bump = (s: Record<string, number>, k: string): void => {
  s[k] = (s[k] ?? 0) + 1;
};

/** Same-policy valid labels: the algebra's domain. */
const samePolicyTriple = fc.constantFrom('USA', 'JPN').chain((p) => {
  const a = labelArb({ policies: [p], informative: true, owners: ['USA', 'JPN', 'GBR'] }).filter((l) => registry.check(l).ok);
  return fc.tuple(a, a, a);
});

/** A property case: `build` makes the fast-check property, filling `stats` as it runs. */
export function prop(name: string, build: (stats: Record<string, number>) => fc.IProperty<any>): PropertyCase {
  const stats: Record<string, number> = {};
  return {
    name,
    stats,
    run(numRuns, seed) {
      fc.assert(build(stats), { numRuns, ...(seed !== undefined ? { seed } : {}) });
    },
  };
}

export function labelProperties(): PropertyCase[] {
  return [
    prop('combine is commutative', () =>
      fc.property(samePolicyTriple, ([a, b]) => eqLabel(combineLabels(registry, [a, b]), combineLabels(registry, [b, a]))),
    ),
    prop('combine is associative', () =>
      fc.property(samePolicyTriple, ([a, b, c]) => {
        const left = combineLabels(registry, [combineLabels(registry, [a, b]), c]);
        const right = combineLabels(registry, [a, combineLabels(registry, [b, c])]);
        const flat = combineLabels(registry, [a, b, c]);
        return eqLabel(left, right) && eqLabel(left, flat);
      }),
    ),
    prop('combine is idempotent', () =>
      fc.property(samePolicyTriple, ([a]) => {
        const once = combineLabels(registry, [a]);
        return eqLabel(combineLabels(registry, [a, a]), once) && eqLabel(combineLabels(registry, [once]), once) && eqLabel(combineLabels(registry, [once, a]), once);
      }),
    ),
    prop('combine is monotone (never more releasable than a part)', (stats) =>
      fc.property(samePolicyTriple, fc.array(audienceArb(), { minLength: 1, maxLength: 4 }), phasesArb, ([a, b], auds, phases) => {
        const g = createGuard(registry, { phases });
        const c = combineLabels(registry, [a, b]);
        for (const aud of auds) {
          if (g.decide(c, aud).allow) {
            bump(stats, 'combined allowed');
            if (!g.decide(a, aud).allow || !g.decide(b, aud).allow) return false;
          } else bump(stats, 'combined denied');
        }
        return true;
      }),
    ),
    prop('guard: 0 leaks and exact agreement with the reference oracle', (stats) =>
      fc.property(
        fc.array(fc.option(labelArb({ broken: true, informative: true }), { nil: undefined, freq: 12 }), { minLength: 1, maxLength: 8 }),
        audienceArb(),
        fc.constantFrom(...EGRESS),
        phasesArb,
        (labels, audience, path, phases) => {
          const g = createGuard(registry, { phases });
          const items: Labelled<number>[] = labels.map((label, i) => ({ label, value: i }));
          const expected = items.filter((it) => oracle.allow(it.label, audience, phases)).map((it) => it.value);
          const released = g.releaseMany(items, audience, path).map((r) => r.value);
          for (const it of items) {
            const allowed = g.release(it, audience, path) !== undefined;
            const ref = expected.includes(it.value);
            bump(stats, allowed ? 'allowed' : 'denied');
            if (allowed && !ref) {
              bump(stats, 'LEAK');
              return false;
            }
            if (!allowed && ref) {
              bump(stats, 'over-denied');
              return false;
            }
          }
          return JSON.stringify(released) === JSON.stringify(expected) && g.count(items, audience).value === expected.length;
        },
      ),
    ),
    prop('released labels are in the audience policy and allowed again there', (stats) =>
      fc.property(labelArb({ informative: true }), audienceArb(), (label, audience) => {
        const g = createGuard(registry);
        const r = g.release({ label, value: 1 }, audience, 'rest');
        if (!r) return true;
        bump(stats, 'released');
        return r.label.policy === audience.policy && g.decide(r.label, audience).allow;
      }),
    ),
    prop('translate round trip is exact (USA <-> JPN, NATO)', (stats) =>
      fc.property(labelArb({ policies: ['USA', 'JPN', 'NATO'], mappableOnly: true }), fc.constantFrom('USA', 'JPN', 'NATO'), (label, to) => {
        const v = registry.check(label);
        if (!v.ok) return true;
        const t = registry.tryTranslate(v.label, to);
        if (!t) {
          bump(stats, 'unmappable');
          return true;
        }
        bump(stats, 'mapped');
        const back = registry.tryTranslate(t, v.label.policy);
        return back !== undefined && eqLabel(back, v.label);
      }),
    ),
    prop('4774 XML and JSON codecs round trip', () =>
      fc.property(labelArb({ informative: true }), (label) => {
        const v = registry.check(label);
        if (!v.ok) return true;
        return eqLabel(registry.validate(parseLabelXml(serializeLabelXml(v.label))), v.label) && eqLabel(labelFromJson(labelToJson(v.label)), v.label);
      }),
    ),
    prop('audienceFor clears a nation for its own owner-only data', () =>
      fc.property(fc.constantFrom(...NATIONS.filter((n) => n !== 'GBR' && n !== 'AUS')), (nation) => {
        const aud = audienceFor(registry, { nation });
        const l: SecurityLabel = { policy: aud.policy, classification: aud.maxClassification, categories: [], owner: nation, createdAt: '2026-01-01T00:00:00Z' };
        return createGuard(registry).decide(l, aud).allow;
      }),
    ),
  ];
}
