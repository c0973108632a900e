import * as m001 from './001_init.js';
import * as m002 from './002_originator.js';
import * as m003 from './003_outbox_conflate.js';
import * as m004 from './004_missions.js';
import { postgresDialect, sqliteDialect, type Dialect, type Migration } from './dialect.js';

export type { Migration } from './dialect.js';

/** Ordered, append-only list: never edit a shipped migration, add the next number instead. */
const MIGRATIONS: { version: number; name: string; sql: (d: Dialect) => string }[] = [
  { version: 1, ...m001 },
  { version: 2, ...m002 },
  { version: 3, ...m003 },
  { version: 4, ...m004 },
];

const forDialect = (d: Dialect): Migration[] => MIGRATIONS.map((m) => ({ version: m.version, name: m.name, sql: m.sql(d) }));

export const sqliteMigrations: Migration[] = forDialect(sqliteDialect);
export const postgresMigrations: Migration[] = forDialect(postgresDialect);
