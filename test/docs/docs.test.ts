import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/util/errors.js';
import { PACKAGE_ROOT } from '../../src/node/config.js';
import { CONFIG_DOC, renderConfigDoc } from './config-doc.js';

describe('operator docs stay in step with the code', () => {
  it('docs/configuration.md is what the zod schema generates (run `npm run docs:config` after changing the schema)', () => {
    expect(readFileSync(CONFIG_DOC, 'utf8')).toBe(renderConfigDoc());
  });

  it('docs/errors.md lists every error code once, with its HTTP status, its message and an operator fix', () => {
    const rows = readFileSync(join(PACKAGE_ROOT, 'docs', 'errors.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim()));
    const documented = rows.map((r) => r[0]!.replaceAll('`', ''));
    expect(documented.length, 'each code once').toBe(new Set(documented).size);
    expect([...documented].sort()).toEqual(Object.keys(ErrorCodes).sort());
    for (const [code, status, meaning, fix] of rows) {
      const entry = ErrorCodes[code!.replaceAll('`', '') as keyof typeof ErrorCodes];
      expect(Number(status), code).toBe(entry.status);
      expect(meaning, code).toBe(entry.message);
      expect(fix?.length ?? 0, `${code} has an operator fix`).toBeGreaterThan(10);
    }
  });
});
