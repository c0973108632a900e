import { renameSync, writeFileSync } from 'node:fs';

/** Write-then-rename so a crash never leaves a half-written file (keys, lists, records). Owner-only by default. */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}
