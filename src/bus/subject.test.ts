import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKizunaError } from '../util/errors.js';
import { checkSubject, decodeToken, encodeToken, nodeSubject, subjectMatches } from './subject.js';

// NATS subject token and KV key rules: no separators/wildcards/whitespace; KV keys [-/_=.a-zA-Z0-9].
const SAFE_TOKEN = /^[-_=A-Za-z0-9]+$/;

describe('encodeToken / decodeToken', () => {
  it('round-trips any string into a safe, non-empty token', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        const t = encodeToken(s);
        expect(t).toMatch(SAFE_TOKEN);
        expect(decodeToken(t)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('is injective (distinct strings never share a token)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 16 }), fc.string({ unit: 'grapheme', maxLength: 16 }), (x, y) => {
        fc.pre(x !== y);
        expect(encodeToken(x)).not.toBe(encodeToken(y));
      }),
      { numRuns: 2000 },
    );
  });

  it('handles real TAK uids and keeps plain ids readable', () => {
    for (const uid of ['ANDROID-589520ccfcd20f01', 'S-1-5-21-942292099.3', 'a.b*c>d e:f', '日本-ユニット', '', '_', '=']) {
      expect(decodeToken(encodeToken(uid))).toBe(uid);
    }
    expect(encodeToken('ANDROID-589520ccfcd20f01')).toBe('ANDROID-589520ccfcd20f01');
    expect(encodeToken('a.b')).toBe('a_2Eb');
  });

  it('refuses strings with lone surrogates instead of mapping two strings to one token', () => {
    for (const s of ['\uD800', 'a\uDC00b']) {
      let err: unknown;
      try {
        encodeToken(s);
      } catch (e) {
        err = e;
      }
      expect(isKizunaError(err, 'BAD_REQUEST')).toBe(true);
    }
    expect(decodeToken(encodeToken('\u{1F600}'))).toBe('\u{1F600}');
  });

  it('rejects tokens that encodeToken cannot produce', () => {
    for (const bad of ['', 'a.b', 'a b', '_4', '_zz', '_41', '_FF', 'a=', '*', '>']) {
      let err: unknown;
      try {
        decodeToken(bad);
      } catch (e) {
        err = e;
      }
      expect(isKizunaError(err, 'BAD_REQUEST'), bad).toBe(true);
    }
  });
});

describe('subjects', () => {
  it('nodeSubject always yields a valid publish subject', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.array(fc.string(), { maxLength: 3 }), (node, topic) => {
        checkSubject(nodeSubject(node, ...topic), false);
      }),
    );
  });

  it('matches like NATS', () => {
    expect(subjectMatches('kizuna.JPN.>', 'kizuna.JPN.events.x')).toBe(true);
    expect(subjectMatches('kizuna.JPN.>', 'kizuna.JPN')).toBe(false);
    expect(subjectMatches('kizuna.*.events', 'kizuna.USA.events')).toBe(true);
    expect(subjectMatches('kizuna.*.events', 'kizuna.USA.events.x')).toBe(false);
    expect(subjectMatches('kizuna.JPN.events', 'kizuna.JPN.events')).toBe(true);
    expect(subjectMatches('kizuna.JPN.events', 'kizuna.JPN.event')).toBe(false);
  });
});
