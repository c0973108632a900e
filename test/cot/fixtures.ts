import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { orderedXmlParser } from '../../src/labels/xml-parser.js';

/** Repository root (this file is test/cot/fixtures.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The project's own fixtures (written for Kizuna, or permissively licensed copies; see test/fixtures/cot/SOURCES.md). */
export const ownFixtures = join(repoRoot, 'test/fixtures');
/**
 * The reference captures beside the repository, when present. They are an EXTRA check: every test runs on the
 * in-repo corpus, and runs again on these whenever the directory exists (CI checks it out beside the clone).
 */
export const sharedFixtures = resolve(repoRoot, '../shared/fixtures');

export type FixtureKind = 'wellFormed' | 'malformed' | 'mismatch' | 'placeholderTime';

export interface CotFixture {
  name: string;
  bytes: Buffer;
  kind: FixtureKind;
}

/**
 * A corpus and the files in it that play a named part in the tests (the two corpora name their files
 * differently; the quirks are the same).
 */
export interface CotCorpus {
  label: 'repo' | 'shared';
  dir: string;
  fixtures: CotFixture[];
  counts: Record<FixtureKind | 'total', number>;
  /** File-share relayed by a server, cut off mid-attribute with its end tag written "<\n/event>". */
  splitEndTag: string;
  takpOffer: string;
  takpRequest: string;
  takpResponse: string;
  /** Declares encoding="utf-16" on UTF-8 bytes: what the parser must read from it. */
  mismatch: { uid: string; callsign: string; group: string };
  /** A WearOS emergency whose callsign carries a &#10; newline reference. */
  newlineCallsign: string;
}

const COUNTS = { total: 40, wellFormed: 34, malformed: 2, mismatch: 1, placeholderTime: 3 };

const REPO_PARTS = {
  counts: COUNTS,
  splitEndTag: 'kizuna-fileshare-via-server-split-end-tag-MALFORMED.xml',
  takpOffer: 'kizuna-takp-v-offer-placeholder.xml',
  takpRequest: 'kizuna-takp-q-request-placeholder.xml',
  takpResponse: 'kizuna-takp-r-response-placeholder.xml',
  mismatch: { uid: 'pc-7a1c9e42-3b5d-4f60-8e21-c4d5a6b7e8f9.NMEA.SA', callsign: 'Kaede-OPS', group: 'Magenta' },
  newlineCallsign: 'nodecot-emergency-wearos-b-a-o.xml',
};

const SHARED_PARTS = {
  counts: COUNTS,
  splitEndTag: 'atak-capture-2016-fileshare-via-takserver-MALFORMED.xml',
  takpOffer: 'atak-spec-takp-v-offer.xml',
  takpRequest: 'atak-spec-takp-q-request.xml',
  takpResponse: 'atak-spec-takp-r-response.xml',
  mismatch: { uid: 'pc-0834cb51-df3f-4f96-9787-db227b07d2d0.NMEA.SA', callsign: 'SkrienJ-LT', group: 'Cyan' },
  newlineCallsign: 'nodecot-emergency-wearos-b-a-o.xml',
};

function kindOf(name: string, text: string): FixtureKind {
  if (name.includes('MALFORMED')) return 'malformed';
  if (name.includes('MISMATCH')) return 'mismatch';
  return /time=['"]TIME['"]/.test(text) ? 'placeholderTime' : 'wellFormed';
}

function readCorpus(dir: string): CotFixture[] {
  if (!existsSync(dir)) throw new Error(`CoT fixtures missing: ${dir}`);
  const names = readdirSync(dir).filter((n) => n.endsWith('.xml')).sort();
  return names.map((name) => {
    const bytes = readFileSync(join(dir, name));
    return { name, bytes, kind: kindOf(name, bytes.toString('utf8')) };
  });
}

/** The project's own CoT corpus (test/fixtures/cot). Always present. */
export function cotFixtures(): CotFixture[] {
  return readCorpus(join(ownFixtures, 'cot'));
}

let warned = false;
/**
 * True when ../shared/fixtures exists. Under CI it is expected beside the clone: its absence is announced
 * loudly (the extra check did not run) but does not fail, so a plain clone anywhere still passes.
 */
export function hasSharedFixtures(): boolean {
  const present = existsSync(join(sharedFixtures, 'cot'));
  if (!present && process.env.CI === 'true' && !warned) {
    warned = true;
    console.warn(
      `\n!!! CI=true but ${sharedFixtures} is missing: the EXTRA checks against the shared reference captures did NOT run.\n` +
        '!!! Check out the shared reference material beside the repository to run them.\n',
    );
  }
  return present;
}

/** The in-repo corpus, then the shared captures when they are present. */
export function cotCorpora(): CotCorpus[] {
  const corpora: CotCorpus[] = [{ label: 'repo', dir: join(ownFixtures, 'cot'), fixtures: cotFixtures(), ...REPO_PARTS }];
  if (hasSharedFixtures()) {
    const dir = join(sharedFixtures, 'cot');
    corpora.push({ label: 'shared', dir, fixtures: readCorpus(dir), ...SHARED_PARTS });
  }
  return corpora;
}

/**
 * One describe block per corpus: the in-repo corpus always, the shared captures as an extra check when they
 * are present (`hasSharedFixtures` says so on the console when they are not; nothing is registered as skipped).
 */
export function describeEachCorpus(title: string, body: (corpus: CotCorpus) => void): void {
  for (const corpus of cotCorpora()) describe(`${title} [${corpus.label} corpus]`, () => body(corpus));
}

/** A fixture of a corpus by file name; throws when the corpus does not have it. */
export function fixtureNamed(corpus: CotCorpus, name: string): CotFixture {
  const f = corpus.fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`${corpus.label} corpus has no ${name}`);
  return f;
}

/** The spec-text takp files carry literal TIME placeholders; substitute a real time. */
export function withRealTimes(text: string, iso = '2026-11-23T09:00:00.000Z'): string {
  return text.replace(/(time|start|stale)=(['"])TIME\2/g, `$1=$2${iso}$2`);
}

/** A file under test/fixtures (the project's own). */
export function readOwnFixture(rel: string): Buffer {
  const p = join(ownFixtures, rel);
  if (!existsSync(p)) throw new Error(`fixture missing: ${p}`);
  return readFileSync(p);
}

/** A file under ../shared/fixtures, or undefined when the shared material is not beside the repository. */
export function readSharedFixture(rel: string): Buffer | undefined {
  if (!hasSharedFixtures()) return undefined;
  const p = join(sharedFixtures, rel);
  if (!existsSync(p)) throw new Error(`shared fixture missing: ${p}`);
  return readFileSync(p);
}

const dom = orderedXmlParser(true);

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

/** `bytes` cut at the given offsets (each taken modulo length + 1; repeats and order do not matter), for chunking properties. */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  return chunks;
}
