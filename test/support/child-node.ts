import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { repoRoot } from '../cot/fixtures.js';

export interface ChildNode {
  proc: ChildProcess;
  ready: { nation: string; node: string; tcp: number; tls: number; http: number; https: number; enroll: number; federation: number };
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `kizuna serve` in a child process (from source via tsx); resolves on its JSON ready line. */
export async function spawnNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildNode> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'serve', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VITEST: '', LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const rl = createInterface({ input: proc.stdout! });
  const ready = await new Promise<ChildNode['ready']>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not become ready in 120 s (a failure guard; a loaded machine starts a node in 15-40 s):\n${out}`)), 120_000);
    rl.on('line', (line) => {
      out += line + '\n';
      try {
        const j = JSON.parse(line) as ChildNode['ready'] & { ready?: boolean };
        if (j.ready) {
          clearTimeout(timer);
          resolve(j);
        }
      } catch {
        /* not the ready line */
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    proc,
    ready,
    output: () => out,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      // a process that already ended (exit code, or killed by a signal) resolves at once
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
      return new Promise((resolve) => {
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      });
    },
  };
}

/** GET `path` on a child node's REST API as its demo user `<nation>-<role>` (password kizuna-demo). */
export async function childApi<T>(c: ChildNode, role: 'coord' | 'operator', path: string): Promise<T> {
  const base = `http://127.0.0.1:${c.ready.http}`;
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `${c.ready.nation.toLowerCase()}-${role}`, password: 'kizuna-demo' }),
  });
  const { token } = (await login.json()) as { token: string };
  return (await (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
}
