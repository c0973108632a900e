import { randomBytes } from 'node:crypto';

let lastMs = -1;
let counter = 0;
/** Milliseconds plus an in-process counter: ids made in the same millisecond still sort in creation order. */
function stamp(now: number): string {
  const ms = Math.max(0, Math.floor(now));
  if (ms === lastMs) counter += 1;
  else {
    lastMs = ms;
    counter = 0;
  }
  return `${ms.toString(36).padStart(9, '0')}${counter.toString(36).padStart(3, '0')}`;
}

/** Time-ordered id owned by `owner`: `JPN-0mc3k2x1a000-1f2e3d4c`. Sorting by id sorts by creation per owner. */
export function newId(owner: string, now: number): string {
  return `${owner}-${stamp(now)}-${randomBytes(4).toString('hex')}`;
}

/** Chat ids start with the time so a room lists chronologically across both nations. */
export function timeFirstId(owner: string, now: number): string {
  return `${stamp(now)}-${owner}-${randomBytes(4).toString('hex')}`;
}
