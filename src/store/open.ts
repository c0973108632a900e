import { KizunaError } from '../util/errors.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

/**
 * Opens the store named by a spec: `postgres://…` / `postgresql://…` ⇒ PostgreSQL (an optional
 * `?schema=name` selects the schema), `sqlite:path` or a plain file path ⇒ SQLite.
 */
export async function openStore(spec: string): Promise<Store> {
  if (typeof spec !== 'string' || spec.trim() === '') throw new KizunaError('CONFIG_INVALID', 'store spec is empty');
  if (/^postgres(ql)?:\/\//i.test(spec)) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch (cause) {
      throw new KizunaError('CONFIG_INVALID', 'store url is invalid', { cause });
    }
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    return openPostgresStore(url.toString(), schema ? { schema } : {});
  }
  const file = spec.startsWith('sqlite:') ? spec.slice('sqlite:'.length) : spec;
  return openSqliteStore(file);
}
