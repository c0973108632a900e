import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../test/support/errors.js';
import { ensureDataDir } from '../util/data-dir.js';
import { findDataDir, nodeDirWithPki } from './data-dir.js';

const root = mkdtempSync(join(tmpdir(), 'kizuna-data-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function nodeDir(cwd: string, name: string): void {
  mkdirSync(join(cwd, '.kizuna', name, 'pki'), { recursive: true });
  writeFileSync(join(cwd, '.kizuna', name, 'pki', 'ca.pem'), 'x');
}

describe('one rule for the node data directory', () => {
  it('--data > KIZUNA_DATA > --nation/KIZUNA_NATION > the only node under .kizuna/', () => {
    const cwd = mkdtempSync(join(root, 'cwd-'));
    nodeDir(cwd, 'jpn');
    expect(findDataDir({ data: 'x', nation: 'USA' }, { KIZUNA_DATA: 'y' }, cwd)).toBe('x');
    expect(findDataDir({ nation: 'USA' }, { KIZUNA_DATA: 'y' }, cwd)).toBe('y');
    expect(findDataDir({ nation: 'USA' }, {}, cwd)).toBe(join('.kizuna', 'usa'));
    expect(findDataDir({}, { KIZUNA_NATION: 'PHL' }, cwd)).toBe(join('.kizuna', 'phl'));
    expect(findDataDir({}, {}, cwd)).toBe(join('.kizuna', 'jpn'));
    mkdirSync(join(cwd, '.kizuna', 'empty')); // not a node: ignored
    expect(findDataDir({}, {}, cwd)).toBe(join('.kizuna', 'jpn'));
    nodeDir(cwd, 'usa');
    expect(errorCode(() => findDataDir({}, {}, cwd))).toBe('DATA_DIR_NOT_FOUND');
    expect(errorCode(() => findDataDir({}, {}, mkdtempSync(join(root, 'none-'))))).toBe('DATA_DIR_NOT_FOUND');
  });

  it('a read command creates nothing when the directory is wrong', () => {
    const missing = join(root, 'missing', 'node');
    expect(errorCode(() => nodeDirWithPki({ data: missing }, {}))).toBe('DATA_DIR_NOT_FOUND');
    expect(existsSync(join(root, 'missing'))).toBe(false);
    const empty = mkdtempSync(join(root, 'empty-'));
    expect(errorCode(() => nodeDirWithPki({ data: empty }, {}))).toBe('DATA_DIR_NOT_FOUND');
    expect(readdirSync(empty)).toEqual([]);
  });

  it('ensureDataDir creates missing levels, refuses a file or a file parent, and /proc without spinning', () => {
    const deep = join(root, 'a', 'b', 'c');
    expect(ensureDataDir(deep)).toBe(deep);
    expect(readdirSync(deep), 'the write probe is removed').toEqual([]);
    const file = join(root, 'f');
    writeFileSync(file, '');
    expect(errorCode(() => ensureDataDir(file))).toBe('DATA_DIR_INVALID');
    expect(errorCode(() => ensureDataDir(join(file, 'sub')))).toBe('DATA_DIR_INVALID');
    expect(errorCode(() => ensureDataDir('/proc/kizuna-unit/x'))).toBe('DATA_DIR_INVALID');
  });
});
