import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/node/config.js';
import { portFlags, runCli, type CliResult } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'kizuna-operator-errors-'));
chmodSync(tmp, 0o755); // other users may look in (the unreadable-directory case runs as nobody when root)
// each case spawns the real CLI from source; on two loaded cores one start takes seconds
const SLOW = { timeout: 180_000 };
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A coded operator error: exit 2, one `kizuna: CODE: …` line, and no stack trace. */
function expectOperatorError(r: CliResult, code: string): string {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^kizuna: ${code}: `));
  expect(r.stderr, 'no stack trace without --debug').not.toMatch(/^\s+at /m);
  return r.stderr;
}

function serve(args: string[]): Promise<CliResult> {
  return runCli(['serve', '--nation', 'JPN', '--host', '127.0.0.1', ...args]);
}

describe('kizuna serve: start-up failures name the cause and the fix', SLOW, () => {
  it('a port already in use: which address and port, its flag and config key', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const err = expectOperatorError(await serve(['--data', join(tmp, 'port'), ...portFlags({ http: port })]), 'PORT_IN_USE');
      expect(err).toContain(`127.0.0.1:${port}`);
      expect(err).toContain('--http-port');
      expect(err).toContain('ports.http');
    } finally {
      blocker.close();
    }
  });

  it('--data pointing at a file', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a directory');
    const r = await serve(['--data', file, ...portFlags()]);
    expect(expectOperatorError(r, 'DATA_DIR_INVALID')).toContain(`${file} is a file, not a directory`);
    expect(r.stderr).toContain('--data');
    expect(readFileSync(file, 'utf8')).toBe('not a directory');
    // --debug adds the stack trace
    const debug = await serve(['--data', file, ...portFlags(), '--debug']);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it('--data under /proc: refused at once (a recursive mkdir there used to spin forever)', async () => {
    const r = await serve(['--data', '/proc/kizuna-data', ...portFlags()]);
    expect(expectOperatorError(r, 'DATA_DIR_INVALID')).toContain('cannot create /proc/kizuna-data');
  });

  it('a data directory the user cannot read or write', async () => {
    const dir = join(tmp, 'locked');
    mkdirSync(dir);
    // root passes permission checks, so as root the CLI runs as nobody against a root-only directory
    const asRoot = process.getuid?.() === 0;
    chmodSync(dir, asRoot ? 0o700 : 0o000);
    try {
      const r = await runCli(['serve', '--nation', 'JPN', '--host', '127.0.0.1', '--data', dir, ...portFlags()], asRoot ? { uid: 65534, gid: 65534, cwd: tmpdir() } : {});
      expect(expectOperatorError(r, 'DATA_DIR_INVALID')).toContain(`cannot read and write ${dir} (EACCES)`);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('malformed config JSON: file, line and column', async () => {
    const file = join(tmp, 'broken.json');
    writeFileSync(file, '{\n  "nation": "JPN",\n  "ports": { "http": 0, }\n}\n');
    const err = expectOperatorError(await runCli(['serve', '--config', file]), 'CONFIG_SYNTAX');
    expect(err).toContain(`${file}:3:25: property name expected`);
  });

  it('unknown config keys: refused with the key path, its line and the nearest valid key', async () => {
    const file = join(tmp, 'typo.json');
    writeFileSync(file, JSON.stringify({ nation: 'JPN', dataDir: join(tmp, 'typo-data'), ports: { htp: 0 }, limits: { maxEventByte: 10 } }, null, 2));
    const err = expectOperatorError(await runCli(['serve', '--config', file, ...portFlags()]), 'CONFIG_UNKNOWN_KEY');
    expect(err).toMatch(new RegExp(`${file}:\\d+:\\d+: unknown key "ports.htp"; did you mean "ports.http"\\?`));
    expect(err).toContain('unknown key "limits.maxEventByte"; did you mean "limits.maxEventBytes"?');
    expect(existsSync(join(tmp, 'typo-data')), 'refused before anything is created').toBe(false);
  });
});

describe('kizuna: version, help and one data-dir rule', SLOW, () => {
  it('--version prints the package version; serve --help shows defaults and KIZUNA_* variables', async () => {
    const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await runCli(['--version'])).stdout.trim()).toBe(version);
    const help = (await runCli(['serve', '--help'])).stdout;
    for (const s of ['(default: 8087)', '(default: 8080)', '(default: 0.0.0.0', '.kizuna/<nation>', 'KIZUNA_NATION', 'KIZUNA_DATA', 'KIZUNA_METRICS_TOKEN', 'docs/configuration.md']) {
      expect(help).toContain(s);
    }
  });

  it('a read command finds no node: names the fix and leaves no empty directory behind', async () => {
    const cwd = mkdtempSync(join(tmp, 'fresh-'));
    const r = await runCli(['certs', 'revoke', 'alice'], { cwd });
    expect(expectOperatorError(r, 'DATA_DIR_NOT_FOUND')).toContain('kizuna certs init --nation XXX');
    const audit = await runCli(['audit', 'verify', '--nation', 'JPN'], { cwd });
    expect(expectOperatorError(audit, 'DATA_DIR_NOT_FOUND')).toContain(join(cwd, '.kizuna', 'jpn'));
    expect(existsSync(join(cwd, '.kizuna')), 'nothing created').toBe(false);
  });
});
