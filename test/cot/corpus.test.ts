import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cotFixtures, hasSharedFixtures, ownFixtures, readOwnFixture, readSharedFixture, sharedFixtures } from './fixtures.js';

const sources = (rel: string): string => readFileSync(join(ownFixtures, rel, 'SOURCES.md'), 'utf8');
/** The rows of SOURCES.md tables: file name → the rest of the row. */
function rows(md: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of md.split('\n')) {
    const m = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

describe('the in-repo CoT corpus stands alone', () => {
  const listed = rows(sources('cot'));
  const files = cotFixtures().map((f) => f.name);

  it('every file is listed in SOURCES.md, and every listed file exists', () => {
    expect([...listed.keys()].sort()).toEqual(files);
  });

  it('copies come only from permissive licences, with repository, path and a full commit', () => {
    for (const name of files.filter((n) => !n.startsWith('kizuna-'))) {
      const row = listed.get(name)!;
      expect(row, name).toMatch(/\| (MIT|Apache-2\.0)\b/);
      expect(row, name).toMatch(/\| [0-9a-f]{40} \|/);
      expect(row, name).toMatch(/^ [\w.-]+\/[\w.-]+ \|/);
    }
  });

  it('the takproto vectors are listed with their source', () => {
    const vectors = rows(sources('takproto'));
    const names = readdirSync(join(ownFixtures, 'takproto')).filter((n) => n !== 'SOURCES.md').sort();
    expect([...vectors.keys()].sort()).toEqual(names);
    for (const row of vectors.values()) expect(row).toMatch(/\| 5acacdce4afe3462fd26884330de6087eaee4dcf \| MIT/);
  });
});

describe.runIf(hasSharedFixtures())('extra check against ../shared/fixtures', () => {
  it('the copied captures are byte-identical to the reference captures', () => {
    for (const name of cotFixtures().map((f) => f.name).filter((n) => !n.startsWith('kizuna-'))) {
      expect(readOwnFixture(`cot/${name}`).equals(readSharedFixture(`cot/${name}`)!), name).toBe(true);
    }
    for (const name of ['snstac-wintak-pli.input.xml', 'snstac-wintak-pli.mesh.bin', 'snstac-wintak-pli.stream.bin']) {
      expect(readOwnFixture(`takproto/${name}`).equals(readSharedFixture(`takproto/vectors/${name}`)!), name).toBe(true);
    }
  });

  it('no event written for Kizuna reuses a uid of a copyleft or unlicensed capture', () => {
    const sharedUids = new Set<string>();
    for (const name of readdirSync(join(sharedFixtures, 'cot'))) {
      for (const m of readSharedFixture(`cot/${name}`)!.toString('utf8').matchAll(/uid=["']([^"']+)["']/g)) sharedUids.add(m[1]!);
    }
    for (const f of cotFixtures().filter((x) => x.name.startsWith('kizuna-'))) {
      for (const m of f.bytes.toString('utf8').matchAll(/uid=["']([^"']+)["']/g)) expect(sharedUids.has(m[1]!), `${f.name}: ${m[1]}`).toBe(false);
    }
  });
});
