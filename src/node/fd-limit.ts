import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../util/log.js';

export interface FdLimit {
  soft: number;
  hard: number;
}

/** The process's open-file limits from /proc/self/limits (Linux); undefined elsewhere or when unlimited. */
export async function readFdLimit(): Promise<FdLimit | undefined> {
  const text = await readFile('/proc/self/limits', 'utf8').catch(() => undefined);
  const m = text?.match(/^Max open files\s+(\d+)\s+(\d+)/m);
  return m ? { soft: Number(m[1]), hard: Number(m[2]) } : undefined;
}

/**
 * Raises this process's soft open-file limit to its hard limit where allowed. Node has no setrlimit;
 * util-linux's `prlimit --pid` does it from outside. (Node itself already raises the soft limit at
 * start-up on most platforms; this covers the others.) Failure is logged, never fatal: the connection
 * budget is then computed from the lower limit.
 */
export async function raiseFdLimit(log: Logger): Promise<FdLimit | undefined> {
  const before = await readFdLimit();
  if (!before || before.soft >= before.hard) return before;
  const ok = await new Promise<boolean>((resolve) => {
    execFile('prlimit', ['--pid', String(process.pid), `--nofile=${before.hard}:${before.hard}`], { timeout: 5_000 }, (err) => {
      if (err) log.warn({ soft: before.soft, hard: before.hard, err: err.message }, 'could not raise the open-file limit (prlimit); keeping the soft limit');
      resolve(!err);
    });
  });
  const after = (await readFdLimit()) ?? before;
  if (ok) log.info({ from: before.soft, to: after.soft }, 'raised the open-file limit');
  return after;
}
