#!/usr/bin/env node
// Thin launcher: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('kizuna: dist/ is missing; run `npm run build` (npm ci runs it for you)\n');
  process.exit(1);
}
const { main } = await import(compiled);
await main(process.argv.slice(2));
