import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateBindingKeys } from '../labels/index.js';

export type BindingKeys = Awaited<ReturnType<typeof generateBindingKeys>>;

/** The node's binding (STANAG 4778-style) key pair, created once and kept in the data directory. */
export async function loadBindingKeys(dataDir: string): Promise<BindingKeys> {
  const file = join(dataDir, 'binding-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as BindingKeys;
  const keys = await generateBindingKeys();
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}
