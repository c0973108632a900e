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
  'src/node/main.ts': "import { createGuard } from '../labels/index.js';\nimport { x } from '../api/contract.js';\n",
  'src/feeds/feed.ts': "import type { CotEvent } from '../cot/model.js';\nimport { KizunaError } from '../util/errors.js';\nimport { a } from './ais.js';\n",
  'src/feeds/x.test.ts': "import { startNode } from '../node/node.js';\n",
  'web/src/app.ts': "import type { TrackView } from '../../src/api/contract.js';\nimport maplibre from 'maplibre-gl';\n",
  'src/labels/authority.ts': `export const a = {} as ${ADM}<number>;\n`,
  'test/support/admitted.ts': `export const b = {} as unknown as ${ADM}<number>;\n`,
  'src/pipeline/ingest.ts': "import { admit } from '../labels/authority.js';\nimport type { Store } from '../store/types.js';\n",
  'src/tak/comment.ts': `/**\n * never write \`as ${REL}\` here\n */\nconst s = 1; // as ${REL} is forbidden\n`,
};

describe('scripts/lint-imports.mjs', () => {
  it('passes a clean tree', () => {
    const r = lint(tree(clean));
    expect(r.out).toContain('lint-imports: ok');
    expect(r.code).toBe(0);
  });

  const bad: [string, Record<string, string>, string][] = [
    ['(a) cast outside the guard', { 'src/tak/writer.ts': `const a = 1;\nconst r = x as ${REL}<Foo>;\n` }, 'src/tak/writer.ts:2: (a)'],
    ['(a) double cast in a test', { 'test/x.test.ts': `const r = y as unknown as ${REL}<number>;\n` }, 'test/x.test.ts:1: (a)'],
    ['(b) labels importing node', { 'src/labels/algebra.ts': "import { PACKAGE_ROOT } from '../node/config.js';\n" }, 'src/labels/algebra.ts:1: (b)'],
    ['(b) labels multi-line import of api', { 'src/labels/marking.ts': "import {\n  type LabelView,\n} from '../api/contract.js';\n" }, 'src/labels/marking.ts:3: (b)'],
    ['(b) labels dynamic import', { 'src/labels/a.ts': "const m = await import('../cot/xml.js');\n" }, 'src/labels/a.ts:1: (b)'],
    ['(c) store importing tak', { 'src/store/sqlite.ts': "export { a } from '../tak/routing.js';\n" }, 'src/store/sqlite.ts:1: (c)'],
    ['(c) bus importing federation', { 'src/bus/nats.ts': "import '../federation/peer.js';\n" }, 'src/bus/nats.ts:1: (c)'],
    ['(e) cast to Admitted outside the authority', { 'src/marti/files/routes.ts': `const r = rec as ${ADM}<Rec>;\n` }, 'src/marti/files/routes.ts:1: (e)'],
    ['(e) cast to Admitted in a product test', { 'src/node/x.test.ts': `const r = e as unknown as ${ADM}<E>;\n` }, 'src/node/x.test.ts:1: (e)'],
    ['(f) pipeline importing node', { 'src/pipeline/ingest.ts': "import { startNode } from '../node/node.js';\n" }, 'src/pipeline/ingest.ts:1: (f)'],
    ['(f) pipeline importing federation', { 'src/pipeline/x.ts': "import type { Federation } from '../federation/index.js';\n" }, 'src/pipeline/x.ts:1: (f)'],
    ['(g) feeds importing the store', { 'src/feeds/sink.ts': "import type { Store } from '../store/types.js';\n" }, 'src/feeds/sink.ts:1: (g)'],
    ['(g) feeds importing node', { 'src/feeds/x.ts': "const a = 1;\nimport { ingest } from '../node/ingest.js';\n" }, 'src/feeds/x.ts:2: (g)'],
    ['(d) web importing labels', { 'web/src/map.ts': "import { renderMarking } from '../../src/labels/index.js';\n" }, 'web/src/map.ts:1: (d)'],
  ];
  it.each(bad)('fails on %s with file:line', (_name, files, expected) => {
    const r = lint(tree({ ...clean, ...files }));
    expect(r.code).toBe(1);
    expect(r.out).toContain(expected);
  });

  it('passes on this repository', () => {
    const r = lint(join(import.meta.dirname, '..', '..'));
    expect(r.out).toContain('lint-imports: ok');
    expect(r.code).toBe(0);
  });
});
