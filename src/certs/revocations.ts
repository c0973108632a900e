import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KizunaError } from '../util/errors.js';
import { normalizeSerial } from './identity.js';
import { listIssued, pkiDir, writeFileAtomic } from './pki.js';

export interface RevokedEntry {
  serial: string;
  name?: string;
  revokedAt: string;
}

export interface Revocations {
  /** Revokes every certificate issued to a name, or one serial. Returns the serials newly revoked. */
  revoke(nameOrSerial: string): string[];
  isRevoked(serial: string): boolean;
  list(): RevokedEntry[];
  /**
   * Called once per newly revoked serial, also when another process (the CLI) revoked it:
   * the file is watched. The node uses this to drop live connections.
   */
  onRevoke(fn: (serial: string, info: { sibling: boolean }) => void): () => void;
  /**
   * Another process of this node revoked `serial` (announced on the bus): treated as revoked here
   * from now on and reported to onRevoke, even where that process writes to a different data
   * directory. Not persisted: the revoking process's file is the durable record.
   */
  noteSiblingRevocation(serial: string): void;
  close(): void;
}

const FileSchema = z.object({
  entries: z.array(z.object({ serial: z.string(), name: z.string().optional(), revokedAt: z.string() })),
});

/** Persisted in DATA/pki/revoked.json (atomic rewrite); the file is the source of truth across processes. */
export function openRevocations(dataDir: string, opts: { pollMs?: number } = {}): Revocations {
  const dir = pkiDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'revoked.json');
  let entries: RevokedEntry[] = [];
  let serials = new Set<string>();
  let stamp = '';
  const listeners = new Set<(serial: string, info: { sibling: boolean }) => void>();
  /** Serials other processes announced (kept apart: a re-read of the file replaces `serials`). */
  const siblingSerials = new Set<string>();

  const fileStamp = () => {
    try {
      const s = statSync(file);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return 'none';
    }
  };
  /** Re-reads the file when it changed; returns serials that were not known before. */
  const refresh = (): string[] => {
    const now = fileStamp();
    if (now === stamp) return [];
    stamp = now;
    const next = existsSync(file) ? FileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).entries : [];
    const added = next.map((e) => e.serial).filter((s) => !serials.has(s));
    entries = next;
    serials = new Set(next.map((e) => e.serial));
    return added;
  };
  const emit = (added: string[], sibling = false) => {
    for (const s of added) for (const fn of listeners) fn(s, { sibling });
  };
  refresh();

  const onFileChange = () => emit(refresh().filter((s) => !siblingSerials.has(s)));
  let poll: NodeJS.Timeout | undefined;

  return {
    revoke(nameOrSerial) {
      refresh();
      const issued = listIssued(dir);
      let targets = issued.filter((r) => r.name === nameOrSerial).map((r) => ({ serial: r.serial, name: r.name }));
      if (targets.length === 0 && /^[0-9a-fA-F:]{8,}$/.test(nameOrSerial)) {
        const serial = normalizeSerial(nameOrSerial);
        targets = [{ serial, name: issued.find((r) => r.serial === serial)?.name ?? '' }];
      }
      if (targets.length === 0) throw new KizunaError('NOT_FOUND', 'no certificate issued to that name');
      const fresh = targets.filter((t) => !serials.has(t.serial));
      if (fresh.length === 0) return [];
      const revokedAt = new Date().toISOString();
      const next = [...entries, ...fresh.map((t) => (t.name ? { serial: t.serial, name: t.name, revokedAt } : { serial: t.serial, revokedAt }))];
      writeFileAtomic(file, JSON.stringify({ entries: next }, null, 1), 0o644);
      emit(refresh());
      return fresh.map((t) => t.serial);
    },
    isRevoked(serial) {
      refresh();
      const n = normalizeSerial(serial);
      return serials.has(n) || siblingSerials.has(n);
    },
    noteSiblingRevocation(serial) {
      refresh();
      const n = normalizeSerial(serial);
      if (serials.has(n) || siblingSerials.has(n)) return;
      siblingSerials.add(n);
      emit([n], true);
    },
    list() {
      refresh();
      return entries.map((e) => ({ ...e }));
    },
    onRevoke(fn) {
      listeners.add(fn);
      if (!poll) {
        // Our own poll against our own stamp (taken when opened): fs.watch loses the inode on the atomic
        // rename, and fs.watchFile takes its baseline with a first stat on the thread pool, so a file
        // written before that stat ran (a busy pool) was never reported as a change.
        poll = setInterval(onFileChange, opts.pollMs ?? 500);
        poll.unref();
      }
      return () => listeners.delete(fn);
    },
    close() {
      listeners.clear();
      if (poll) clearInterval(poll);
      poll = undefined;
    },
  };
}
