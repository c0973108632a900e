/** The COP tools' strings: both languages, same keys, Japanese actually translated; errors never show a code. */
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../web/src/api.js';
import { plainError } from '../../web/src/find/plain-error.js';
import { setLang } from '../../web/src/i18n.js';
import { copText, tc } from '../../web/src/i18n-cop.js';

describe('COP tool strings', () => {
  it('has the same keys in English and Japanese, none empty, Japanese not left in English', () => {
    expect(Object.keys(copText.ja).sort()).toEqual(Object.keys(copText.en).sort());
    for (const [k, v] of Object.entries(copText.ja)) {
      expect(v.trim(), k).not.toBe('');
      // every Japanese string has Japanese script, except unit and format names that are the same in both
      if (!['coord.mgrs', 'unit.km'].includes(k)) expect(v, k).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    expect(tc('history.hours', { h: 6 }, 'ja')).toBe('過去6時間');
  });

  it('turns errors into plain sentences with no internal code', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    setLang('ja');
    expect(plainError(new ApiError(409, 'CONFLICT', 'version mismatch'))).toBe('他の利用者が変更しました。再読み込みしてからやり直してください');
    setLang('en');
    const odd = plainError(new ApiError(500, 'STORE_FAILED', 'sqlite: disk I/O error'));
    expect(odd).toBe(tc('error.generic'));
    expect(odd).not.toMatch(/STORE_FAILED|sqlite/);
    expect(plainError(new TypeError('Failed to fetch'))).toBe(tc('error.network'));
  });
});
