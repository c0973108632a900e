import { describe, expect, it } from 'vitest';
import { audienceFor, createGuard, DecisionReason, loadPolicies, makeLabel, type DecisionRecord, type Labelled, type SecurityLabel } from './index.js';

const r = loadPolicies();
const T = '2026-01-01T00:00:00Z';
const mk = (policy: string, owner: string, classification: string, relTo?: string[], caveats?: string[]): SecurityLabel =>
  makeLabel(r, { policy, owner, classification, createdAt: T, ...(relTo ? { relTo } : {}), ...(caveats ? { caveats } : {}) });
const JPN = audienceFor(r, { nation: 'JPN' });
const USA = audienceFor(r, { nation: 'USA' });
const USA_ORCON = audienceFor(r, { nation: 'USA', held: { Caveat: ['ORCON'] } });

describe('the release guard', () => {
  const items: Labelled<string>[] = [
    { value: 'rel-jpn', label: mk('USA', 'USA', 'SECRET', ['JPN']) },
    { value: 'noforn', label: mk('USA', 'USA', 'SECRET') },
    { value: 'unlabelled', label: undefined },
    { value: 'orcon', label: mk('USA', 'USA', 'SECRET', ['JPN'], ['ORCON']) },
    { value: 'jp-own', label: mk('JPN', 'JPN', 'HI') },
  ];

  it('releases only what the audience may see, label translated into its policy', () => {
    const g = createGuard(r);
    const out = g.releaseMany(items, JPN, 'tak');
    expect(out.map((o) => o.value)).toEqual(['rel-jpn', 'jp-own']);
    expect(out[0]!.label).toMatchObject({ policy: 'JPN', classification: 'GOKUHI', owner: 'USA' });
    expect(out[0]!.audienceKey).toBe(g.audienceKey(JPN));
    expect(g.releaseMany(items, USA, 'rest').map((o) => o.value)).toEqual(['rel-jpn', 'noforn']);
    expect(g.releaseMany(items, USA_ORCON, 'rest').map((o) => o.value)).toEqual(['rel-jpn', 'noforn', 'orcon']);
    expect(g.release(items[1]!, JPN, 'ws')).toBeUndefined();
  });

  it('counts only releasable items and reports every denial to listeners', () => {
    const g = createGuard(r);
    const recs: DecisionRecord[] = [];
    g.onDecision((rec) => recs.push(rec));
    const c = g.count(items, JPN);
    expect(c.value).toBe(2);
    expect(c.label).toMatchObject({ policy: 'JPN', classification: 'GOKUHI', owner: 'MULTI' });
    expect(recs.map((x) => x.decision.reason).sort()).toEqual([DecisionReason.NO_LABEL, DecisionReason.RELEASABILITY, DecisionReason.UNMAPPABLE].sort());
    expect(recs.every((x) => x.path === 'count' && x.audienceKey === g.audienceKey(JPN))).toBe(true);
    expect(g.count([], JPN)).toMatchObject({ value: 0, label: { policy: 'JPN', classification: 'UNCLASSIFIED', owner: 'JPN' } });
    recs.length = 0;
    g.release(items[0]!, JPN, 'federation');
    expect(recs).toHaveLength(1); // federation decisions are audited even when allowed
    g.release(items[0]!, JPN, 'tak');
    expect(recs).toHaveLength(1);
  });

  it('the high-water label of released items is their combination', () => {
    const g = createGuard(r);
    const hw = g.highWater(g.releaseMany(items, USA_ORCON, 'rest'));
    expect(hw).toMatchObject({ policy: 'USA', classification: 'SECRET', owner: 'USA' });
    expect(hw!.categories).toContainEqual({ tagSet: 'Releasable To', type: 'permissive', values: ['USA'] });
    expect(hw!.categories).toContainEqual({ tagSet: 'Caveat', type: 'restrictive', values: ['ORCON'] });
    expect(g.highWater([])).toBeUndefined();
  });

  it('caches decisions and freezes what it keyed by identity', () => {
    const g = createGuard(r);
    const label = mk('USA', 'USA', 'SECRET', ['JPN']);
    g.decide(label, JPN);
    g.decide(label, JPN);
    g.decide({ ...label }, JPN); // equal content, other object: same digest, cache hit
    expect(g.stats()).toMatchObject({ hits: 2, misses: 1, size: 1 });
    expect(() => (label.categories[0]!.values as string[]).push('PHL')).toThrow(TypeError);
    expect(() => ((JPN as { nation: string }).nation = 'USA')).toThrow(TypeError);
    const small = createGuard(r, { cacheSize: 2 });
    for (const c of ['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET']) small.decide(mk('USA', 'USA', c, ['JPN']), JPN);
    expect(small.stats().size).toBeLessThanOrEqual(2);
    const none = createGuard(r, { cacheSize: 0 });
    none.decide(label, JPN);
    none.decide(label, JPN);
    expect(none.stats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });

  it('phase rules only add pre-agreed holdings, for labels owned by that nation', () => {
    const g = createGuard(r);
    const jpContingency = mk('JPN', 'JPN', 'GOKUHI', ['USA'], ['KIZUNA-CONTINGENCY']);
    const jpSds = mk('JPN', 'JPN', 'GOKUHI', ['USA'], ['SDS']);
    const usContingency = mk('USA', 'USA', 'SECRET', ['JPN'], ['KIZUNA-CONTINGENCY']);
    expect(g.decide(jpContingency, USA).reason).toBe(DecisionReason.RESTRICTIVE);
    g.setPhaseRules('JPN', 'contingency');
    expect(g.stats().generation).toBe(1);
    expect(g.decide(jpContingency, USA)).toEqual({ allow: true, reason: 'ALLOW' });
    expect(g.decide(jpSds, USA).allow).toBe(false); // SDS never granted
    expect(g.decide(usContingency, JPN).reason).toBe(DecisionReason.RESTRICTIVE); // USA still in peacetime
    expect(g.decide(jpContingency, audienceFor(r, { nation: 'PHL' })).allow).toBe(false);
    // a combined label with a foreign contributor gets no grant
    const fused = { ...jpContingency, contributors: ['JPN', 'USA'], categories: [...jpContingency.categories] };
    expect(g.decide(fused, USA).allow).toBe(false);
    g.setPhaseRules('JPN', 'peacetime');
    expect(g.decide(jpContingency, USA).reason).toBe(DecisionReason.RESTRICTIVE);
    const initial = createGuard(r, { phases: { usa: 'contingency' } });
    expect(initial.decide(usContingency, JPN).allow).toBe(true);
    expect(initial.phases()).toEqual({ USA: 'contingency' });
  });

  it('Released values cannot be altered after release', () => {
    const g = createGuard(r);
    const rel = g.release(items[0]!, JPN, 'tak')!;
    expect(() => ((rel as unknown as { value: string }).value = 'x')).toThrow(TypeError);
  });
});
