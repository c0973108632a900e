import * as m001 from './001_init.js';

/** Ordered, append-only list: never edit a shipped migration, add the next number instead. */
export const postgresMigrations: { version: number; name: string; sql: string }[] = [{ version: 1, ...m001 }];
