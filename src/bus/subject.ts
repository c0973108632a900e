import { KizunaError } from '../util/errors.js';

/**
 * Reversible encoding of any string into one NATS subject token that is also a valid KV key and
 * stream/bucket name fragment. Real TAK uids contain `.`, `*`, `>`, spaces, `:` and unicode, which
 * NATS would read as token separators or wildcards. Kept as-is: ASCII letters, digits and `-`.
 * Everything else (including `_` itself) becomes `_XX` per UTF-8 byte (upper-case hex). The empty
 * string becomes `=` (a token may not be empty; `=` is never produced otherwise).
 */
const PLAIN = /^[A-Za-z0-9-]$/;
const ENCODED = /^(?:[A-Za-z0-9-]|_[0-9A-F]{2})+$/;

export function encodeToken(s: string): string {
  if (typeof s !== 'string') throw new KizunaError('BAD_REQUEST', 'token source must be a string');
  if (s === '') return '=';
  // A lone surrogate has no UTF-8 form (it would collide with U+FFFD): refuse instead of mangling.
  if (/\p{Surrogate}/u.test(s)) throw new KizunaError('BAD_REQUEST', 'token source is not well-formed UTF-16');
  let out = '';
  for (const ch of s) {
    if (PLAIN.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) out += `_${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeToken(t: string): string {
  if (t === '=') return '';
  if (typeof t !== 'string' || !ENCODED.test(t)) throw new KizunaError('BAD_REQUEST', 'not an encoded token');
  const bytes: number[] = [];
  for (let i = 0; i < t.length; ) {
    if (t[i] === '_') {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(t.charCodeAt(i));
      i += 1;
    }
  }
  const buf = Buffer.from(bytes);
  // fatal: a token that is not valid UTF-8 was not produced by encodeToken.
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch (cause) {
    throw new KizunaError('BAD_REQUEST', 'not an encoded token', { cause });
  }
  // Canonical form only, so one string has exactly one token (no alternative spellings like `_41` for `A`).
  if (encodeToken(s) !== t) throw new KizunaError('BAD_REQUEST', 'not a canonical encoded token');
  return s;
}

/** `kizuna.<node>.<topic…>` with every token encoded: the one way subjects are built. */
export function nodeSubject(node: string, ...topic: string[]): string {
  return ['kizuna', encodeToken(node), ...topic.map(encodeToken)].join('.');
}

/** Prefix every subject of a node's stream starts with. */
export function nodeSubjectPrefix(node: string): string {
  return `kizuna.${encodeToken(node)}.`;
}

/** NATS subject syntax: non-empty tokens without whitespace; `*` and `>` only as whole tokens, `>` last. */
export function checkSubject(subject: string, allowWildcards: boolean): void {
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 4096) {
    throw new KizunaError('BAD_REQUEST', 'subject is empty or too long');
  }
  const tokens = subject.split('.');
  tokens.forEach((tok, i) => {
    if (tok.length === 0 || /\s/.test(tok)) throw new KizunaError('BAD_REQUEST', 'subject has an empty or blank token');
    const wild = tok === '*' || tok === '>';
    if (!wild && /[*>]/.test(tok)) throw new KizunaError('BAD_REQUEST', 'subject token contains a wildcard character');
    if (wild && !allowWildcards) throw new KizunaError('BAD_REQUEST', 'wildcards are not allowed when publishing');
    if (tok === '>' && i !== tokens.length - 1) throw new KizunaError('BAD_REQUEST', '">" must be the last token');
  });
}

/** NATS matching semantics, used by the in-process bus. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
