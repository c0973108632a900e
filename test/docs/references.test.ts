import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../cot/fixtures.js';

/** Source trees whose comments may cite the project's docs. */
const TREES = ['src', 'test', 'web/src', 'bench', 'scripts'];
const SKIP = new Set(['node_modules', 'dist', 'fixtures']);

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|tsx|mjs|js|py)$/.test(name)) out.push(p);
  }
  return out;
}

const sources = TREES.flatMap((t) => files(join(repoRoot, t))).map((p) => ({ path: relative(repoRoot, p), text: readFileSync(p, 'utf8') }));

/** Section numbers that exist in a doc: headings "## 5. …" and "### 5.2 …". */
function sections(doc: string): Set<string> {
  const text = readFileSync(join(repoRoot, 'docs', doc), 'utf8');
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)) out.add(m[1]!);
  return out;
}

describe('code comments cite the repository’s own docs', () => {
  it('every "docs/<name>.md §N" names a doc and a section that exist', () => {
    const missing: string[] = [];
    let cited = 0;
    for (const { path, text } of sources) {
      for (const m of text.matchAll(/docs\/([\w-]+\.md)((?:[ ,/]*§\d+(?:\.\d+)?)*)/g)) {
        let have: Set<string>;
        try {
          have = sections(m[1]!);
        } catch {
          missing.push(`${path}: docs/${m[1]} does not exist`);
          continue;
        }
        for (const s of m[2]!.matchAll(/§(\d+(?:\.\d+)?)/g)) {
          cited++;
          if (!have.has(s[1]!)) missing.push(`${path}: docs/${m[1]} has no §${s[1]}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(cited).toBeGreaterThan(20);
  });

  it('no comment points outside the repository, at a machine path or at a tracker issue', () => {
    const bad: string[] = [];
    for (const { path, text } of sources) {
      if (path === 'test/docs/references.test.ts') continue;
      text.split('\n').forEach((line, i) => {
        if (/\/work\/|\.\.\/shared\/docs|\(issue \d+\)/.test(line)) bad.push(`${path}:${i + 1}: ${line.trim()}`);
        if (/(^|[^.\w/])(labels|tak-protocol)\.md/.test(line)) bad.push(`${path}:${i + 1}: bare doc name (write docs/…): ${line.trim()}`);
      });
    }
    expect(bad).toEqual([]);
  });
});
