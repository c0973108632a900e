import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

/** Repository root (this file is test/cot/fixtures.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedFixtures = resolve(repoRoot, '../shared/fixtures');

export type FixtureKind = 'wellFormed' | 'malformed' | 'mismatch' | 'placeholderTime';

export interface CotFixture {
  name: string;
  bytes: Buffer;
  kind: FixtureKind;
}

/** Every file under ../shared/fixtures/cot; throws (the test file fails) if the directory is missing. */
export function cotFixtures(): CotFixture[] {
  const dir = join(sharedFixtures, 'cot');
  if (!existsSync(dir)) throw new Error(`CoT fixtures missing: ${dir} must exist (see /work/shared/fixtures/SOURCES.md)`);
  const names = readdirSync(dir).filter((n) => n.endsWith('.xml')).sort();
  if (names.length < 40) throw new Error(`expected at least 40 CoT fixtures in ${dir}, found ${names.length}`);
  return names.map((name) => {
    const bytes = readFileSync(join(dir, name));
    const text = bytes.toString('utf8');
    const kind: FixtureKind = name.includes('MALFORMED')
      ? 'malformed'
      : name.includes('MISMATCH')
        ? 'mismatch'
        : /time=['"]TIME['"]/.test(text)
          ? 'placeholderTime'
          : 'wellFormed';
    return { name, bytes, kind };
  });
}

/** The spec-text takp files carry literal TIME placeholders; substitute a real time. */
export function withRealTimes(text: string, iso = '2026-11-23T09:00:00.000Z'): string {
  return text.replace(/(time|start|stale)=(['"])TIME\2/g, `$1=$2${iso}$2`);
}

export function readSharedFixture(rel: string): Buffer {
  const p = join(sharedFixtures, rel);
  if (!existsSync(p)) throw new Error(`fixture missing: ${p}`);
  return readFileSync(p);
}

const dom = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type DomNode = Record<string, unknown>;

/** Attribute values of these typed proto elements are compared as numbers (0.0000 ≡ 0). */
const NUMERIC_ELEMENTS = new Set(['track', 'status']);

function canonNode(node: DomNode): unknown {
  const name = Object.keys(node).find((k) => k !== ':@')!;
  if (name === '#text') return { text: String(node['#text']) };
  const attrs = (node[':@'] ?? {}) as Record<string, string>;
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(attrs).sort()) {
    const v = String(attrs[k]);
    sorted[k] = NUMERIC_ELEMENTS.has(name) ? String(Number(v)) : v;
  }
  const children = (node[name] as DomNode[]).map(canonNode);
  return { name, attrs: sorted, children };
}

/** Children of <detail> of an event document, canonicalised by a real DOM parser. */
export function detailChildren(eventXml: string): unknown[] {
  const doc = dom.parse(eventXml) as DomNode[];
  const event = doc.find((n) => 'event' in n);
  if (!event) throw new Error('no <event> root');
  const detail = (event['event'] as DomNode[]).find((n) => 'detail' in n);
  if (!detail) return [];
  return (detail['detail'] as DomNode[]).map(canonNode);
}

/** Order-insensitive form (the proto path moves typed elements to the front). */
export function asMultiset(items: unknown[]): string[] {
  return items.map((i) => JSON.stringify(i)).sort();
}
