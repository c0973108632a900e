import { readFileSync } from 'node:fs';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { closest } from 'fastest-levenshtein';
import type { z } from 'zod';
import { KizunaError } from '../util/errors.js';

type Path = (string | number)[];

/** A config file read for a human: every problem is reported as `file:line:column`. */
export interface ConfigFile {
  file: string;
  value: Record<string, unknown>;
  /** `file:line:column` of the key at `path`, when the file has it */
  locate(path: Path): string | undefined;
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** "PropertyNameExpected" → "property name expected" */
function describeParseError(e: ParseError): string {
  return printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * Strict JSON (no comments, no trailing commas) parsed by a parser that reports the offset of the first
 * error, so the operator gets a line and column instead of "cannot read".
 */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new KizunaError('CONFIG_UNREADABLE', `${file}: ${code}; check the --config path and its permissions`, { cause: err });
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first || !tree) {
    const at = lineCol(text, first?.offset ?? 0);
    const what = first ? describeParseError(first) : 'empty file';
    throw new KizunaError('CONFIG_SYNTAX', `${file}:${at.line}:${at.column}: ${what} (strict JSON: no comments, no trailing commas)`);
  }
  const value = getNodeValue(tree) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KizunaError('CONFIG_SYNTAX', `${file}:1:1: the top level must be a JSON object`);
  }
  return {
    file,
    value: value as Record<string, unknown>,
    locate(path) {
      const node = findNodeAtLocation(tree, path);
      if (!node) return undefined;
      // a key's location is its property (the name), not its value
      const at = lineCol(text, node.parent?.type === 'property' ? node.parent.offset : node.offset);
      return `${file}:${at.line}:${at.column}`;
    },
  };
}

interface SchemaDef {
  type: string;
  innerType?: unknown;
  shape?: Record<string, unknown>;
  element?: unknown;
}
const defOf = (s: unknown): SchemaDef | undefined => (s as { def?: SchemaDef } | undefined)?.def;

/** Through defaults, optionals and nullables to the schema that holds keys or elements. */
function unwrap(s: unknown): unknown {
  for (let i = 0; i < 8; i++) {
    const def = defOf(s);
    if (!def?.innerType || !['default', 'prefault', 'optional', 'nullable'].includes(def.type)) return s;
    s = def.innerType;
  }
  return s;
}

/** The valid keys of the object schema at `path` (through arrays), to suggest the nearest one. */
function objectKeysAt(schema: z.ZodType, path: Path): string[] {
  let s = unwrap(schema);
  for (const seg of path) {
    const def = defOf(s);
    s = unwrap(typeof seg === 'number' ? def?.element : def?.shape?.[seg]);
  }
  return Object.keys(defOf(s)?.shape ?? {});
}

function dotted(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

/**
 * One line per problem: where (file:line:column when it came from the file), the key path and what is wrong;
 * an unknown key gets the nearest valid key at the same place ("did you mean …?").
 */
export function describeConfigIssues(issues: z.core.$ZodIssue[], schema: z.ZodType, file?: ConfigFile): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const valid = objectKeysAt(schema, issue.path as Path);
      for (const key of issue.keys) {
        const keyPath = [...(issue.path as Path), key];
        const where = file?.locate(keyPath);
        const guess = valid.length ? closest(key, valid) : undefined;
        const hint = guess ? `; did you mean "${dotted([...(issue.path as Path), guess])}"?` : '';
        lines.push(`${where ? `${where}: ` : ''}unknown key "${dotted(keyPath)}"${hint} (valid here: ${valid.join(', ')})`);
      }
      continue;
    }
    const where = file?.locate(issue.path as Path);
    lines.push(`${where ? `${where}: ` : ''}${dotted(issue.path as Path) || '(top level)'}: ${issue.message}`);
  }
  return lines;
}
