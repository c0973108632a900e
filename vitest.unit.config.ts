/**
 * `npm run test:unit`: the fast loop without services. Same settings as vitest.config.ts, minus every test
 * that needs PostgreSQL, NATS, Chromium or a child process (found by what the test file imports, so a new
 * such test is left out without editing this file). The full `npm test` still runs all of them.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

const root = import.meta.dirname;
/** Whole folders of service tests. */
const SERVICE_DIRS = ['test/e2e/', 'test/scale/'];
/** What a test file imports when it needs a service or spawns a process. */
const NEEDS_SERVICE = [
  /support\/postgres\.js|usePostgres|from 'pg'|\/postgres\.js'/, // PostgreSQL
  /@nats-io|\/nats\.js'/, // NATS JetStream
  /playwright|\/e2e\/support\//, // Chromium
  /node:child_process|child-node\.js|spawnNode/, // child processes (CLI, python clients, kill -9)
];

function testFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) testFiles(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p).split('\\').join('/'));
  }
  return out;
}

export const serviceTests = ['src', 'test']
  .flatMap((d) => testFiles(join(root, d)))
  .filter((f) => SERVICE_DIRS.some((d) => f.startsWith(d)) || NEEDS_SERVICE.some((re) => re.test(readFileSync(join(root, f), 'utf8'))))
  .sort();

export default mergeConfig(base, defineConfig({ test: { exclude: ['**/node_modules/**', ...serviceTests] } }));
