import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES_DIR, loadPolicies, renderMarking, UNCLASSIFIED_JA, type PolicyRegistry, type SecurityLabel } from './index.js';

/**
 * Japanese markings of foreign labels may name a Japanese level only as the gloss the equivalence table
 * justifies. The expected gloss is computed here from the raw JSON files, independently of the renderer.
 */
const T = '2026-01-01T00:00:00Z';
const HOME = 'JPN';

interface RawPolicy {
  id: string;
  classifications: { name: string; marking: { en: string; ja: string }; unclassified?: boolean }[];
  tagSets: { name: string; type: string; values: (string | { name: string; minClassification?: string; marking?: { ja: string } })[] }[];
  releasabilityTag: string;
}
interface RawEq {
  pairs: { a: string; b: string; classifications: [string, string][] }[];
}
const readJson = <T>(dir: string, name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

function expectedGloss(dir: string, policy: string, level: string): string | undefined {
  const home = readJson<RawPolicy>(dir, `${HOME}.json`);
  for (const p of readJson<RawEq>(dir, 'equivalence.json').pairs) {
    const pairs = p.a === policy && p.b === HOME ? p.classifications : p.b === policy && p.a === HOME ? p.classifications.map(([a, b]) => [b, a] as [string, string]) : [];
    const hit = pairs.find(([from]) => from === level);
    if (hit) return home.classifications.find((c) => c.name === hit[1])!.marking.ja;
  }
  return undefined;
}

/** Every Japanese level name of the home policy and every home caveat the foreign policy does not share. */
function homeTerms(dir: string, foreign: RawPolicy): string[] {
  const home = readJson<RawPolicy>(dir, `${HOME}.json`);
  const foreignValues = new Set(foreign.tagSets.flatMap((t) => t.values.map((v) => (typeof v === 'string' ? v : v.name))));
  const levels = home.classifications.filter((c) => !c.unclassified).map((c) => c.marking.ja);
  const caveats = home.tagSets.flatMap((t) => t.values).flatMap((v) => (typeof v !== 'string' && v.marking && !foreignValues.has(v.name) ? [v.marking.ja] : []));
  return [...levels, ...caveats];
}

function subsets<T>(xs: readonly T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);
}

/** Every level × every caveat subset allowed at that level × {owner-only, REL TO owner+partners, REL TO none}. */
function everyLabel(r: PolicyRegistry, raw: RawPolicy): SecurityLabel[] {
  const owner = raw.id === 'NATO' ? 'USA' : raw.id;
  const out: SecurityLabel[] = [];
  for (const cls of raw.classifications) {
    const restrictive = raw.tagSets.filter((t) => t.type === 'restrictive');
    const caveatSets = restrictive.map((t) => ({ tag: t.name, subsets: subsets(t.values.map((v) => (typeof v === 'string' ? v : v.name))) }));
    for (const cs of caveatSets.length ? caveatSets : [{ tag: '', subsets: [[]] as string[][] }]) {
      for (const values of cs.subsets) {
        const caveats = values.length ? [{ tagSet: cs.tag, type: 'restrictive' as const, values }] : [];
        const rel = (vs: string[]) => ({ tagSet: raw.releasabilityTag, type: 'permissive' as const, values: vs });
        const candidates: SecurityLabel[] = [
          { policy: raw.id, classification: cls.name, categories: caveats, owner, createdAt: T },
          { policy: raw.id, classification: cls.name, categories: [...caveats, rel([owner, 'JPN', 'USA', 'PHL'])], owner, createdAt: T },
          { policy: raw.id, classification: cls.name, categories: [...caveats, rel([])], owner: 'MULTI', contributors: ['JPN', 'USA'], createdAt: T },
        ];
        // caveats below their minimum classification are invalid labels, never rendered
        out.push(...candidates.filter((l) => r.check(l).ok));
      }
    }
  }
  return out;
}

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

function assertHonest(dir: string): number {
  const r = loadPolicies(dir);
  let checked = 0;
  for (const id of r.policies()) {
    const raw = readJson<RawPolicy>(dir, `${id}.json`);
    const terms = id === HOME ? [] : homeTerms(dir, raw);
    for (const label of everyLabel(r, raw)) {
      const ja = renderMarking(r, label, 'ja');
      const cls = raw.classifications.find((c) => c.name === r.validate(label).classification)!;
      const level = ja.split('//')[0]!;
      checked++;
      if (cls.unclassified) {
        expect(level, `${id} ${cls.name}`).toBe(UNCLASSIFIED_JA);
        continue;
      }
      if (id === HOME) continue;
      const gloss = expectedGloss(dir, id, cls.name);
      expect(level.startsWith(cls.marking.en) || level.includes(` ${cls.marking.en}`), `${ja}: foreign marking shown as is`).toBe(true);
      expect(level.endsWith(gloss === undefined ? cls.marking.en : `（${gloss}相当）`), `${id} ${cls.name}: ${ja}`).toBe(true);
      const rest = ja.replace(`（${gloss ?? '\u0000'}相当）`, '').replaceAll(UNCLASSIFIED_JA, '');
      for (const term of terms) expect(rest.includes(term), `${id} ${cls.name} names ${term} without a table pair: ${ja}`).toBe(false);
      expect(rest.includes('相当'), `${ja}: an equivalence the table does not hold`).toBe(false);
    }
  }
  return checked;
}

describe('Japanese markings never name a level the equivalence table does not map', () => {
  it('holds for every policy × level × caveat combination of the shipped files', () => {
    expect(assertHonest(DEFAULT_POLICIES_DIR)).toBeGreaterThan(100);
  });

  it('the gloss follows the table at run time: removing a pair removes its gloss', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kizuna-eq-'));
    tmp.push(dir);
    cpSync(DEFAULT_POLICIES_DIR, dir, { recursive: true });
    const eq = readJson<RawEq & Record<string, unknown>>(dir, 'equivalence.json');
    const usJp = eq.pairs.find((p) => p.a === 'USA' && p.b === 'JPN')!;
    usJp.classifications = usJp.classifications.filter(([a]) => a !== 'TOP SECRET');
    writeFileSync(join(dir, 'equivalence.json'), JSON.stringify(eq));
    const ts = { policy: 'USA', classification: 'TOP SECRET', categories: [], owner: 'USA', createdAt: T };
    expect(renderMarking(loadPolicies(DEFAULT_POLICIES_DIR), ts, 'ja')).toBe('米国 TOP SECRET（機密相当）//外国提供禁止');
    expect(renderMarking(loadPolicies(dir), ts, 'ja')).toBe('米国 TOP SECRET//外国提供禁止');
    assertHonest(dir);
  });

  it('one rendering of UNCLASSIFIED, NOFORN and REL TO nobody in every policy', () => {
    const r = loadPolicies();
    for (const id of r.policies()) {
      const def = r.policy(id)!;
      expect(def.file.marking.noforn.ja, id).toBe('外国提供禁止');
      expect(def.file.marking.empty.ja, id).toBe('提供可能先なし（提供禁止）');
    }
    const u = (policy: string) => renderMarking(r, { policy, classification: 'UNCLASSIFIED', categories: [], owner: policy, createdAt: T }, 'ja');
    expect(['JPN', 'USA', 'PHL'].map(u)).toEqual(Array(3).fill(`${UNCLASSIFIED_JA}//外国提供禁止`));
    const nato = { policy: 'NATO', classification: 'TOP SECRET', categories: [], owner: 'USA', createdAt: T };
    expect(renderMarking(r, nato, 'ja')).toBe('NATO COSMIC TOP SECRET（機密相当）//外国提供禁止');
    expect(renderMarking(r, { ...nato, classification: 'RESTRICTED' }, 'ja')).toBe('NATO RESTRICTED//外国提供禁止');
  });
});
