import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envConfig, parseConfig } from './config.js';
import { readConfigFile } from './config-source.js';
import { thrownKizunaError } from '../../test/support/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'kizuna-config-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

function failure(fn: () => unknown): { code: string; message: string } {
  const e = thrownKizunaError(fn);
  if (!e) throw new Error('expected a failure');
  return e;
}

describe('config file: every problem named with file:line:column', () => {
  it.each([
    ['trailing comma', '{\n  "nation": "JPN",\n}', '3:1: property name expected'],
    ['comment', '{\n  // my node\n  "nation": "JPN"\n}', '2:3: invalid comment token'],
    ['missing quote', '{\n  "nation": "JPN\n}', '2:13: unexpected end of string'],
    ['empty file', '', '1:1: value expected'],
    ['top-level array', '[1]', '1:1: the top level must be a JSON object'],
  ])('%s', (_what, text, where) => {
    const f = file('c.json', text);
    const e = failure(() => readConfigFile(f));
    expect(e.code).toBe('CONFIG_SYNTAX');
    expect(e.message).toContain(`${f}:${where}`);
  });

  it('unknown keys at any depth, arrays included: the key path, its line and the nearest valid key', () => {
    const text = JSON.stringify({ nation: 'JPN', dataDir: 'd', peers: [{ name: 'USA', nation: 'USA', port: 1, caFil: 'ca.pem' }], loginThrotle: {} }, null, 2);
    const f = file('k.json', text);
    const src = readConfigFile(f);
    const e = failure(() => parseConfig(src.value, src));
    expect(e.code).toBe('CONFIG_UNKNOWN_KEY');
    expect(e.message).toMatch(new RegExp(`${f}:9:7: unknown key "peers\\[0\\]\\.caFil"; did you mean "peers\\[0\\]\\.caFile"\\?`));
    expect(e.message).toMatch(new RegExp(`${f}:12:3: unknown key "loginThrotle"; did you mean "loginThrottle"\\?`));
  });

  it('a wrong value names its key and line', () => {
    const f = file('v.json', '{\n  "nation": "JPN",\n  "dataDir": "d",\n  "ports": { "http": 70000 }\n}');
    const src = readConfigFile(f);
    const e = failure(() => parseConfig(src.value, src));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`${f}:4:14: ports.http: Too big`);
  });

  it('KIZUNA_* variables map onto config keys, nested ones included', () => {
    expect(envConfig({ KIZUNA_NATION: 'JPN', KIZUNA_METRICS_TOKEN: 't'.repeat(16), KIZUNA_LOG_LEVEL: 'warn', OTHER: 'x' })).toEqual({
      nation: 'JPN',
      metrics: { token: 't'.repeat(16) },
      logLevel: 'warn',
    });
  });
});
