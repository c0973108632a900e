#!/usr/bin/env node
// Architecture lint (pure Node, no dependencies). Usage: node scripts/lint-imports.mjs [root]
// Rules:
//  (a) only src/labels/guard.ts may cast to Released (`as Released`, `as unknown as Released`);
//  (b) src/labels/** imports nothing outside src/labels, src/util and src/vocab (packages and node: builtins are
//      fine; *.test.ts files are exempt: tests may wire labels to other modules);
//  (c) src/cot, src/store, src/bus never import src/node, src/tak, src/api, src/federation, src/coordination;
//  (d) web/** imports nothing from src/ except src/api/contract.ts and src/vocab/**;
//  (e) src/vocab/** is a leaf: it imports nothing of the project;
//  (f) src/tak, src/federation, src/marti, src/coordination never import src/node or src/api;
//  (g) no cycles between the folders of src/ (edges from non-test files);
//  (h) an import into another src/ folder goes through that folder's index.ts (its public entry), for the
//      folders listed in INDEX_ENTRIES; other folders have no index yet (INDEX_EXEMPT_FOLDERS), and the
//      imports in INDEX_EXCEPTIONS are known and to be removed.
//  (i) test-only modules (src/**/test-support.ts, src/store/contract*.ts, src/bus/contract.ts, test/**) are
//      imported by tests only; tsconfig.build.json keeps them out of dist/.
//  (j) only src/labels/authority.ts (and the test-only test/support/admitted.ts) may cast to Admitted: the
//      store's write paths take only what the write authority admitted;
//  (k) src/pipeline never imports src/node, src/api, src/federation, src/marti, src/coordination;
//  (l) src/feeds imports only src/feeds, src/cot, src/labels, src/util and src/vocab: feed tracks reach the store only
//      through the ingest pipeline the node hands in;
//  (m) no file under src/, web/src/ or test/ is longer than MAX_LINES (400) lines: a longer file holds more than
//      one responsibility and is split along its seams. LONG_FILES lists the known exceptions, each with its reason.
// Rules (b) and (e)-(i), (k), (l) apply to non-test files (tests may wire modules together and reach inside).
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

/** (h) Folders with a public entry: the modules other folders may import (index.ts plus documented extras). */
const INDEX_ENTRIES = {
  api: ['index'],
  certs: ['index'],
  coordination: ['index'],
  federation: ['index'],
  marti: ['index'],
  vocab: ['index'],
  labels: ['index', 'types', 'released', 'guard-types', 'admitted'],
  pipeline: ['index'],
  feeds: ['index'],
};
/** (h) Folders without an index.ts yet: imports into them are not restricted. */
const INDEX_EXEMPT_FOLDERS = ['bus', 'cli', 'cot', 'demo', 'node', 'store', 'tak', 'util'];
/** (h) Known deep imports, `from -> to` (root-relative, no extension); each is a debt to pay. */
const INDEX_EXCEPTIONS = new Set([
]);
/** (i) Modules only tests may import (they import vitest or test/support, and are not built into dist/). */
const TEST_ONLY = /^(test\/|src\/.*\/test-support$|src\/store\/contract(-[a-z]+)?$|src\/bus\/contract$)/;
const isTestOnly = (r) => TEST_ONLY.test(r.replace(/\.[cm]?[jt]sx?$/, ''));
/** (m) The longest a source or test file may be, in lines. */
const MAX_LINES = 400;
/** (m) Files allowed over MAX_LINES: path -> why. Each entry is a debt to pay, not a precedent. */
const LONG_FILES = new Map([
  ['web/src/i18n.ts', 'the COP message table (data, one key a line), edited by the web owners; split per language with their next change'],
]);
const NEVER_NODE_OR_API = ['src/tak', 'src/federation', 'src/marti', 'src/coordination'];
const folderOf = (p) => (p.startsWith('src/') ? p.split('/')[1] : undefined);

const violations = [];
/** (g) folder graph: from -> to -> first import seen (file:line) */
const folderEdges = new Map();
const unclassified = new Set();
const files = ['src', 'web', 'test', 'bench', 'bin'].flatMap((d) => walk(join(root, d), []));
for (const file of files) {
  const r = rel(file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const isTest = /\.test\.[cm]?[jt]sx?$/.test(r);
  checkLength(r, lines);
  lines.forEach((raw, i) => {
    const at = `${r}:${i + 1}`;
    // comments do not count (block-comment lines start with * or /*; line comments are cut off)
    if (/^\s*(\*|\/\*)/.test(raw)) return;
    const line = raw.replace(/(^|[^:'"`])\/\/.*$/, '$1');
    if (r !== 'src/labels/guard.ts' && CAST.test(line)) violations.push(`${at}: (a) cast to Released outside src/labels/guard.ts`);
    if (!ADMIT_CASTERS.has(r) && ADMIT_CAST.test(line)) violations.push(`${at}: (j) cast to Admitted outside src/labels/authority.ts`);
    for (const re of IMPORT_RES) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m; m = re.exec(line)) {
        const t = target(file, m[1]);
        if (t === undefined) continue;
        if (under(r, 'src/labels') && !isTest && !under(t, 'src/labels') && !under(t, 'src/util') && !under(t, 'src/vocab')) {
          violations.push(`${at}: (b) src/labels may import only src/labels, src/util and src/vocab, not ${t}`);
        }
        if (['src/cot', 'src/store', 'src/bus'].some((d) => under(r, d)) && ['src/node', 'src/tak', 'src/api', 'src/federation', 'src/coordination'].some((d) => under(t, d))) {
          violations.push(`${at}: (c) inner module imports outer ${t}`);
        }
        if (under(r, 'src/pipeline') && !isTest && ['src/node', 'src/api', 'src/federation', 'src/marti', 'src/coordination'].some((d) => under(t, d))) {
          violations.push(`${at}: (k) src/pipeline imports outer ${t}`);
        }
        if (under(r, 'src/feeds') && !isTest && !['src/feeds', 'src/cot', 'src/labels', 'src/util', 'src/vocab'].some((d) => under(t, d))) {
          violations.push(`${at}: (l) src/feeds may import only src/feeds, src/cot, src/labels, src/util and src/vocab, not ${t}`);
        }
        if (under(r, 'web') && under(t, 'src') && t !== 'src/api/contract' && !under(t, 'src/vocab')) {
          violations.push(`${at}: (d) web may import only src/api/contract.ts and src/vocab from src, not ${t}`);
        }
        if (!isTest && under(r, 'src') && !isTestOnly(r) && isTestOnly(t)) violations.push(`${at}: (i) test-only module ${t} imported by production code`);
        if (!isTest) checkFolders(r, t, at);
      }
    }
  });
}

checkCycles();

/** (m) File length: a trailing newline does not count as a line (as `wc -l` counts). */
function checkLength(r, lines) {
  if (!['src', 'web/src', 'test'].some((d) => under(r, d))) return;
  const n = lines.at(-1) === '' ? lines.length - 1 : lines.length;
  if (n <= MAX_LINES && LONG_FILES.has(r)) violations.push(`${r}:1: (m) fits in ${MAX_LINES} lines now: remove it from LONG_FILES`);
  if (n > MAX_LINES && !LONG_FILES.has(r)) {
    violations.push(`${r}:${MAX_LINES + 1}: (m) ${n} lines, over the ${MAX_LINES}-line limit: split it along its responsibilities`);
  }
}

/** Rules (e), (f), (h) for one import of a non-test file, and the folder edge for (g). */
function checkFolders(r, t, at) {
  if (under(r, 'src/vocab') && !under(t, 'src/vocab')) violations.push(`${at}: (e) src/vocab is a leaf and may not import ${t}`);
  if (NEVER_NODE_OR_API.some((d) => under(r, d)) && (under(t, 'src/node') || under(t, 'src/api'))) {
    violations.push(`${at}: (f) ${r.split('/').slice(0, 2).join('/')} may not import ${t}`);
  }
  const from = folderOf(r);
  const to = folderOf(t);
  if (from === undefined || to === undefined || from === to) return;
  if (!folderEdges.has(from)) folderEdges.set(from, new Map());
  if (!folderEdges.get(from).has(to)) folderEdges.get(from).set(to, at);
  const entries = INDEX_ENTRIES[to];
  if (!entries && !INDEX_EXEMPT_FOLDERS.includes(to) && !unclassified.has(to)) {
    unclassified.add(to);
    violations.push(`${at}: (h) src/${to} is in neither INDEX_ENTRIES nor INDEX_EXEMPT_FOLDERS of scripts/lint-imports.mjs`);
  }
  const module = t.slice(`src/${to}/`.length);
  if (entries && !entries.includes(module) && !INDEX_EXCEPTIONS.has(`${r.replace(/\.[cm]?[jt]sx?$/, '')} -> ${t}`)) {
    violations.push(`${at}: (h) import src/${to} through its index.ts (${entries.map((e) => `src/${to}/${e}`).join(', ')}), not ${t}`);
  }
}

/** (g) Depth-first search for cycles in the folder graph; each cycle is reported once, with one import per edge. */
function checkCycles() {
  const state = new Map();
  const stack = [];
  const seen = new Set();
  const visit = (f) => {
    state.set(f, 'open');
    stack.push(f);
    for (const [to] of folderEdges.get(f) ?? []) {
      if (state.get(to) === 'open') {
        const ring = stack.slice(stack.indexOf(to));
        const key = [...ring].sort().join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        // start at the alphabetically first folder, so a cycle always reads the same way
        const first = ring.indexOf([...ring].sort()[0]);
        const cycle = [...ring.slice(first), ...ring.slice(0, first), ring[first]];
        const via = cycle.slice(0, -1).map((a, i) => folderEdges.get(a).get(cycle[i + 1]));
        violations.push(`${via[0]}: (g) folder cycle ${cycle.join(' -> ')} (imports: ${via.join('; ')})`);
      } else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...folderEdges.keys()].sort()) if (!state.has(f)) visit(f);
}

for (const v of violations) console.error(v);
if (violations.length > 0) {
  console.error(`lint-imports: ${violations.length} violation(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`lint-imports: ok (${files.length} files)`);
