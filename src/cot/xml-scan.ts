import { resetAttributeNames } from './attribute-names.js';
import { type AttributeFilter, scanAttributes } from './xml-attributes.js';
import { type Cursor, checkReferences, fail, isWs, newCursor, nextLt, readName } from './xml-chars.js';

export { type AttributeFilter, attributeNames, readAttributes, readAttributeValues } from './xml-attributes.js';
export { spanIs } from './xml-chars.js';

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

// Characters XML 1.0 forbids anywhere (C0 controls except TAB/LF/CR, and U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * DOCTYPE/ENTITY/ELEMENT/ATTLIST/NOTATION and anything else starting `<!` that is neither a
 * comment nor CDATA is refused (no DTD processing ever happens), and takes precedence over any other
 * parse error: scanXml runs this when it fails, or when a processing instruction hid a '<' from it.
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

declare const elementFilterBrand: unique symbol;
/**
 * Chooses the elements that get a record, by the name span s[nameStart, nameEnd) (the start tag's '<' is
 * at nameStart - 1) and the parent's record (undefined when the parent has none): names of elements not
 * kept are never cut out as strings. Branded for the reason AttributeFilter is: a `(name) => …` callback
 * would type-check and be handed the whole input as its name.
 */
export type ElementFilter = ((s: string, nameStart: number, nameEnd: number, depth: number, parent: ElementRecord | undefined) => boolean) & {
  readonly [elementFilterBrand]: true;
};

/** Brands a span-based element filter. */
export const elementFilter = (f: (s: string, nameStart: number, nameEnd: number, depth: number, parent: ElementRecord | undefined) => boolean): ElementFilter =>
  f as ElementFilter;

/** A filter keeping elements of exactly these names (at depth ≤ `maxDepth`). */
export function elementNames(names: readonly string[], maxDepth = Infinity): ElementFilter {
  const byLength: string[][] = [];
  for (const n of names) (byLength[n.length] ??= []).push(n);
  return elementFilter((s, nameStart, nameEnd, depth) => {
    if (depth > maxDepth) return false;
    const candidates = byLength[nameEnd - nameStart];
    if (candidates !== undefined) for (const n of candidates) if (s.startsWith(n, nameStart)) return true;
    return false;
  });
}

/** Deepest nesting accepted (real CoT nests a handful of levels). */
const MAX_DEPTH = 256;

/** The scan in progress: open elements as name spans and record indices (-1 when not recorded). */
interface ScanState {
  s: string;
  cur: Cursor;
  records: ElementRecord[];
  depth: number;
  openNameStart: Int32Array;
  openNameEnd: Int32Array;
  openRecord: Int32Array;
  /** A processing instruction held a '<': the markup declaration check must run over the whole input. */
  piHidesMarkup: boolean;
}

/**
 * Scans `s` as a whole document (prolog, exactly one root, trailing misc) or as a content
 * fragment (what sits inside <detail>). Records elements up to `recordDepth`.
 */
export function scanXml(
  s: string,
  mode: 'document' | 'fragment',
  recordDepth: number,
  /** Optional filter: only elements it accepts get a record. */
  keep?: ElementFilter,
  /** Raw attributes of the root element the caller wants, read while validating (no second pass over them). */
  rootAttributes?: { wanted: AttributeFilter; out: Map<string, string> },
): ScanResult {
  if (FORBIDDEN_CHARS.test(s)) fail('COT_PARSE', 'forbidden character', s.search(FORBIDDEN_CHARS));
  resetAttributeNames();
  const st: ScanState = {
    s,
    cur: newCursor(s),
    records: [],
    depth: 0,
    openNameStart: new Int32Array(MAX_DEPTH),
    openNameEnd: new Int32Array(MAX_DEPTH),
    openRecord: new Int32Array(MAX_DEPTH),
    piHidesMarkup: false,
  };
  // The scanner meets every '<!' outside comments, CDATA and processing instructions itself, so the
  // separate pass for markup declarations (a search for '<!' that stops at every '<') is needed only
  // when the scan fails (a declaration wins over any other error, as when it ran first) or a processing
  // instruction contained a '<'.
  try {
    scanContent(st, mode, recordDepth, keep, rootAttributes);
  } catch (err) {
    assertNoMarkupDeclarations(s);
    throw err;
  }
  if (st.piHidesMarkup) assertNoMarkupDeclarations(s);
  return { records: st.records };
}

function scanContent(
  st: ScanState,
  mode: 'document' | 'fragment',
  recordDepth: number,
  keep: ElementFilter | undefined,
  rootAttributes: { wanted: AttributeFilter; out: Map<string, string> } | undefined,
): void {
  const { s, cur, records, openNameStart, openNameEnd, openRecord } = st;
  const n = s.length;
  let i = 0;
  let rootSeen = false;
  if (mode === 'document' && s.charCodeAt(0) === 0xfeff) i = 1; // UTF-8 BOM decoded

  while (i < n) {
    // Right after a tag the next '<' is usually here: no search.
    const lt = s.charCodeAt(i) === 60 ? i : nextLt(cur, i);
    if (lt !== i) {
      scanText(st, i, lt === -1 ? n : lt, mode);
      if (lt === -1) break;
      i = lt;
    }
    const c1 = s.charCodeAt(i + 1);
    if (c1 === 47 /* / */) {
      i = endTag(st, i);
    } else if (c1 === 33 /* ! */ || c1 === 63 /* ? */) {
      i = markup(st, i, c1);
    } else {
      const depth = st.depth;
      if (depth === 0 && mode === 'document') {
        if (rootSeen) fail('COT_PARSE', 'more than one root element', i);
        rootSeen = true;
      }
      const nameEnd = readName(s, i + 1);
      const ch = s.charCodeAt(nameEnd);
      // No attributes: '>' or '/>' right after the name (scanAttributes would find the same).
      const after =
        ch === 62 ? nameEnd + 1
        : ch === 47 && s.charCodeAt(nameEnd + 1) === 62 ? -(nameEnd + 2)
        : depth === 0 && rootAttributes ? scanAttributes(cur, nameEnd, rootAttributes.out, rootAttributes.wanted)
        : scanAttributes(cur, nameEnd);
      const empty = after < 0;
      const next = empty ? -after : after;
      const parentRec = depth > 0 ? openRecord[depth - 1]! : -1;
      if (parentRec >= 0) records[parentRec]!.childElements++;
      let r = -1;
      if (depth <= recordDepth && (keep === undefined || keep(s, i + 1, nameEnd, depth, parentRec >= 0 ? records[parentRec] : undefined))) {
        r = records.length;
        records.push({ name: s.slice(i + 1, nameEnd), depth, parent: parentRec, start: i, openEnd: next, closeStart: next, end: next, childElements: 0, hasText: false });
      }
      if (!empty) {
        if (depth >= MAX_DEPTH) fail('COT_PARSE', 'nesting too deep', i);
        openNameStart[depth] = i + 1;
        openNameEnd[depth] = nameEnd;
        openRecord[depth] = r;
        st.depth = depth + 1;
      }
      i = next;
    }
  }
  if (st.depth > 0) fail('COT_PARSE', `unclosed element <${s.slice(openNameStart[st.depth - 1], openNameEnd[st.depth - 1])}>`, n);
  if (mode === 'document' && !rootSeen) fail('COT_PARSE', 'no root element', n);
}

/** Character data s[i, end): white space anywhere; anything else inside an element, references checked. */
function scanText(st: ScanState, i: number, end: number, mode: 'document' | 'fragment'): void {
  const s = st.s;
  let k = i;
  while (k < end && isWs(s.charCodeAt(k))) k++;
  if (k === end) return;
  if (st.depth === 0 && mode === 'document') fail('COT_PARSE', 'text outside the root element', i);
  checkReferences(st.cur, i, end);
  markText(st);
}

function markText(st: ScanState): void {
  const r = st.depth > 0 ? st.openRecord[st.depth - 1]! : -1;
  if (r >= 0) st.records[r]!.hasText = true;
}

/** The end tag at `i`; returns the index after it. Names are compared in place (no string per end tag). */
function endTag(st: ScanState, i: number): number {
  const s = st.s;
  const nameEnd = readName(s, i + 2);
  let j = nameEnd;
  while (isWs(s.charCodeAt(j))) j++;
  if (s.charCodeAt(j) !== 62) fail('COT_PARSE', "expected '>' in end tag", j);
  if (st.depth === 0) fail('COT_PARSE', 'unexpected end tag', i);
  const depth = st.depth - 1;
  const open = st.openNameStart[depth]!;
  const len = st.openNameEnd[depth]! - open;
  if (nameEnd - i - 2 !== len) fail('COT_PARSE', 'mismatched end tag', i);
  for (let k = 0; k < len; k++) if (s.charCodeAt(open + k) !== s.charCodeAt(i + 2 + k)) fail('COT_PARSE', 'mismatched end tag', i);
  const r = st.openRecord[depth]!;
  if (r >= 0) {
    st.records[r]!.closeStart = i;
    st.records[r]!.end = j + 1;
  }
  st.depth = depth;
  return j + 1;
}

function skipTo(s: string, i: number, terminator: string, what: string): number {
  const j = s.indexOf(terminator, i);
  if (j === -1) fail('COT_PARSE', `unterminated ${what}`, i);
  return j + terminator.length;
}

/** A comment, CDATA section or processing instruction at `i` ('<!' or '<?'); returns the index after it. */
function markup(st: ScanState, i: number, c1: number): number {
  const s = st.s;
  if (c1 === 63 /* ? */) {
    const end = skipTo(s, i + 2, '?>', 'processing instruction');
    const lt = nextLt(st.cur, i + 2);
    if (lt !== -1 && lt < end) st.piHidesMarkup = true;
    return end;
  }
  if (s.startsWith('<!--', i)) return skipTo(s, i + 4, '-->', 'comment');
  if (s.startsWith('<![CDATA[', i)) {
    if (st.depth === 0) fail('COT_PARSE', 'CDATA outside an element', i);
    const end = skipTo(s, i + 9, ']]>', 'CDATA section');
    markText(st);
    return end;
  }
  return fail('COT_FORBIDDEN_XML', 'markup declaration', i);
}

const LITERAL_WS = /[\t\n\r]/;

/** Decodes a raw attribute value: references, and literal TAB/LF/CR normalised to spaces (XML §3.3.3). */
export function decodeAttr(raw: string): string {
  if (raw.indexOf('&') === -1 && !LITERAL_WS.test(raw)) return raw;
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
