import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { raiseFdLimit, readFdLimit } from './fd-limit.js';

describe('open-file limit', () => {
  it('raises a lowered soft limit back to the hard limit with prlimit', async () => {
    const start = await readFdLimit();
    if (!start) throw new Error('/proc/self/limits not readable: this test needs Linux');
    const low = Math.min(1024, start.hard);
    // Node raises the soft limit itself at start-up; lower it from outside, as a service manager might.
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${low}:${start.hard}`]);
    expect((await readFdLimit())!.soft).toBe(low);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const after = await raiseFdLimit(log);
    expect(after).toEqual({ soft: start.hard, hard: start.hard });
    expect(lines.some((l) => l.includes('raised the open-file limit'))).toBe(true);
  });
});
