/**
 * PostgreSQL for tests: the server is required (an unreachable one fails the file loudly, never skips it),
 * and each test works in its own throwaway schema.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export const PG_URL = process.env.KIZUNA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Call at the top of a test file: checks the server before the tests and closes the pool after them. */
export function usePostgres(): { admin: pg.Pool; freshSchema(prefix?: string): string; dropSchema(schema: string): Promise<void> } {
  const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
  beforeAll(async () => {
    try {
      await admin.query('SELECT 1');
    } catch (e) {
      throw new Error(`PostgreSQL is required for these tests and is unreachable at ${PG_URL} (set KIZUNA_TEST_PG): ${String(e)}`);
    }
  });
  afterAll(async () => {
    await admin.end();
  });
  return {
    admin,
    freshSchema: (prefix = 'kz_test') => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`,
    dropSchema: async (schema) => void (await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
}
