import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDir, existingDataDir } from '../util/data-dir.js';
import { KizunaError } from '../util/errors.js';

export interface DataDirFlags {
  data?: string;
  nation?: string;
}

/** Where every node's data lives by default, relative to the working directory. */
export const DATA_ROOT = '.kizuna';

/** `.kizuna/<nation>`: the default of `serve`, `certs init` and every other command given a nation. */
export function defaultDataDir(nation: string): string {
  return join(DATA_ROOT, nation.toLowerCase());
}

function looksLikeNodeDir(dir: string): boolean {
  return existsSync(join(dir, 'pki', 'ca.pem')) || existsSync(join(dir, 'kizuna.db'));
}

/**
 * The one rule every command uses to find a node's data directory:
 * `--data` > `KIZUNA_DATA` > `--nation`/`KIZUNA_NATION` (→ `.kizuna/<nation>`) > the only node directory
 * under `.kizuna/`. Nothing is created here.
 */
export function findDataDir(flags: DataDirFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (flags.data) return flags.data;
  if (env.KIZUNA_DATA) return env.KIZUNA_DATA;
  const nation = flags.nation ?? env.KIZUNA_NATION;
  if (nation) return defaultDataDir(nation);
  const root = join(cwd, DATA_ROOT);
  let names: string[] = [];
  try {
    names = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    /* no .kizuna here: reported below */
  }
  const nodes = names.filter((n) => looksLikeNodeDir(join(root, n))).sort();
  if (nodes.length === 1) return join(DATA_ROOT, nodes[0]!);
  if (nodes.length === 0) {
    throw new KizunaError(
      'DATA_DIR_NOT_FOUND',
      `no node data directory under ${join(cwd, DATA_ROOT)}: pass --data DIR, set KIZUNA_DATA, or give --nation XXX (uses ${DATA_ROOT}/xxx); ` +
        'create one with `kizuna certs init --nation XXX` or `kizuna serve --nation XXX`',
    );
  }
  throw new KizunaError(
    'DATA_DIR_NOT_FOUND',
    `several node data directories under ${join(cwd, DATA_ROOT)} (${nodes.join(', ')}): choose one with --nation XXX or --data DIR`,
  );
}

/** A node directory with its PKI (certs client, revoke, enroll-link). */
export function nodeDirWithPki(flags: DataDirFlags, env: NodeJS.ProcessEnv = process.env): string {
  const dir = findDataDir(flags, env);
  return existingDataDir(dir, {
    file: join('pki', 'ca.pem'),
    what: 'node PKI',
    fix: `create it with \`kizuna certs init --nation XXX --data ${dir}\` (or start \`kizuna serve\` once), or point --data at the node's data directory`,
  });
}

/** A node directory with its SQLite store (audit verify, federation anchors without --store). */
export function nodeDirWithStore(flags: DataDirFlags, env: NodeJS.ProcessEnv = process.env): string {
  const dir = findDataDir(flags, env);
  return existingDataDir(dir, {
    file: 'kizuna.db',
    what: 'SQLite store',
    fix: `start \`kizuna serve --data ${dir}\` once, pass --store for a PostgreSQL store, or point --data at the node's data directory`,
  });
}

/** `certs init`: the directory is created if missing (safely, see ensureDataDir) and must be writable. */
export function writableDataDir(flags: DataDirFlags, env: NodeJS.ProcessEnv = process.env): string {
  return ensureDataDir(findDataDir(flags, env));
}
