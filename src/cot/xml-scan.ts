import { KizunaError } from '../util/errors.js';
import { addAttributeName, resetAttributeNames } from './attribute-names.js';

/**
 * A single-pass, allocation-light XML well-formedness scanner for CoT. It checks the whole input
 * (tags nest, attributes are quoted and unique, references are the five predefined entities or
 * valid character references, no DOCTYPE/ENTITY) but builds records only for the shallow
 * elements CoT routing needs (depth ≤ `recordDepth`, and only those `keep` accepts: a record is an
 * object, so thousands of uninteresting siblings must not cost one each); everything else is
 * validated and skipped.
 * Offsets index the input string, so callers cut verbatim substrings (detail stays byte-exact).
 */

export interface ElementRecord {
  /** Qualified name as written (may carry a prefix). */
  name: string;
  /** 0 = root (document) or top level (fragment). */
  depth: number;
  /** Index of the parent record, -1 at depth 0. */
  parent: number;
  /** Index of '<' of the start tag. */
  start: number;
  /** Index just after the start tag's '>' (content starts here). */
  openEnd: number;
  /** Index of '<' of the end tag (= openEnd for an empty-element tag). */
  closeStart: number;
  /** Index just after the element (after '/>' or the end tag's '>'). */
  end: number;
  childElements: number;
  /** Non-whitespace character data or CDATA directly inside. */
  hasText: boolean;
}

export interface ScanResult {
  records: ElementRecord[];
}

type ParseCode = 'COT_PARSE' | 'COT_FORBIDDEN_XML';

function fail(code: ParseCode, detail: string, at: number): never {
  throw new KizunaError(code, `${detail} at offset ${at}`);
}

// Character classes for ASCII; anything >= 0x80 is accepted as a name character (XML 1.0 5th ed.
// allows almost all of it, and real callsign-like element names never need finer checks).
const NAME_START = new Uint8Array(128);
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const start = letter || c === 95 /* _ */ || c === 58; /* : */
  NAME_START[c] = start ? 1 : 0;
  NAME_CHAR[c] = start || (c >= 48 && c <= 57) || c === 45 /* - */ || c === 46 /* . */ ? 1 : 0;
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

// Characters XML 1.0 forbids anywhere (C0 controls except TAB/LF/CR, and U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * DOCTYPE/ENTITY/ELEMENT/ATTLIST/NOTATION and anything else starting `<!` that is neither a
 * comment nor CDATA is refused before any parsing (no DTD processing ever happens).
 */
export function assertNoMarkupDeclarations(s: string): void {
  let i = s.indexOf('<!');
  while (i !== -1) {
    if (!s.startsWith('<!--', i) && !s.startsWith('<![CDATA[', i)) {
      fail('COT_FORBIDDEN_XML', 'markup declaration', i);
    }
    // Skip the whole comment/CDATA so '<!' inside it is not misread.
    const close = s.startsWith('<!--', i) ? s.indexOf('-->', i + 4) : s.indexOf(']]>', i + 9);
    if (close === -1) return; // unterminated: the scanner reports COT_PARSE
    i = s.indexOf('<!', close);
  }
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Next positions of '&' and '<' at or after the last query. Scanning only moves forward, so each
 * cached hit is reused until passed and a miss (-1) is final: no indexOf runs past a match twice.
 */
interface Cursor {
  s: string;
  amp: number;
  lt: number;
}

function newCursor(s: string): Cursor {
  return { s, amp: s.indexOf('&'), lt: s.indexOf('<') };
}

function nextAmp(c: Cursor, from: number): number {
  if (c.amp !== -1 && c.amp < from) c.amp = c.s.indexOf('&', from);
  return c.amp;
}

function nextLt(c: Cursor, from: number): number {
  if (c.lt !== -1 && c.lt < from) c.lt = c.s.indexOf('<', from);
  return c.lt;
}

/** Validates the references in s[from, to); returns nothing, throws COT_PARSE. */
function checkReferences(c: Cursor, from: number, to: number): void {
  const s = c.s;
  let amp = nextAmp(c, from);
  while (amp !== -1 && amp < to) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi >= to || semi - amp > 12) fail('COT_PARSE', 'bad reference', amp);
    const ref = s.slice(amp + 1, semi);
    if (ref.charCodeAt(0) === 35 /* # */) {
      const hex = ref.charCodeAt(1) === 120; /* x */
      const digits = ref.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) fail('COT_PARSE', 'bad character reference', amp);
      if (!isXmlChar(parseInt(digits, hex ? 16 : 10))) fail('COT_PARSE', 'reference to a forbidden character', amp);
    } else if (ref !== 'amp' && ref !== 'lt' && ref !== 'gt' && ref !== 'quot' && ref !== 'apos') {
      // No DTD, so no other entity can be defined.
      fail('COT_PARSE', 'undefined entity', amp);
    }
    amp = nextAmp(c, semi + 1);
  }
}

function readName(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (!(c >= 128 ? true : NAME_START[c] === 1)) fail('COT_PARSE', 'expected a name', i);
  let j = i + 1;
  for (;;) {
    const d = s.charCodeAt(j);
    if (d >= 128 ? true : NAME_CHAR[d] === 1) j++;
    else return j; // NaN past the end falls here too
  }
}

declare const attributeFilterBrand: unique symbol;
/**
 * Chooses attributes by name span, so unwanted names are never cut out as strings. Branded: made only by
 * `attributeNames`, because a plain `(name) => …` callback would type-check (fewer parameters) and never match.
 */
export type AttributeFilter = ((s: string, start: number, end: number) => boolean) & { readonly [attributeFilterBrand]: true };

/** A filter accepting exactly these names (and, with `prefix`, every name starting with it). */
export function attributeNames(names: readonly string[], prefix?: string): AttributeFilter {
  const byLength: string[][] = [];
  for (const n of names) (byLength[n.length] ??= []).push(n);
  const filter = (s: string, start: number, end: number): boolean => {
    const len = end - start;
    if (prefix !== undefined && len >= prefix.length && s.startsWith(prefix, start)) return true;
    const candidates = byLength[len];
    if (candidates !== undefined) for (const n of candidates) if (s.startsWith(n, start)) return true;
    return false;
  };
  return filter as AttributeFilter;
}

/**
 * Parses the attributes of a start tag from `i` (just after the name). Returns the index after
 * '>', negated for an empty-element tag ('/>'), to avoid an allocation per element. When `out`
 * is given, raw (undecoded) attribute values are stored in it.
 */
function scanAttributes(c: Cursor | string, i: number, out?: Map<string, string>, wanted?: AttributeFilter): number {
  // A string instead of a cursor: re-reading input scanXml already validated, so the value checks
  // (and their searches for the next '<' and '&', which may lie far beyond this tag) and the
  // duplicate check are skipped.
  const validate = typeof c !== 'string';
  const s = validate ? c.s : c;
  let count = 0;
  for (;;) {
    const wsStart = i;
    while (isWs(s.charCodeAt(i))) i++;
    const ch = s.charCodeAt(i);
    if (ch === 62 /* > */) return i + 1;
    if (ch === 47 /* / */) {
      if (s.charCodeAt(i + 1) !== 62) fail('COT_PARSE', "expected '>' after '/'", i);
      return -(i + 2);
    }
    if (i === wsStart) fail('COT_PARSE', 'expected whitespace before attribute', i);
    const nameStart = i;
    const nameEnd = readName(s, i);
    if (validate) {
      if (!addAttributeName(s, count, nameStart, nameEnd)) fail('COT_PARSE', 'duplicate attribute', i);
      count++;
    }
    i = nameEnd;
    while (isWs(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 61 /* = */) fail('COT_PARSE', "expected '='", i);
    i++;
    while (isWs(s.charCodeAt(i))) i++;
    const q = s.charCodeAt(i);
    if (q !== 34 && q !== 39) fail('COT_PARSE', 'expected a quoted value', i);
    const close = s.indexOf(q === 34 ? '"' : "'", i + 1);
    if (close === -1) fail('COT_PARSE', 'unterminated attribute value', i);
    if (validate) {
      const lt = nextLt(c, i + 1);
      if (lt !== -1 && lt < close) fail('COT_PARSE', "'<' in attribute value", lt);
      checkReferences(c, i + 1, close);
    }
    if (out && (wanted === undefined || wanted(s, nameStart, nameEnd))) out.set(s.slice(nameStart, nameEnd), s.slice(i + 1, close));
    i = close + 1;
  }
}

/** Raw attributes of the start tag beginning at `start` (input already validated by scanXml); only `wanted` ones if given. */
export function readAttributes(s: string, start: number, wanted?: AttributeFilter, out = new Map<string, string>()): Map<string, string> {
  scanAttributes(s, readName(s, start + 1), out, wanted);
  return out;
}

function skipTo(s: string, i: number, terminator: string, what: string): number {
  const j = s.indexOf(terminator, i);
  if (j === -1) fail('COT_PARSE', `unterminated ${what}`, i);
  return j + terminator.length;
}

/**
 * Scans `s` as a whole document (prolog, exactly one root, trailing misc) or as a content
 * fragment (what sits inside <detail>). Records elements up to `recordDepth`.
 */
export function scanXml(
  s: string,
  mode: 'document' | 'fragment',
  recordDepth: number,
  /** Optional filter: only elements it accepts (and whose parent is recorded, below depth 0) get a record. */
  keep?: (name: string, depth: number, parent: ElementRecord | undefined, start: number) => boolean,
  /** Raw attributes of the root element the caller wants, read while validating (no second pass over them). */
  rootAttributes?: { wanted: AttributeFilter; out: Map<string, string> },
): ScanResult {
  if (FORBIDDEN_CHARS.test(s)) fail('COT_PARSE', 'forbidden character', s.search(FORBIDDEN_CHARS));
  assertNoMarkupDeclarations(s);
  resetAttributeNames();
  const records: ElementRecord[] = [];
  // Open elements: names and record indices (-1 when not recorded).
  const names: string[] = [];
  const recs: number[] = [];
  const n = s.length;
  const cur = newCursor(s);
  let i = 0;
  let rootSeen = false;
  if (mode === 'document' && s.charCodeAt(0) === 0xfeff) i = 1; // UTF-8 BOM decoded

  while (i < n) {
    const lt = nextLt(cur, i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      const depth = names.length;
      let blank = true;
      for (let k = i; k < textEnd; k++) {
        if (!isWs(s.charCodeAt(k))) {
          blank = false;
          break;
        }
      }
      if (!blank) {
        if (depth === 0 && mode === 'document') fail('COT_PARSE', 'text outside the root element', i);
        checkReferences(cur, i, textEnd);
        const r = recs[depth - 1];
        if (r !== undefined && r >= 0) records[r]!.hasText = true;
      }
      if (lt === -1) break;
    }
    i = lt;
    const c1 = s.charCodeAt(i + 1);
    if (c1 === 47 /* / */) {
      const nameEnd = readName(s, i + 2);
      let j = nameEnd;
      while (isWs(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== 62) fail('COT_PARSE', "expected '>' in end tag", j);
      const open = names.pop();
      // Compared in place: a string per end tag was a third of the garbage of many small elements.
      if (open === undefined) fail('COT_PARSE', 'unexpected end tag', i);
      if (open.length !== nameEnd - i - 2 || !s.startsWith(open, i + 2)) fail('COT_PARSE', 'mismatched end tag', i);
      const r = recs.pop()!;
      if (r >= 0) {
        records[r]!.closeStart = i;
        records[r]!.end = j + 1;
      }
      i = j + 1;
    } else if (c1 === 33 /* ! */) {
      if (s.startsWith('<!--', i)) {
        i = skipTo(s, i + 4, '-->', 'comment');
      } else if (s.startsWith('<![CDATA[', i)) {
        const depth = names.length;
        if (depth === 0) fail('COT_PARSE', 'CDATA outside an element', i);
        i = skipTo(s, i + 9, ']]>', 'CDATA section');
        const r = recs[depth - 1];
        if (r !== undefined && r >= 0) records[r]!.hasText = true;
      } else {
        fail('COT_FORBIDDEN_XML', 'markup declaration', i);
      }
    } else if (c1 === 63 /* ? */) {
      i = skipTo(s, i + 2, '?>', 'processing instruction');
    } else {
      const depth = names.length;
      if (depth === 0 && mode === 'document') {
        if (rootSeen) fail('COT_PARSE', 'more than one root element', i);
        rootSeen = true;
      }
      const nameEnd = readName(s, i + 1);
      const name = s.slice(i + 1, nameEnd);
      const after = depth === 0 && rootAttributes ? scanAttributes(cur, nameEnd, rootAttributes.out, rootAttributes.wanted) : scanAttributes(cur, nameEnd);
      const empty = after < 0;
      const next = empty ? -after : after;
      const parentRec = depth > 0 ? recs[depth - 1]! : -1;
      if (parentRec >= 0) records[parentRec]!.childElements++;
      let r = -1;
      if (depth <= recordDepth && (keep === undefined || keep(name, depth, parentRec >= 0 ? records[parentRec] : undefined, i))) {
        r = records.length;
        records.push({
          name,
          depth,
          parent: parentRec,
          start: i,
          openEnd: next,
          closeStart: next,
          end: next,
          childElements: 0,
          hasText: false,
        });
      }
      if (!empty) {
        if (names.length >= 256) fail('COT_PARSE', 'nesting too deep', i);
        names.push(name);
        recs.push(r);
      }
      i = next;
    }
  }
  if (names.length > 0) fail('COT_PARSE', `unclosed element <${names[names.length - 1]}>`, n);
  if (mode === 'document' && !rootSeen) fail('COT_PARSE', 'no root element', n);
  return { records };
}

/** Decodes a raw attribute value: references, and literal TAB/LF/CR normalised to spaces (XML §3.3.3). */
export function decodeAttr(raw: string): string {
  if (raw.indexOf('&') === -1 && !/[\t\n\r]/.test(raw)) return raw;
  return raw.replace(/[\t\n\r]|&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (m, ref: string | undefined) => {
    if (ref === undefined) return ' ';
    switch (ref) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    }
  });
}

const ESC_ATTR = /[&<>"\t\n\r]/g;
const ESC_ATTR_TEST = /[&<>"\t\n\r]/;

/** Escapes text for a double-quoted attribute; TAB/LF/CR as character references so they survive. */
export function escapeAttr(v: string): string {
  if (!ESC_ATTR_TEST.test(v)) return v;
  return v.replace(ESC_ATTR, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\t':
        return '&#9;';
      case '\n':
        return '&#10;';
      default:
        return '&#13;';
    }
  });
}

/** Local part of a qualified name and its prefix ('' when unprefixed). */
export function splitQName(q: string): { prefix: string; local: string } {
  const colon = q.indexOf(':');
  return colon === -1 ? { prefix: '', local: q } : { prefix: q.slice(0, colon), local: q.slice(colon + 1) };
}
