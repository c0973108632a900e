import { describe, expect, it } from 'vitest';
import { audienceFor, createGuard, DecisionReason, decide, loadPolicies, makeLabel, type SecurityLabel } from './index.js';

const r = loadPolicies();
const T = '2026-11-23T09:15:00Z';
const us = (classification: string, rel?: string[], caveats?: string[]): SecurityLabel =>
  makeLabel(r, { policy: 'USA', classification, owner: 'USA', createdAt: T, ...(rel ? { relTo: rel } : {}), ...(caveats ? { caveats } : {}) });
const JPN = audienceFor(r, { nation: 'JPN' });
const USA = audienceFor(r, { nation: 'USA' });
const PHL = audienceFor(r, { nation: 'PHL' });
const GBR_AS_USA_POLICY = { policy: 'USA', nation: 'GBR', maxClassification: 'TOP SECRET', held: {} };

// docs/labels.md §5.3, one row per case (all fail closed).
describe('decision edge cases (docs/labels.md §5.3)', () => {
  const cases: [string, SecurityLabel | undefined, Parameters<typeof decide>[2], DecisionReason][] = [
    ['missing label', undefined, JPN, DecisionReason.NO_LABEL],
    ['unknown policy', { ...us('SECRET', ['JPN']), policy: 'XXX' }, JPN, DecisionReason.UNKNOWN_POLICY],
    ['unknown classification', { ...us('SECRET', ['JPN']), classification: 'ULTRA' }, JPN, DecisionReason.UNKNOWN_CLASSIFICATION],
    ['unknown tag set', { ...us('SECRET', ['JPN']), categories: [{ tagSet: 'Nope', type: 'restrictive', values: ['A'] }] }, USA, DecisionReason.UNKNOWN_CATEGORY],
    ['unknown value', { ...us('SECRET'), categories: [{ tagSet: 'Caveat', type: 'restrictive', values: ['ZZZ'] }] }, USA, DecisionReason.UNKNOWN_CATEGORY],
    ['type mismatch', { ...us('SECRET'), categories: [{ tagSet: 'Releasable To', type: 'informative', values: ['JPN', 'USA'] }] }, JPN, DecisionReason.UNKNOWN_CATEGORY],
    ['REL TO present but empty', { ...us('SECRET'), contributors: ['USA'], categories: [{ tagSet: 'Releasable To', type: 'permissive', values: [] }] }, USA, DecisionReason.EMPTY_RELEASABILITY],
    ['REL TO absent = owner only', us('SECRET'), JPN, DecisionReason.RELEASABILITY],
    ['REL TO without the owner is invalid', { ...us('SECRET'), categories: [{ tagSet: 'Releasable To', type: 'permissive', values: ['JPN'] }] }, JPN, DecisionReason.INVALID_LABEL],
    ['unmappable value across policies', us('SECRET', ['JPN'], ['PROPIN']), JPN, DecisionReason.UNMAPPABLE],
    ['no equivalence pair (JPN SDS->PHL)', makeLabel(r, { policy: 'JPN', classification: 'GOKUHI', caveats: ['SDS'], relTo: ['PHL'], owner: 'JPN', createdAt: T }), PHL, DecisionReason.UNMAPPABLE],
    ['unmappable classification (PHL RESTRICTED)', makeLabel(r, { policy: 'PHL', classification: 'RESTRICTED', relTo: ['USA'], owner: 'PHL', createdAt: T }), USA, DecisionReason.UNMAPPABLE],
    ['opaque tetragraph NATO vs member', us('SECRET', ['NATO']), GBR_AS_USA_POLICY, DecisionReason.RELEASABILITY],
    ['receiving policy unknown', us('SECRET', ['JPN']), { ...JPN, policy: 'XXX' }, DecisionReason.AUDIENCE_POLICY],
    ['audience ceiling unknown', us('SECRET', ['JPN']), { ...JPN, maxClassification: 'ULTRA' }, DecisionReason.AUDIENCE_POLICY],
    ['above the ceiling', us('TOP SECRET', ['JPN']), audienceFor(r, { nation: 'JPN', maxClassification: 'GOKUHI' }), DecisionReason.CLASSIFICATION],
    ['restrictive not held', us('SECRET', ['JPN'], ['KIZUNA-OPS']), JPN, DecisionReason.RESTRICTIVE],
    ['third nation not in originator REL TO', us('SECRET', ['JPN']), PHL, DecisionReason.RELEASABILITY],
    ['invalid createdAt', { ...us('SECRET', ['JPN']), createdAt: 'yesterday' }, JPN, DecisionReason.INVALID_LABEL],
    ['value below its minimum classification', { ...us('UNCLASSIFIED'), categories: [{ tagSet: 'Caveat', type: 'restrictive', values: ['ORCON'] }] }, USA, DecisionReason.INVALID_LABEL],
  ];
  it.each(cases)('%s', (_name, label, audience, reason) => {
    expect(decide(r, label, audience)).toEqual({ allow: false, reason });
    expect(createGuard(r).decide(label, audience)).toEqual({ allow: false, reason });
  });

  it('allows what it should', () => {
    const ok = (l: SecurityLabel, a: Parameters<typeof decide>[2]) => expect(decide(r, l, a)).toEqual({ allow: true, reason: 'ALLOW' });
    ok(us('SECRET', ['JPN']), JPN);
    ok(us('SECRET'), USA); // owner-only reaches the owner
    ok(us('SECRET', ['FVEY']), GBR_AS_USA_POLICY); // known tetragraph expands
    ok(us('SECRET', ['JPN'], ['KIZUNA-OPS']), audienceFor(r, { nation: 'JPN', held: { caveat: ['kizuna-ops'] } }));
    ok(us('SECRET', ['NATO']), { ...GBR_AS_USA_POLICY, held: { 'Releasable To': ['NATO'] } });
    // informative values never matter, and unmapped informative values are dropped on translation
    ok({ ...us('SECRET', ['JPN']), categories: [...us('SECRET', ['JPN']).categories, { tagSet: 'Administrative', type: 'informative', values: ['EXERCISE'] }] }, JPN);
  });

  it('judges a translated label by the audience ceiling in its own policy', () => {
    const gokuhi = audienceFor(r, { nation: 'JPN', maxClassification: 'GOKUHI' });
    expect(decide(r, us('SECRET', ['JPN']), gokuhi).allow).toBe(true);
    expect(decide(r, us('TOP SECRET', ['JPN']), gokuhi).reason).toBe(DecisionReason.CLASSIFICATION);
  });

  it('never throws on garbage, it denies', () => {
    const junk: unknown[] = [null, 42, 'x', {}, { policy: 'USA' }, { policy: 'USA', classification: 'SECRET', categories: 'no', owner: 'USA', createdAt: T }, { policy: 'USA', classification: 'SECRET', categories: [null], owner: 'USA', createdAt: T }, { policy: 'USA', classification: 'SECRET', categories: [{ tagSet: 'Caveat', type: 'restrictive', values: [1] }], owner: 'USA', createdAt: T }];
    for (const j of junk) expect(decide(r, j as SecurityLabel, USA).allow).toBe(false);
    expect(decide(r, us('SECRET'), null as never).allow).toBe(false);
  });
});

describe('audienceFor', () => {
  it('defaults to the highest level of the nation policy and validates holdings', () => {
    expect(audienceFor(r, { nation: 'jpn' })).toEqual({ policy: 'JPN', nation: 'JPN', maxClassification: 'KIMITSU', held: {} });
    expect(() => audienceFor(r, { nation: 'JPN', maxClassification: 'SECRET' })).toThrow(expect.objectContaining({ code: 'LABEL_INVALID' }));
    expect(() => audienceFor(r, { nation: 'JPN', held: { Caveat: ['NOPE'] } })).toThrow(expect.objectContaining({ code: 'LABEL_INVALID' }));
    expect(() => audienceFor(r, { nation: 'ZZZ' })).toThrow(expect.objectContaining({ code: 'LABEL_UNKNOWN_POLICY' }));
  });
});
