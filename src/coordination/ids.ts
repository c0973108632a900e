import { randomBytes } from 'node:crypto';

/** Time-ordered id owned by `owner`: `JPN-0mc3k2x1a-1f2e3d4c`. Sorting by id sorts by creation time per owner. */
export function newId(owner: string, now: number): string {
  return `${owner}-${Math.max(0, Math.floor(now)).toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
}

/** Chat ids start with the time so a room lists chronologically across both nations. */
export function timeFirstId(owner: string, now: number): string {
  return `${Math.max(0, Math.floor(now)).toString(36).padStart(9, '0')}-${owner}-${randomBytes(4).toString('hex')}`;
}
