import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KizunaError } from './errors.js';

/** How an operator chooses the data directory; every data-dir error ends with it. */
export const DATA_DIR_FIX = 'choose another directory with --data, KIZUNA_DATA or "dataDir" in the config file';

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'unknown error';
}

function invalid(detail: string, cause?: unknown): KizunaError {
  return new KizunaError('DATA_DIR_INVALID', detail, cause === undefined ? undefined : { cause });
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (err) {
    const code = errno(err);
    // ENOTDIR: an ancestor is a file; the walk up finds and names it
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw invalid(`cannot look at ${p} (${code}): give the user running kizuna access to it, or ${DATA_DIR_FIX}`, err);
  }
}

/**
 * Creates `dir` and its missing parents one level at a time, then proves the directory can be listed and
 * written. A plain recursive mkdir is not used on purpose: on a parent that exists but cannot hold children
 * (procfs answers ENOENT to every mkdir) Node's recursive mkdir retries forever and the node hangs silently.
 */
export function ensureDataDir(dir: string): string {
  const abs = resolve(dir);
  const missing: string[] = [];
  let p = abs;
  let st = statOrUndefined(p);
  while (!st && dirname(p) !== p) {
    missing.unshift(p);
    p = dirname(p);
    st = statOrUndefined(p);
  }
  if (st && !st.isDirectory()) {
    throw invalid(
      p === abs
        ? `${abs} is a file, not a directory: ${DATA_DIR_FIX}`
        : `${p} is a file, so ${abs} cannot be created under it: ${DATA_DIR_FIX}`,
    );
  }
  for (const m of missing) {
    try {
      mkdirSync(m, { mode: 0o700 });
    } catch (err) {
      if (errno(err) === 'EEXIST' && statSync(m).isDirectory()) continue; // created meanwhile by another process
      throw invalid(`cannot create ${m} (${errno(err)}: ${dirname(m)} does not accept a new directory here): ${DATA_DIR_FIX}`, err);
    }
  }
  checkUsable(abs);
  return abs;
}

/** Readable, searchable and writable: listed, and a probe directory created and removed in it. */
function checkUsable(abs: string): void {
  try {
    readdirSync(abs);
    accessSync(abs, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    throw invalid(`cannot read and write ${abs} (${errno(err)}): give the user running kizuna read and write access (chown/chmod), or ${DATA_DIR_FIX}`, err);
  }
  try {
    rmdirSync(mkdtempSync(join(abs, '.kizuna-write-test-')));
  } catch (err) {
    throw invalid(`cannot write in ${abs} (${errno(err)}): give the user running kizuna write access, or ${DATA_DIR_FIX}`, err);
  }
}

/**
 * A data directory that a read command (certs client/revoke, audit verify, …) needs to exist already:
 * checked without creating anything, so a wrong path leaves no empty directory behind.
 */
export function existingDataDir(dir: string, needs: { file: string; what: string; fix: string }): string {
  const abs = resolve(dir);
  const st = statOrUndefined(abs);
  if (!st) throw new KizunaError('DATA_DIR_NOT_FOUND', `${abs} does not exist: ${needs.fix}`);
  if (!st.isDirectory()) throw invalid(`${abs} is a file, not a directory: point --data at the node's data directory`);
  try {
    readdirSync(abs);
  } catch (err) {
    throw invalid(`cannot read ${abs} (${errno(err)}): run as the user that owns the node's data, or fix its permissions`, err);
  }
  if (!statOrUndefined(join(abs, needs.file))) {
    throw new KizunaError('DATA_DIR_NOT_FOUND', `${abs} has no ${needs.what} (${needs.file}): ${needs.fix}`);
  }
  return abs;
}
