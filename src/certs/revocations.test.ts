/**
 * A revocation written by another process right after this one started listening must reach the listener,
 * however busy the thread pool is (live sessions of the revoked certificate are closed from onRevoke).
 */
import { pbkdf2 } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait.js';
import { openRevocations } from './revocations.js';

const dir = mkdtempSync(join(tmpdir(), 'kizuna-revocations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Occupies every thread-pool thread for a while (the default pool has 4). */
function busyThreadPool(): Promise<void> {
  return Promise.all(Array.from({ length: 8 }, () => new Promise<void>((r) => pbkdf2('x', 'salt', 300_000, 32, 'sha512', () => r())))).then(() => undefined);
}

describe('revocations: listening', () => {
  it('hears a revocation written at once after onRevoke, while the thread pool is busy', async () => {
    const node = openRevocations(dir, { pollMs: 20 });
    const heard: string[] = [];
    const busy = busyThreadPool();
    node.onRevoke((s) => void heard.push(s));
    const cli = openRevocations(dir);
    expect(cli.revoke('7A1B2C3D4E5F')).toEqual(['7a1b2c3d4e5f']);
    try {
      await waitFor(() => heard.length === 1, 'the listener heard the revocation', 30_000);
      expect(heard).toEqual(['7a1b2c3d4e5f']);
    } finally {
      await busy;
      node.close();
      cli.close();
    }
  }, 60_000);
});
