/**
 * Both event-store backends for one `describe.each`: a fresh SQLite file and a fresh PostgreSQL schema per
 * opening, each removed by its `done()` (the SQLite directories at the end of the file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { PG_URL, usePostgres } from './postgres.js';

export type OpenStore = () => Promise<{ store: Store; done(): Promise<void> }>;

/** Call at the top of a test file (it registers the PostgreSQL check and the clean-up). */
export function useBothStores(prefix: string): [string, OpenStore][] {
  const { dropSchema, freshSchema } = usePostgres();
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return [
    ['sqlite', async () => {
      const dir = mkdtempSync(join(tmpdir(), `kizuna-${prefix}-`));
      dirs.push(dir);
      const store = await openSqliteStore(join(dir, 'k.db'));
      return { store, done: () => store.close() };
    }],
    ['postgres', async () => {
      const schema = freshSchema();
      const store = await openPostgresStore(PG_URL, { schema, max: 2 });
      return { store, done: async () => { await store.close(); await dropSchema(schema); } };
    }],
  ];
}
