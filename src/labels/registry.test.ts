import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES_DIR, loadPolicies, makeLabel } from './index.js';

const dirs: string[] = [];
function copy(): string {
  const d = mkdtempSync(join(tmpdir(), 'kizuna-pol-'));
  cpSync(DEFAULT_POLICIES_DIR, d, { recursive: true });
  dirs.push(d);
  return d;
}
function edit(d: string, file: string, f: (j: any) => void): void {
  const j = JSON.parse(readFileSync(join(d, file), 'utf8'));
  f(j);
  writeFileSync(join(d, file), JSON.stringify(j));
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('policy registry', () => {
  const r = loadPolicies();
  it('loads the four national policies with ordered levels', () => {
    expect(r.policies()).toEqual(['JPN', 'NATO', 'PHL', 'USA']);
    expect(r.classifications('JPN')).toEqual(['UNCLASSIFIED', 'HI', 'GOKUHI', 'KIMITSU']);
    expect(r.classifications('USA')).toEqual(['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET']);
    expect(r.rank('usa', 'secret')).toBe(2);
    expect(r.policyOf('JPN')).toBe('JPN');
    expect(r.has('nato')).toBe(true);
    expect(() => r.rank('USA', 'GOKUHI')).toThrow(expect.objectContaining({ code: 'LABEL_INVALID' }));
    expect(() => r.rank('XXX', 'SECRET')).toThrow(expect.objectContaining({ code: 'LABEL_UNKNOWN_POLICY' }));
  });

  it('version changes with any file content', () => {
    const d = copy();
    const v1 = loadPolicies(d).version;
    expect(v1).toBe(r.version);
    edit(d, 'USA.json', (j) => (j.notes += ' '));
    expect(loadPolicies(d).version).not.toBe(v1);
  });

  it('translates USA <-> JPN exactly and refuses to round', () => {
    const l = makeLabel(r, { policy: 'USA', classification: 'SECRET', relTo: ['JPN'], caveats: ['KIZUNA-OPS'], owner: 'USA', createdAt: '2026-01-01T00:00:00Z' });
    const j = r.translate(l, 'JPN');
    expect(j).toMatchObject({ policy: 'JPN', classification: 'GOKUHI', owner: 'USA' });
    expect(r.translate(j, 'USA')).toEqual(l);
    const orcon = makeLabel(r, { policy: 'USA', classification: 'SECRET', relTo: ['JPN'], caveats: ['ORCON'], owner: 'USA' });
    expect(() => r.translate(orcon, 'JPN')).toThrow(expect.objectContaining({ code: 'LABEL_UNMAPPABLE' }));
    const restricted = makeLabel(r, { policy: 'NATO', classification: 'RESTRICTED', relTo: ['JPN'], owner: 'GBR' });
    expect(() => r.translate(restricted, 'USA')).toThrow(expect.objectContaining({ code: 'LABEL_UNMAPPABLE' }));
    expect(() => r.translate(l, 'XXX')).toThrow(expect.objectContaining({ code: 'LABEL_UNKNOWN_POLICY' }));
  });

  const broken: [string, string, (j: any) => void][] = [
    ['not JSON', 'USA.json', () => undefined],
    ['missing classifications', 'USA.json', (j) => delete j.classifications],
    ['duplicate rank', 'USA.json', (j) => (j.classifications[1].rank = 0)],
    ['releasability tag not permissive', 'USA.json', (j) => (j.releasabilityTag = 'Caveat')],
    ['group not a releasability value', 'USA.json', (j) => (j.groups.ZZZZ = ['USA'])],
    ['unknown minClassification', 'JPN.json', (j) => (j.tagSets[1].values[0].minClassification = 'SECRET')],
    ['id does not match file name', 'PHL.json', (j) => (j.id = 'PHX')],
    ['equivalence not one-to-one', 'equivalence.json', (j) => j.pairs[0].classifications.push(['SECRET', 'KIMITSU'])],
    ['equivalence unknown level', 'equivalence.json', (j) => j.pairs[0].classifications.push(['ULTRA', 'X'])],
    ['equivalence tag type mismatch', 'equivalence.json', (j) => j.pairs[0].tagSets.push({ a: 'Caveat', b: 'Administrative', identity: true })],
    ['phase rule not pre-agreed', 'phase-rules.json', (j) => j.rules.push({ nation: 'JPN', phase: 'contingency', to: ['USA'], tagSet: 'Caveat', values: ['SDS'] })],
    ['phase rule for another audience', 'phase-rules.json', (j) => (j.rules[0].to = ['PHL'])],
    ['phase rule in another phase', 'phase-rules.json', (j) => (j.rules[0].phase = 'gray_zone')],
  ];
  it.each(broken)('refuses a policy set with %s (POLICY_FILE_INVALID)', (name, file, f) => {
    const d = copy();
    if (name === 'not JSON') writeFileSync(join(d, file), '{');
    else edit(d, file, f);
    expect(() => loadPolicies(d)).toThrow(expect.objectContaining({ code: 'POLICY_FILE_INVALID' }));
  });

  it('refuses a missing directory', () => {
    expect(() => loadPolicies('/nonexistent/kizuna')).toThrow(expect.objectContaining({ code: 'POLICY_FILE_INVALID' }));
  });
});
