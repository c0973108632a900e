import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { PACKAGE_ROOT } from '../../src/node/config.js';

/** The `kizuna` command from source: node + the tsx loader (absolute, so any working directory works). */
export const KIZUNA = [process.execPath, '--import', pathToFileURL(join(PACKAGE_ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(PACKAGE_ROOT, 'src/cli/main.ts')];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** run as this user (root only): proves permission errors even where root would bypass them */
  uid?: number;
  gid?: number;
  input?: string;
}

function cliEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KIZUNA_')));
  return { ...base, VITEST: '', KIZUNA_LOG_LEVEL: 'warn', ...env };
}

/** Runs one `kizuna …` to completion. A command that hangs is killed after 150 s (a failure guard, not a time limit under test). */
export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      KIZUNA[0]!,
      [...KIZUNA.slice(1), ...args],
      { cwd: o.cwd ?? PACKAGE_ROOT, env: cliEnv(o.env), ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid ?? o.uid } : {}), maxBuffer: 16 << 20, timeout: 150_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (o.input !== undefined) child.stdin!.end(o.input);
    else child.stdin!.end();
  });
}

/** A long-running `kizuna` (serve) started until its JSON ready line; `stop` sends SIGTERM and waits. */
export async function startCli(args: string[], o: CliOptions = {}): Promise<{ proc: ChildProcess; ready: Record<string, unknown>; stop(): Promise<number | null> }> {
  const proc = spawn(KIZUNA[0]!, [...KIZUNA.slice(1), ...args], { cwd: o.cwd ?? PACKAGE_ROOT, env: cliEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const j = JSON.parse(line) as Record<string, unknown>;
        if (j.ready) resolve(j);
      } catch {
        /* not the ready line */
      }
    });
    proc.once('exit', (code) => reject(new Error(`kizuna ${args.join(' ')} exited with ${code} before ready:\n${err}`)));
  });
  return {
    proc,
    ready,
    stop: () =>
      proc.exitCode !== null || proc.signalCode !== null
        ? Promise.resolve(proc.exitCode)
        : new Promise((resolve) => {
            proc.once('exit', (code) => resolve(code));
            proc.kill('SIGTERM');
          }),
  };
}

/** Every port on 0 except those given. */
export function portFlags(over: Record<string, number> = {}): string[] {
  return ['tcp', 'tls', 'http', 'https', 'enroll', 'federation'].flatMap((k) => [`--${k}-port`, String(over[k] ?? 0)]);
}
