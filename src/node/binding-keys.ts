import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateBindingKeys } from '../labels/index.js';

export type BindingKeys = Awaited<ReturnType<typeof generateBindingKeys>>;

/** Public half, for other nations' `originators` (and pinned peer `keyFile`) configuration. */
export const BINDING_PUBLIC_FILE = 'binding-public.json';

/** The node's binding (STANAG 4778-style) key pair, created once and kept in the data directory. */
export async function loadBindingKeys(dataDir: string): Promise<BindingKeys> {
  const file = join(dataDir, 'binding-key.json');
  let keys: BindingKeys;
  if (existsSync(file)) keys = JSON.parse(readFileSync(file, 'utf8')) as BindingKeys;
  else {
    keys = await generateBindingKeys();
    writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  }
  const pub = join(dataDir, BINDING_PUBLIC_FILE);
  if (!existsSync(pub)) writeFileSync(pub, JSON.stringify(keys.publicJwk));
  return keys;
}
