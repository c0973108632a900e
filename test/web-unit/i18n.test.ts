import { afterEach, describe, expect, it } from 'vitest';
import { en, ja, dictionaries, formatTime, localeFor, setLang, t, getLang } from '../../web/src/i18n.js';

describe('i18n dictionaries', () => {
  it('English and Japanese have identical key sets', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
  });

  it('no empty strings and identical placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      for (const lang of ['en', 'ja'] as const) expect(dictionaries[lang][key].trim(), `${lang}:${key}`).not.toBe('');
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(ph(ja[key]), key).toEqual(ph(en[key]));
    }
  });

  it('Japanese UI strings are actually translated (apart from controlled terms)', () => {
    const same = (Object.keys(en) as (keyof typeof en)[]).filter((k) => en[k] === ja[k]);
    expect(same.sort()).toEqual(['banner.default', 'common.unknown', 'details.uid', 'kind.isr', 'unit.deg', 'unit.m'].sort());
  });
});

describe('t()', () => {
  afterEach(() => setLang('en'));
  it('fills placeholders and follows the current language', () => {
    expect(t('map.tracks', { shown: 3, total: 5 })).toBe('Tracks: 3 / 5');
    setLang('ja');
    expect(getLang()).toBe('ja');
    expect(t('map.tracks', { shown: 3, total: 5 })).toBe('航跡: 3 / 5');
    expect(t('login.failed')).toBe('ログインに失敗しました: {msg}');
  });
});

describe('formatTime', () => {
  it('shows the instant in the given zone and in UTC', () => {
    const f = formatTime('2025-03-01T12:34:56Z', 'ja-JP', 'Asia/Tokyo');
    expect(f.utc).toBe('2025-03-01 12:34:56Z');
    expect(f.local).toContain('21:34:56');
    const g = formatTime('2025-03-01T12:34:56Z', 'en-US', 'America/New_York');
    expect(g.local).toContain('07:34:56');
  });
  it('invalid or missing instants do not render "Invalid Date"', () => {
    expect(formatTime('not a date', 'en-US')).toEqual({ local: '—', utc: '—' });
    expect(formatTime(undefined, 'en-US')).toEqual({ local: '—', utc: '—' });
  });
  it('picks the browser locale matching the UI language', () => {
    expect(localeFor('ja', ['en-GB', 'ja-JP'])).toBe('ja-JP');
    expect(localeFor('en', ['en-GB', 'ja-JP'])).toBe('en-GB');
    expect(localeFor('ja', ['en-GB'])).toBe('ja-JP');
  });
});
