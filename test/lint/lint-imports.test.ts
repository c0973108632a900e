import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'lint-imports.mjs');
const trees: string[] = [];
afterAll(() => {
  for (const t of trees) rmSync(t, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kizuna-lint-'));
  trees.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}
function lint(root: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

// Built by concatenation so this file does not itself trip rule (a) when the repository is linted.
const REL = 'Rel' + 'eased';
const ADM = 'Adm' + 'itted';
const clean = {
  'src/labels/guard.ts': `import { x } from '../util/errors.js';\nexport const r = {} as unknown as ${REL}<number>;\n`,
  'src/labels/types.ts': "import { z } from 'zod';\nimport { readFileSync } from 'node:fs';\n",
  'src/labels/x.test.ts': "import { parseCotXml } from '../cot/xml.js';\n",
  'src/cot/xml.ts': "import { KizunaError } from '../util/errors.js';\nimport type { SecurityLabel } from '../labels/types.js';\n",
  'src/node/main.ts': "import { createGuard } from '../labels/index.js';\nimport { x } from '../api/index.js';\nimport { y } from '../tak/server.js';\n",
  'src/vocab/index.ts': "export { ROLES } from './roles.js';\nimport { z } from 'zod';\n",
  'src/coordination/model.ts': "import type { Phase } from '../vocab/index.js';\nimport type { SecurityLabel } from '../labels/types.js';\n",
  'src/api/routes.ts': "import { createCoordination } from '../coordination/index.js';\nimport type { Role } from '../vocab/index.js';\n",
  'src/labels/marking.ts': "import type { LabelView } from '../vocab/index.js';\n",
  'src/federation/link.ts': "import { signBinding } from '../labels/index.js';\nimport { a } from '../store/types.js';\n",
  'src/federation/x.test.ts': "import { startNode } from '../node/node.js';\nimport { b } from '../marti/files/store.js';\n",
  'web/src/desk.ts': "import { PHASES } from '../../src/vocab/index.js';\n",
  'src/api/test-support.ts': "import { waitFor } from '../../test/support/wait.js';\nimport { x } from '../store/contract.js';\n",
  'src/store/x.test.ts': "import { storeContract } from './contract.js';\n",
  'src/feeds/feed.ts': "import type { CotEvent } from '../cot/model.js';\nimport { KizunaError } from '../util/errors.js';\nimport { a } from './ais.js';\n",
  'src/feeds/x.test.ts': "import { startNode } from '../node/node.js';\n",
  'web/src/app.ts': "import type { TrackView } from '../../src/api/contract.js';\nimport maplibre from 'maplibre-gl';\n",
  'src/labels/authority.ts': `export const a = {} as ${ADM}<number>;\n`,
  'test/support/admitted.ts': `export const b = {} as unknown as ${ADM}<number>;\n`,
  'src/pipeline/ingest.ts': "import { admit } from '../labels/index.js';\nimport type { Store } from '../store/types.js';\n",
  'src/tak/comment.ts': `/**\n * never write \`as ${REL}\` here\n */\nconst s = 1; // as ${REL} is forbidden\n`,
};

describe('scripts/lint-imports.mjs', () => {
  it('passes a clean tree', () => {
    const r = lint(tree(clean));
    expect(r.out).toContain('lint-imports: ok');
    expect(r.code).toBe(0);
  });

  type Case = [name: string, files: Record<string, string>, expected: string];
  /** A tree with one offending file: the message names that file, the line and the rule the name starts with. */
  const oneFile = (name: string, file: string, text: string, line = 1, detail = ''): Case => [name, { [file]: text }, `${file}:${line}: ${/^\(\w\)/.exec(name)![0]}${detail}`];
  const bad: Case[] = [
    oneFile('(a) cast outside the guard', 'src/tak/writer.ts', `const a = 1;\nconst r = x as ${REL}<Foo>;\n`, 2),
    oneFile('(a) double cast in a test', 'test/x.test.ts', `const r = y as unknown as ${REL}<number>;\n`),
    oneFile('(b) labels importing node', 'src/labels/algebra.ts', "import { PACKAGE_ROOT } from '../node/config.js';\n"),
    oneFile('(b) labels multi-line import of api', 'src/labels/marking.ts', "import {\n  type LabelView,\n} from '../api/contract.js';\n", 3),
    oneFile('(b) labels dynamic import', 'src/labels/a.ts', "const m = await import('../cot/xml.js');\n"),
    oneFile('(c) store importing tak', 'src/store/sqlite.ts', "export { a } from '../tak/routing.js';\n"),
    oneFile('(c) bus importing federation', 'src/bus/nats.ts', "import '../federation/peer.js';\n"),
    oneFile('(j) cast to Admitted outside the authority', 'src/marti/files/routes.ts', `const r = rec as ${ADM}<Rec>;\n`),
    oneFile('(j) cast to Admitted in a product test', 'src/node/x.test.ts', `const r = e as unknown as ${ADM}<E>;\n`),
    oneFile('(k) pipeline importing node', 'src/pipeline/ingest.ts', "import { startNode } from '../node/node.js';\n"),
    oneFile('(k) pipeline importing federation', 'src/pipeline/x.ts', "import type { Federation } from '../federation/index.js';\n"),
    oneFile('(l) feeds importing the store', 'src/feeds/sink.ts', "import type { Store } from '../store/types.js';\n"),
    oneFile('(l) feeds importing node', 'src/feeds/x.ts', "const a = 1;\nimport { ingest } from '../node/ingest.js';\n", 2),
    oneFile('(d) web importing labels', 'web/src/map.ts', "import { renderMarking } from '../../src/labels/index.js';\n"),
    oneFile('(e) vocab importing labels', 'src/vocab/views.ts', "import type { SecurityLabel } from '../labels/types.js';\n"),
    oneFile('(e) vocab importing util', 'src/vocab/roles.ts', "export { KizunaError } from '../util/errors.js';\n"),
    oneFile('(f) tak importing node', 'src/tak/server.ts', "import { PACKAGE_ROOT } from '../node/config.js';\n"),
    oneFile('(f) coordination importing api', 'src/coordination/views.ts', "import type { RequestView } from '../api/index.js';\n"),
    oneFile('(f) marti importing node', 'src/marti/files/routes.ts', "import { x } from '../../node/config.js';\n"),
    [
      '(g) a cycle between folders',
      { 'src/store/a.ts': "import { x } from '../bus/types.js';\n", 'src/bus/b.ts': "import { y } from '../store/types.js';\n" },
      '(g) folder cycle bus -> store -> bus',
    ],
    [
      '(g) a longer cycle',
      { 'src/cot/a.ts': "import { x } from '../util/b.js';\n", 'src/util/b.ts': "import { y } from '../tak/c.js';\n", 'src/tak/c.ts': "import { z } from '../cot/a.js';\n" },
      '(g) folder cycle cot -> util -> tak -> cot',
    ],
    oneFile('(h) deep import into federation', 'src/tak/x.ts', "import { createFileTransfer } from '../federation/file-transfer.js';\n"),
    oneFile('(h) deep import into labels', 'src/store/x.ts', "import { signBinding } from '../labels/binding.js';\n"),
    oneFile('(i) production code importing test support', 'src/tak/y.ts', "import { startBench } from '../api/test-support.js';\n"),
    oneFile('(i) production code importing the store contract', 'src/store/sqlite.ts', "import { storeContract } from './contract.js';\n"),
    oneFile('(i) production code importing test/', 'src/util/x.ts', "import { waitFor } from '../../test/support/wait.js';\n"),
    oneFile('(m) a source file over 400 lines', 'src/tak/long.ts', 'export const a = 1;\n'.repeat(401), 401, ' 401 lines'),
    oneFile('(m) a test file over 400 lines', 'test/x.test.ts', '// a\n'.repeat(401), 401),
    oneFile('(m) a web file over 400 lines', 'web/src/a.ts', '\n'.repeat(401), 401),
    oneFile('(m) an allow-listed file that fits', 'web/src/i18n.ts', 'export const a = 1;\n', 1, ' fits in 400 lines now'),
    ['(h) an unclassified folder', { 'src/newroom/x.ts': 'export const a = 1;\n', 'src/tak/y.ts': "import { a } from '../newroom/x.js';\n" }, '(h) src/newroom is in neither'],
  ];
  it.each(bad)('fails on %s with file:line', (_name, files, expected) => {
    const r = lint(tree({ ...clean, ...files }));
    expect(r.code).toBe(1);
    expect(r.out).toContain(expected);
  });

  it('allows 400 lines, and longer files outside src/, web/src/ and test/', () => {
    const r = lint(tree({ ...clean, 'src/tak/full.ts': 'export const a = 1;\n'.repeat(400), 'bench/long.ts': '\n'.repeat(900) }));
    expect(r.out).toContain('lint-imports: ok');
  });

  it('allows deep imports in tests', () => {
    const r = lint(tree({ ...clean, 'src/node/node.test.ts': "import { createFileTransfer } from '../federation/file-transfer.js';\n" }));
    expect(r.out).toContain('lint-imports: ok');
  });

  it('passes on this repository', () => {
    const r = lint(join(import.meta.dirname, '..', '..'));
    expect(r.out).toContain('lint-imports: ok');
    expect(r.code).toBe(0);
  });
});
