import { describe, expect, it } from 'vitest';
import { PG_URL, usePostgres } from '../../test/support/postgres.js';
import { storeContract } from './contract.js';
import { openPostgresStore } from './postgres.js';
import { postgresMigrations } from './migrations/index.js';
import { openStore } from './open.js';
import { isKizunaError } from '../util/errors.js';

const { admin, freshSchema, dropSchema } = usePostgres();

storeContract('postgres', async () => {
  const schema = freshSchema();
  return {
    open: () => openPostgresStore(PG_URL, { schema, max: 4 }),
    destroy: () => dropSchema(schema),
  };
});

describe('postgres specifics', () => {
  it('applies migrations once when several processes open a fresh schema at once', async () => {
    const schema = freshSchema();
    try {
      const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(PG_URL, { schema, max: 2 })));
      const { rows } = await admin.query(`SELECT version FROM ${schema}.schema_migrations`);
      expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await dropSchema(schema);
    }
  });

  it('openStore routes postgres:// urls (schema via ?schema=) and rejects bad schema names', async () => {
    const schema = freshSchema();
    try {
      const s = await openStore(`${PG_URL}?schema=${schema}`);
      expect(s.kind).toBe('postgres');
      await s.close();
      const { rows } = await admin.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
      expect(rows).toHaveLength(1);
    } finally {
      await dropSchema(schema);
    }
    await expect(openPostgresStore(PG_URL, { schema: 'bad; DROP' })).rejects.toSatisfy((e) => isKizunaError(e, 'CONFIG_INVALID'));
  });

  it('an unreachable server is a STORE_FAILED error, not a crash', async () => {
    await expect(openPostgresStore('postgres://postgres@127.0.0.1:1/none', { schema: 'x' })).rejects.toSatisfy((e) =>
      isKizunaError(e, 'STORE_FAILED'),
    );
  });
});
