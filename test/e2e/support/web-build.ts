/**
 * Makes sure web/dist is a build of the current web/ sources before a browser test loads it.
 * Several vitest workers may call this at once: an exclusive lock file serialises the build.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../src/node/config.js';
import { sleep } from '../../support/node-harness.js';

const WEB = join(PACKAGE_ROOT, 'web');
const DIST_INDEX = join(WEB, 'dist', 'index.html');
// outside the work tree, one per checkout
const LOCK = join(tmpdir(), `kizuna-web-build-${createHash('sha256').update(PACKAGE_ROOT).digest('hex').slice(0, 12)}.lock`);

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newestMtime(join(path, name)));
  return max;
}

/** Inputs of the web build: sources, the page, the build scripts and the wire contract it imports. */
function sourcesMtime(): number {
  const inputs = [join(WEB, 'src'), join(WEB, 'build'), join(WEB, 'index.html'), join(WEB, 'vite.config.ts'), join(PACKAGE_ROOT, 'src', 'api', 'contract.ts')];
  return Math.max(...inputs.filter((p) => existsSync(p)).map(newestMtime));
}

export function webBuildIsCurrent(): boolean {
  return existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sourcesMtime();
}

export async function ensureWebBuilt(): Promise<void> {
  if (webBuildIsCurrent()) return;
  const deadline = Date.now() + 180_000;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(LOCK, 'wx');
    } catch {
      // another worker is building; a lock older than 3 minutes is from a crashed run
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 180_000) rmSync(LOCK, { force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another worker to build web/dist');
      await sleep(250);
    }
  }
  try {
    if (webBuildIsCurrent()) return;
    execFileSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(WEB, 'vite.config.ts'), '--logLevel', 'warn'], {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 170_000,
    });
    if (!webBuildIsCurrent()) throw new Error('vite build finished but web/dist/index.html is still older than web/src');
  } finally {
    closeSync(fd);
    rmSync(LOCK, { force: true });
  }
}
