import { readAttributeName } from './attribute-names.js';
import { type Cursor, checkReferences, fail, isWs, nextLt, readName } from './xml-chars.js';

/** Attributes of a start tag: the validating scan (for ./xml-scan.ts) and reads of validated input. */

declare const attributeFilterBrand: unique symbol;
/**
 * Chooses attributes by name span, so unwanted names are never cut out as strings: the index of the
 * name in the list it was made from, the list's length for a prefix match, -1 for no match. Branded: made
 * only by `attributeNames`, because a plain `(name) => …` callback would type-check (fewer parameters)
 * and never match.
 */
export type AttributeFilter = ((s: string, start: number, end: number) => number) & { readonly [attributeFilterBrand]: true };

/** A filter accepting exactly these names (and, with `prefix`, every name starting with it). */
export function attributeNames(names: readonly string[], prefix?: string): AttributeFilter {
  const byLength: number[][] = [];
  names.forEach((n, k) => (byLength[n.length] ??= []).push(k));
  const filter = (s: string, start: number, end: number): number => {
    const len = end - start;
    const candidates = byLength[len];
    if (candidates !== undefined) for (const k of candidates) if (s.startsWith(names[k]!, start)) return k;
    if (prefix !== undefined && len >= prefix.length && s.startsWith(prefix, start)) return names.length;
    return -1;
  };
  return filter as AttributeFilter;
}

/** Where wanted raw (undecoded) values go: by name in a Map, or by the filter's index in an array. */
type Sink = Map<string, string> | (string | undefined)[];

/**
 * Parses the attributes of a start tag from `i` (just after the name). Returns the index after
 * '>', negated for an empty-element tag ('/>'), to avoid an allocation per element. When `out`
 * is given, raw (undecoded) attribute values are stored in it.
 */
export function scanAttributes(c: Cursor | string, i: number, out?: Sink, wanted?: AttributeFilter): number {
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
    // Validating, the duplicate check reads the name itself (hashing it in the same pass).
    const nameEnd = validate ? readAttributeName(s, count++, i) : readName(s, i);
    if (nameEnd === -1) fail('COT_PARSE', 'duplicate attribute', i);
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
      // The cached next '&' lies beyond this value (or there is none): no references to check.
      if (c.amp !== -1 && c.amp < close) checkReferences(c, i + 1, close);
    }
    if (out !== undefined) store(s, out, wanted, nameStart, nameEnd, i + 1, close);
    i = close + 1;
  }
}

function store(s: string, out: Sink, wanted: AttributeFilter | undefined, nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
  if (out instanceof Map) {
    if (wanted === undefined || wanted(s, nameStart, nameEnd) >= 0) out.set(s.slice(nameStart, nameEnd), s.slice(valueStart, valueEnd));
  } else {
    const k = wanted!(s, nameStart, nameEnd);
    if (k >= 0) out[k] = s.slice(valueStart, valueEnd);
  }
}

/** Raw attributes of the start tag beginning at `start` (input already validated by scanXml); only `wanted` ones if given. */
export function readAttributes(s: string, start: number, wanted?: AttributeFilter, out = new Map<string, string>()): Map<string, string> {
  scanAttributes(s, readName(s, start + 1), out, wanted);
  return out;
}

/**
 * Raw values of the attributes `wanted` was made from, by its index, into `out` (cleared first; undefined
 * when absent): no Map and no name string per read, for elements read by the thousand (<marti><dest>).
 * `wanted` must have no prefix. Input already validated by scanXml.
 */
export function readAttributeValues(s: string, start: number, wanted: AttributeFilter, out: (string | undefined)[]): void {
  out.fill(undefined);
  scanAttributes(s, readName(s, start + 1), out, wanted);
}
