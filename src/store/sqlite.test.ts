import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from './contract.js';
import { openSqliteStore } from './sqlite.js';
import { openStore } from './open.js';
import { isKizunaError } from '../util/errors.js';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kizuna-store-'));
  const file = join(dir, 'node.db');
  return {
    open: () => openSqliteStore(file),
    destroy: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('openStore (sqlite)', () => {
  it('opens plain paths and sqlite: specs, and refuses an empty spec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kizuna-open-'));
    try {
      for (const spec of [join(dir, 'a.db'), `sqlite:${join(dir, 'b.db')}`]) {
        const s = await openStore(spec);
        expect(s.kind).toBe('sqlite');
        await s.close();
      }
      expect(existsSync(join(dir, 'b.db'))).toBe(true);
      await expect(openStore('')).rejects.toSatisfy((e) => isKizunaError(e, 'CONFIG_INVALID'));
      await expect(openStore(join(dir, 'missing-dir', 'x.db'))).rejects.toSatisfy((e) => isKizunaError(e, 'STORE_FAILED'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
