import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite.js';

const CHILD = resolve(import.meta.dirname, '../../test/store/sqlite-durability-child.ts');

describe('sqlite durability', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('every acknowledged event survives kill -9 of the writing process', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kizuna-durable-'));
    const file = join(dir, 'node.db');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Kill at a point that varies run to run, mid-stream, without waiting for a quiet moment.
    const killAfter = 1500 + Math.floor(Math.random() * 1500);
    const lastAcked = await new Promise<number>((res, rej) => {
      let acked = 0;
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) {
          const m = /^acked (\d+)$/.exec(line);
          if (m) acked = Number(m[1]);
        }
        if (acked >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') res(acked);
        else rej(new Error(`child exited on its own (code ${code}): ${stderr}`));
      });
    });
    expect(lastAcked).toBeGreaterThanOrEqual(killAfter);

    const store = await openSqliteStore(file);
    try {
      const all = await store.events.latest({ now: 0, includeStale: true, limit: 1_000_000 });
      const ids = new Set(all.map((e) => e.id));
      const missing: string[] = [];
      for (let n = 1; n <= lastAcked; n++) if (!ids.has(`d-${n}`)) missing.push(`d-${n}`);
      expect(missing).toEqual([]);
      expect(all.length).toBeGreaterThanOrEqual(lastAcked);
    } finally {
      await store.close();
    }
  });
});
