import { KizunaError } from '../util/errors.js';

/**
 * Character-level pieces of the CoT XML scanner (./xml-scan.ts): names, white space, references, and
 * a forward-only cursor over '<' and '&'. Everything works on offsets of the input string.
 */

export type ParseCode = 'COT_PARSE' | 'COT_FORBIDDEN_XML';

export function fail(code: ParseCode, detail: string, at: number): never {
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

export const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

/** True when s[start, end) is exactly `name` (compared in place: no string is cut out). */
export const spanIs = (s: string, start: number, end: number, name: string): boolean => end - start === name.length && s.startsWith(name, start);

/** Index just after the name starting at `i`; COT_PARSE when no name starts there. */
export function readName(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (!(c >= 128 ? true : NAME_START[c] === 1)) fail('COT_PARSE', 'expected a name', i);
  let j = i + 1;
  for (;;) {
    const d = s.charCodeAt(j);
    if (d >= 128 ? true : NAME_CHAR[d] === 1) j++;
    else return j; // NaN past the end falls here too
  }
}

/** Whether the UTF-16 unit `c` may start / continue a name (for loops that read a name themselves). */
export const isNameStart = (c: number): boolean => (c >= 128 ? true : NAME_START[c] === 1);
export const isNameChar = (c: number): boolean => (c >= 128 ? true : NAME_CHAR[c] === 1);

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
export interface Cursor {
  s: string;
  amp: number;
  lt: number;
}

export function newCursor(s: string): Cursor {
  return { s, amp: s.indexOf('&'), lt: s.indexOf('<') };
}

function nextAmp(c: Cursor, from: number): number {
  if (c.amp !== -1 && c.amp < from) c.amp = c.s.indexOf('&', from);
  return c.amp;
}

export function nextLt(c: Cursor, from: number): number {
  if (c.lt !== -1 && c.lt < from) c.lt = c.s.indexOf('<', from);
  return c.lt;
}

// Module constants: a regex literal inside the function is a new RegExp object per evaluation.
const HEX_DIGITS = /^[0-9a-fA-F]+$/;
const DEC_DIGITS = /^[0-9]+$/;

/** Validates the references in s[from, to); returns nothing, throws COT_PARSE. */
export function checkReferences(c: Cursor, from: number, to: number): void {
  const s = c.s;
  let amp = nextAmp(c, from);
  while (amp !== -1 && amp < to) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi >= to || semi - amp > 12) fail('COT_PARSE', 'bad reference', amp);
    const ref = s.slice(amp + 1, semi);
    if (ref.charCodeAt(0) === 35 /* # */) {
      const hex = ref.charCodeAt(1) === 120; /* x */
      const digits = ref.slice(hex ? 2 : 1);
      if (!(hex ? HEX_DIGITS : DEC_DIGITS).test(digits)) fail('COT_PARSE', 'bad character reference', amp);
      if (!isXmlChar(parseInt(digits, hex ? 16 : 10))) fail('COT_PARSE', 'reference to a forbidden character', amp);
    } else if (ref !== 'amp' && ref !== 'lt' && ref !== 'gt' && ref !== 'quot' && ref !== 'apos') {
      // No DTD, so no other entity can be defined.
      fail('COT_PARSE', 'undefined entity', amp);
    }
    amp = nextAmp(c, semi + 1);
  }
}
