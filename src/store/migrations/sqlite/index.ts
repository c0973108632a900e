import * as m001 from './001_init.js';
import * as m002 from './002_originator.js';
import * as m003 from './003_outbox_conflate.js';
import * as m004 from './004_missions.js';

/** Ordered, append-only list: never edit a shipped migration, add the next number instead. */
export const sqliteMigrations: { version: number; name: string; sql: string }[] = [
  { version: 1, ...m001 },
  { version: 2, ...m002 },
  { version: 3, ...m003 },
  { version: 4, ...m004 },
];
