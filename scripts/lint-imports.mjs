#!/usr/bin/env node
// Architecture lint (pure Node, no dependencies). Usage: node scripts/lint-imports.mjs [root]
// Rules:
//  (a) only src/labels/guard.ts may cast to Released (`as Released`, `as unknown as Released`);
//  (b) src/labels/** imports nothing outside src/labels and src/util (packages and node: builtins are
//      fine; *.test.ts files are exempt: tests may wire labels to other modules);
//  (c) src/cot, src/store, src/bus never import src/node, src/tak, src/api, src/federation, src/coordination;
//  (d) web/** imports nothing from src/ except src/api/contract.ts;
//  (e) only src/labels/authority.ts (and the test-only test/support/admitted.ts) may cast to Admitted: the
//      store's write paths take only what the write authority admitted;
//  (f) src/pipeline never imports src/node, src/api, src/federation, src/marti, src/coordination.
//  (g) src/feeds imports only src/feeds, src/cot, src/labels and src/util (tests exempt): feed tracks reach
//      the store only through the ingest pipeline the node hands in.
// Prints `file:line: (rule) message` per violation; exit 1 if any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'fixtures', 'coverage']);
const CODE = /\.(ts|tsx|mts|cts|js|mjs|cjs|jsx)$/;
const CAST = /\bas\s+(?:unknown\s+as\s+)?Released\b/;
const ADMIT_CAST = /\bas\s+(?:unknown\s+as\s+)?Admitted\b/;
const ADMIT_CASTERS = new Set(['src/labels/authority.ts', 'test/support/admitted.ts']);
const IMPORT_RES = [
  /\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /^\s*import\s*['"]([^'"]+)['"]/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (CODE.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const rel = (p) => relative(root, p).split(sep).join('/');
const under = (r, dir) => r === dir || r.startsWith(`${dir}/`);
/** the module a relative specifier points to, as a root-relative path without extension */
function target(file, spec) {
  if (!spec.startsWith('.')) return undefined;
  return rel(resolve(dirname(file), spec)).replace(/\.(ts|tsx|js|mjs|cjs|jsx)$/, '');
}

const violations = [];
const files = ['src', 'web', 'test', 'bench', 'bin'].flatMap((d) => walk(join(root, d), []));
for (const file of files) {
  const r = rel(file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const isTest = /\.test\.[cm]?[jt]sx?$/.test(r);
  lines.forEach((raw, i) => {
    const at = `${r}:${i + 1}`;
    // comments do not count (block-comment lines start with * or /*; line comments are cut off)
    if (/^\s*(\*|\/\*)/.test(raw)) return;
    const line = raw.replace(/(^|[^:'"`])\/\/.*$/, '$1');
    if (r !== 'src/labels/guard.ts' && CAST.test(line)) violations.push(`${at}: (a) cast to Released outside src/labels/guard.ts`);
    if (!ADMIT_CASTERS.has(r) && ADMIT_CAST.test(line)) violations.push(`${at}: (e) cast to Admitted outside src/labels/authority.ts`);
    for (const re of IMPORT_RES) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m; m = re.exec(line)) {
        const t = target(file, m[1]);
        if (t === undefined) continue;
        if (under(r, 'src/labels') && !isTest && !under(t, 'src/labels') && !under(t, 'src/util')) {
          violations.push(`${at}: (b) src/labels may import only src/labels and src/util, not ${t}`);
        }
        if (['src/cot', 'src/store', 'src/bus'].some((d) => under(r, d)) && ['src/node', 'src/tak', 'src/api', 'src/federation', 'src/coordination'].some((d) => under(t, d))) {
          violations.push(`${at}: (c) inner module imports outer ${t}`);
        }
        if (under(r, 'src/pipeline') && ['src/node', 'src/api', 'src/federation', 'src/marti', 'src/coordination'].some((d) => under(t, d))) {
          violations.push(`${at}: (f) src/pipeline imports outer ${t}`);
        }
        if (under(r, 'src/feeds') && !isTest && !['src/feeds', 'src/cot', 'src/labels', 'src/util'].some((d) => under(t, d))) {
          violations.push(`${at}: (g) src/feeds may import only src/feeds, src/cot, src/labels and src/util, not ${t}`);
        }
        if (under(r, 'web') && under(t, 'src') && t !== 'src/api/contract') {
          violations.push(`${at}: (d) web may import only src/api/contract.ts from src, not ${t}`);
        }
      }
    }
  });
}

for (const v of violations) console.error(v);
if (violations.length > 0) {
  console.error(`lint-imports: ${violations.length} violation(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`lint-imports: ok (${files.length} files)`);
