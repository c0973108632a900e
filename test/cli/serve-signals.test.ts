/**
 * `kizuna serve` under a supervisor: a SIGTERM at any moment after the process has begun (here: as soon as
 * its data directory exists, i.e. while the node is still starting) ends it cleanly with exit code 0.
 * Before the stop listener was installed first, such a signal took Node's default action and the process
 * died with the signal (an unclean stop that CI once saw as a README command failing with exit code 1).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDir, waitFor } from '../support/index.js';
import { KIZUNA, portFlags, startCli } from './run-cli.js';

const dirs: { cleanup(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function fresh(): string {
  const d = tmpDir('kizuna-signal-');
  dirs.push(d);
  return join(d.dir, "node");
}

describe('kizuna serve stops cleanly on SIGTERM', { timeout: 120_000 }, () => {
  it('a SIGTERM while the node is still starting: exit code 0, no signal death', async () => {
    const data = fresh();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KIZUNA_')));
    const proc = spawn(KIZUNA[0]!, [...KIZUNA.slice(1), 'serve', '--nation', 'JPN', '--data', data, ...portFlags()], {
      env: { ...env, VITEST: '', KIZUNA_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    await waitFor(() => existsSync(data) || proc.exitCode !== null, 'the data directory (serve has begun)', 60_000);
    proc.kill('SIGTERM');
    const r = await exited;
    expect({ ...r, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('a SIGTERM the moment the ready line is read: exit code 0', async () => {
    const node = await startCli(['serve', '--nation', 'JPN', '--data', fresh(), ...portFlags()]);
    expect(await node.stop()).toBe(0);
    expect(node.proc.signalCode).toBeNull();
  });
});
