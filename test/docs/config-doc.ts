/**
 * docs/configuration.md, generated from the zod schema of the node's configuration (src/node/config.ts).
 * `npm run docs:config` rewrites the file; test/docs/docs.test.ts fails when the two disagree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CONFIG_ENV, NodeConfigSchema, PACKAGE_ROOT } from '../../src/node/config.js';
import { SERVE_FLAGS } from '../../src/cli/serve-help.js';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  minLength?: number;
  exclusiveMinimum?: number;
}

export const CONFIG_DOC = join(PACKAGE_ROOT, 'docs', 'configuration.md');

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (s.type === 'array') return `array of ${s.items?.type === 'object' ? 'objects' : typeOf(s.items ?? {})}`;
  const t = String(s.type ?? 'any');
  const bounds = [
    s.minimum !== undefined ? `≥ ${s.minimum}` : '',
    s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : '',
    s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${s.maximum}` : '',
    s.minLength ? `length ≥ ${s.minLength}` : '',
    s.pattern ? `\`${s.pattern}\`` : '',
  ].filter(Boolean);
  return bounds.length ? `${t} (${bounds.join(', ')})` : t;
}

/** Defaults that `kizuna serve` fills in before the schema sees the config. */
const SERVE_FILLS: Record<string, string> = { dataDir: '`.kizuna/<nation>`' };

function defaultOf(path: string, s: JsonSchema, required: boolean): string {
  if (SERVE_FILLS[path]) return SERVE_FILLS[path];
  if (s.default === undefined) return required ? '**required**' : '';
  if (typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default)) return '';
  // package-relative, never a machine path
  return `\`${JSON.stringify(s.default).replaceAll(JSON.stringify(PACKAGE_ROOT).slice(1, -1), '<package>')}\``;
}

function rows(props: Record<string, JsonSchema>, required: string[], prefix: string, out: string[]): void {
  for (const [key, s] of Object.entries(props)) {
    const path = `${prefix}${key}`;
    if (!s.description && s.type !== 'object') throw new Error(`config key ${path} has no .describe() in the schema`);
    const env = CONFIG_ENV.find((e) => e.key === path)?.name;
    const flag = SERVE_FLAGS[path];
    const cells = [`\`${path}\``, typeOf(s), defaultOf(path, s, required.includes(key)), flag ? `\`${flag}\`` : '', env ? `\`${env}\`` : '', s.description ?? ''];
    if (s.type !== 'object') out.push(`| ${cells.join(' | ')} |`);
    if (s.type === 'object' && s.properties) rows(s.properties, s.required ?? [], `${path}.`, out);
    if (s.type === 'array' && s.items?.type === 'object' && s.items.properties) rows(s.items.properties, s.items.required ?? [], `${path}[].`, out);
  }
}

export function renderConfigDoc(): string {
  const schema = z.toJSONSchema(NodeConfigSchema, { io: 'input' }) as JsonSchema;
  const table: string[] = [];
  rows(schema.properties ?? {}, schema.required ?? [], '', table);
  return [
    '# Configuration reference',
    '',
    '<!-- generated from NodeConfigSchema (src/node/config.ts) by `npm run docs:config`; test/docs/docs.test.ts fails when they disagree -->',
    '',
    '`kizuna serve` reads, in this order (later wins): the defaults below, a JSON config file (`--config FILE`, strict JSON:',
    'no comments, no trailing commas), `KIZUNA_*` environment variables, then flags. Unknown keys are refused with the',
    'nearest valid key (`CONFIG_UNKNOWN_KEY`); a syntax error names the file, line and column (`CONFIG_SYNTAX`).',
    'Other commands (`certs`, `audit`, `federation anchors`) find the node\'s data directory with the same rule:',
    '`--data` > `KIZUNA_DATA` > `--nation`/`KIZUNA_NATION` (`.kizuna/<nation>`) > the only node directory under `.kizuna/`.',
    '',
    '| key | type | default | flag | environment | meaning |',
    '|---|---|---|---|---|---|',
    ...table,
    '',
    '`KIZUNA_DEBUG=1` (or `--debug`) prints the stack trace of an error. Error codes: [errors.md](errors.md).',
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--write')) {
  writeFileSync(CONFIG_DOC, renderConfigDoc());
  process.stdout.write(`wrote ${CONFIG_DOC}\n`);
}
