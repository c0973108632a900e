/**
 * Runs every ```sh block of README.md as written, in bash, in a fresh temporary directory, with `kizuna` (and
 * `npx kizuna`) being this checkout's CLI. Substitutions, all listed in PLAN and nowhere else:
 * - `serve` and `demo` run until ready and are then stopped (SIGTERM, must exit 0); their ports become 0
 *   (any free port) because the README's fixed ports may be taken on a shared machine (test/cli/readme-shim.mjs);
 * - `npm ci` is a no-op (this test run has the dependencies installed already);
 * - the scale-out block gets a temporary data directory, its own PostgreSQL schema and node id (shared servers).
 * - the feeds block's UDP port 10110 becomes 0 (any free port), like the node's own ports.
 * A block not in PLAN fails the test, so a new README block is either run or skipped with a reason.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/node/config.js';
import { dropScaleResources } from '../support/scale-resources.js';
import { KIZUNA } from './run-cli.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const NATS = 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');

interface Plan {
  /** text that identifies the block */
  match: string;
  skip?: string;
  substitute?: (block: string, dir: string) => string;
  /** checks after a successful run (the working directory and the output) */
  check?: (dir: string, stdout: string) => void;
  cleanup?: () => Promise<void>;
}

const PLAN: Plan[] = [
  { match: 'npm ci && npm test', skip: 'the whole test suite, which includes this test' },
  { match: 'npx kizuna demo --nations JPN,USA,PHL', skip: 'three demo nodes: run by test/federation-node/demo-trilateral.test.ts' },
  {
    match: 'npm ci && npx kizuna demo',
    check: (dir, out) => {
      expect(out.match(/^\{"ready":true/gm)).toHaveLength(2);
      expect(existsSync(join(dir, '.kizuna', 'demo', 'jpn', 'pki', 'ca.pem'))).toBe(true);
    },
  },
  {
    match: 'npx kizuna serve --nation JPN\n',
    check: (dir, out) => {
      expect(out).toMatch(/^\{"ready":true,"nation":"JPN"/m);
      expect(out).toMatch(/^audit OK: \d+ entries/m);
      expect(existsSync(join(dir, '.kizuna', 'jpn', 'kizuna.db'))).toBe(true);
    },
  },
  {
    match: 'npx kizuna certs init --nation JPN',
    check: (dir, out) => {
      for (const f of ['alice.p12', 'alice-connection.zip', '.kizuna/jpn/pki/ca.pem']) expect(existsSync(join(dir, f)), f).toBe(true);
      expect(out).toMatch(/^revoked alice serial /m);
      expect(out).toMatch(/^tak:\/\/com\.atakmap\.app\/enroll\?host=tak\.example\.jp%3A8089&username=bob&token=/m);
    },
  },
  { match: 'npx kizuna label decide' },
  {
    match: 'npx kizuna serve --nation JPN --config feeds.json',
    substitute: (block) => block.replace('"port": 10110', '"port": 0'),
    check: (dir, out) => {
      expect(out).toMatch(/^\{"ready":true,"nation":"JPN"/m);
      expect(existsSync(join(dir, 'feeds.json'))).toBe(true);
    },
  },
  {
    match: "S='postgres://",
    substitute: (block, dir) =>
      block
        .replaceAll('/srv/kizuna/jpn', join(dir, 'srv/kizuna/jpn'))
        .replaceAll('schema=kizuna_jpn', `schema=kz_readme_${suffix}`)
        .replaceAll('--nation JPN', `--nation JPN --node-id JPN-readme-${suffix}`),
    check: (_dir, out) => expect(out.match(/^\{"ready":true,"nation":"JPN"/gm)).toHaveLength(2),
    cleanup: () => dropScaleResources(PG, `kz_readme_${suffix}`, NATS, `JPN-readme-${suffix}`),
  },
];

function shBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

const PRELUDE = [
  'set -euo pipefail',
  'npx() { "$@"; }', // `npx kizuna` → the `kizuna` on PATH
  'npm() { if [ "$1" = ci ]; then echo "(npm ci: dependencies already installed)"; return 0; fi; echo "npm $* is not run here" >&2; return 1; }',
].join('\n');

function runBlock(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KIZUNA_')));
  // `kizuna` on PATH is the shim, in a directory of its own (the block's directory stays as fresh as a user's)
  const bin = mkdtempSync(join(tmpdir(), 'kizuna-readme-bin-'));
  dirs.push(bin);
  return new Promise((resolve) => {
    const setup = `ln -s ${join(PACKAGE_ROOT, 'test/cli/readme-shim.mjs')} ${bin}/kizuna\nexport PATH=${bin}:$PATH\n`;
    const p = spawn('bash', ['-c', `${setup}${PRELUDE}\n${script}`], {
      cwd,
      env: { ...env, VITEST: '', KIZUNA_LOG_LEVEL: 'warn', KIZUNA_README_CLI: JSON.stringify(KIZUNA) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const blocks = shBlocks(readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8'));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const p of PLAN) await p.cleanup?.();
});

describe('README.md: every sh block runs as written on a fresh directory', { timeout: 300_000 }, () => {
  it('every block is in the plan exactly once (run or skipped with a reason)', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(PLAN.filter((p) => b.includes(p.match)).length, `block:\n${b}`).toBe(1);
    for (const p of PLAN) expect(blocks.filter((b) => b.includes(p.match)).length, `plan entry ${p.match}`).toBe(1);
  });

  for (const plan of PLAN.filter((p) => !p.skip)) {
    it(`runs: ${plan.match.trim()}`, async () => {
      const block = blocks.find((b) => b.includes(plan.match));
      expect(block, 'block present in README.md').toBeDefined();
      const dir = mkdtempSync(join(tmpdir(), 'kizuna-readme-'));
      dirs.push(dir);
      const script = plan.substitute ? plan.substitute(block!, dir) : block!;
      const r = await runBlock(script, dir);
      expect(r.code, `exit code of:\n${script}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
      // `# → text` under a command is its expected output line
      for (const m of block!.matchAll(/^# → (.*)$/gm)) expect(r.stdout.split('\n'), m[1]).toContain(m[1]);
      plan.check?.(dir, r.stdout);
    });
  }
});
