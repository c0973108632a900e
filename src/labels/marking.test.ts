import { describe, expect, it } from 'vitest';
import { combineLabels, labelView, loadPolicies, makeLabel, portionMark, renderMarking } from './index.js';

const r = loadPolicies();
const T = '2026-01-01T00:00:00Z';

describe('markings', () => {
  it('renders banners, portions and Japanese from the policy files', () => {
    const s = makeLabel(r, { policy: 'USA', classification: 'SECRET', relTo: ['NATO', 'JPN', 'GBR'], owner: 'USA', createdAt: T });
    expect(renderMarking(r, s, 'en')).toBe('SECRET//REL TO USA, GBR, JPN, NATO');
    expect(portionMark(r, s)).toBe('(S//REL TO USA, GBR, JPN, NATO)');
    const nf = makeLabel(r, { policy: 'USA', classification: 'CONFIDENTIAL', caveats: ['NOFORN', 'ORCON'], owner: 'USA', createdAt: T });
    expect(renderMarking(r, nf)).toBe('CONFIDENTIAL//ORCON//NOFORN');
    expect(portionMark(r, nf)).toBe('(C//OC//NF)');
    const bare = makeLabel(r, { policy: 'USA', classification: 'SECRET', owner: 'USA', createdAt: T });
    expect(renderMarking(r, bare)).toBe('SECRET//NOFORN');
    const j = makeLabel(r, { policy: 'JPN', classification: 'GOKUHI', relTo: ['USA'], caveats: ['SDS'], owner: 'JPN', createdAt: T });
    expect(renderMarking(r, j, 'ja')).toBe('極秘//特定秘密//提供可: JPN, USA');
    expect(renderMarking(r, j, 'en')).toBe('GOKUHI//SDS//REL TO JPN, USA');
    expect(portionMark(r, j)).toBe('(GH//SDS//REL TO JPN, USA)');
  });

  it('marks an empty intersection as releasable to nobody', () => {
    const a = makeLabel(r, { policy: 'USA', classification: 'SECRET', relTo: ['JPN'], owner: 'USA', createdAt: T });
    const b = makeLabel(r, { policy: 'JPN', classification: 'HI', relTo: ['GBR'], owner: 'JPN', createdAt: T });
    expect(renderMarking(r, combineLabels(r, [a, b], { policy: 'USA' }))).toBe('SECRET//REL TO JPN');
    const nfUs = makeLabel(r, { policy: 'USA', classification: 'SECRET', caveats: ['NOFORN'], owner: 'USA', createdAt: T });
    const nfJp = makeLabel(r, { policy: 'JPN', classification: 'HI', owner: 'JPN', createdAt: T });
    const c = combineLabels(r, [nfUs, nfJp]);
    expect(c).toMatchObject({ policy: 'JPN', classification: 'GOKUHI', owner: 'MULTI', contributors: ['JPN', 'USA'] });
    expect(renderMarking(r, c)).toBe('GOKUHI//REL TO NONE');
    expect(renderMarking(r, c, 'ja')).toBe('極秘//提供可能先なし（提供禁止）');
    const us = makeLabel(r, { policy: 'USA', classification: 'SECRET', relTo: ['JPN'], caveats: ['ORCON'], owner: 'USA', createdAt: T });
    expect(renderMarking(r, us, 'ja')).toBe('米国 SECRET（極秘相当）//ORCON（発信元管理）//提供可: USA, JPN');
  });

  it('builds the LabelView of src/api/contract.ts', () => {
    const s = makeLabel(r, { policy: 'JPN', classification: 'HI', relTo: ['USA'], owner: 'JPN', createdAt: T });
    expect(labelView(r, s)).toEqual({ policy: 'JPN', classification: 'HI', rank: 1, marking: 'HI//REL TO JPN, USA', markingJa: '秘//提供可: JPN, USA', portion: '(HI//REL TO JPN, USA)', color: '#0033a0' });
  });

  it('throws on an invalid label instead of rendering it', () => {
    expect(() => renderMarking(r, { policy: 'USA', classification: 'X', categories: [], owner: 'USA', createdAt: T })).toThrow(expect.objectContaining({ code: 'LABEL_INVALID' }));
  });
});
