import { afterEach, describe, expect, it } from 'vitest';
import { UNCLASSIFIED_JA } from '../../src/labels/index.js';
import { GLOSSARY } from '../../web/src/glossary.js';
import { errorText, mapLocale } from '../../web/src/i18n-extra.js';
import { en, ja, dictionaries, formatTime, localeFor, setLang, t, getLang } from '../../web/src/i18n.js';
import { uiRows } from './ui-tables.js';

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
    expect(same.sort()).toEqual(['common.unknown', 'details.uid', 'unit.deg', 'unit.m'].sort());
  });

  it('no English word in the Japanese UI apart from acronyms, names and the language switch', () => {
    const allowed = new Set(['Kizuna', 'English', 'UID', 'CoT', 'HAE', 'ISR', 'RFI']);
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      const words = ja[key].replace(/\{\w+\}/g, '').match(/[A-Za-z][A-Za-z0-9]+/g) ?? [];
      expect(words.filter((w) => !allowed.has(w)), key).toEqual([]);
    }
  });

  it('one Japanese translation per English string', () => {
    const seen = new Map<string, string>();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const prior = seen.get(en[key]);
      expect(prior === undefined || prior === ja[key], `"${en[key]}" is translated "${prior}" and "${ja[key]}"`).toBe(true);
      seen.set(en[key], ja[key]);
    }
  });

  it('every glossary term is used, and used with its glossary translation', () => {
    expect(new Set(GLOSSARY.map((g) => g.en)).size).toBe(GLOSSARY.length);
    for (const g of GLOSSARY) {
      const keys = (Object.keys(en) as (keyof typeof en)[]).filter((k) => en[k] === g.en);
      expect(keys.length, `glossary term "${g.en}" is used by no UI string`).toBeGreaterThan(0);
      for (const k of keys) expect(ja[k], k).toBe(g.ja);
      expect(g.source.trim()).not.toBe('');
    }
  });

  it('every UI dictionary (main, COP tools, drawing, missions, errors, map controls): one Japanese translation per English string', () => {
    // the scale bar spells units out in Japanese, the measure card keeps the SI symbol "km"
    const unitSymbols = new Set(['km']);
    const seen = new Map<string, { ja: string; where: string }>();
    const clashes: string[] = [];
    for (const r of uiRows()) {
      const key = r.en.toLowerCase();
      const prior = seen.get(key);
      if (prior && prior.ja !== r.ja && !unitSymbols.has(key)) clashes.push(`"${r.en}": ${prior.where}=${prior.ja} vs ${r.table}:${r.key}=${r.ja}`);
      if (!prior) seen.set(key, { ja: r.ja, where: `${r.table}:${r.key}` });
    }
    expect(clashes).toEqual([]);
  });

  it('every UI dictionary uses each glossary term with its glossary translation, alone or inside a longer string', () => {
    const misses: string[] = [];
    for (const g of GLOSSARY) {
      const word = new RegExp(`(^|[^A-Za-z])${g.en.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}($|[^A-Za-z])`);
      for (const r of uiRows()) {
        if (r.en === g.en && r.ja !== g.ja) misses.push(`${r.table}:${r.key} "${r.ja}" should be "${g.ja}"`);
        else if (r.en !== g.en && !g.wholeOnly && word.test(r.en) && !r.ja.includes(g.ja)) misses.push(`${r.table}:${r.key} "${r.en}" → "${r.ja}" lacks "${g.ja}"`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('no English word in any Japanese UI dictionary apart from acronyms, names, formats and units', () => {
    const allowed = new Set(['Kizuna', 'English', 'UID', 'CoT', 'HAE', 'ISR', 'RFI', 'MGRS', 'KML', 'KMZ', 'GeoJSON', 'JSON', 'kml', 'kmz', 'geojson', 'json', 'FeatureCollection', 'Feature', 'geometry', 'Esc', 'Delete', 'MB', 'km', 'kn', 'Natural', 'Earth', 'world', 'atlas']);
    const found: string[] = [];
    for (const r of uiRows()) {
      const words = r.ja.replace(/\{\w+\}/g, '').match(/[A-Za-z][A-Za-z0-9]+/g) ?? [];
      for (const w of words) if (!allowed.has(w)) found.push(`${r.table}:${r.key} ${w}`);
    }
    expect(found).toEqual([]);
  });

  it('server error texts and map control strings exist in both languages', () => {
    expect(Object.keys(errorText.ja).sort()).toEqual(Object.keys(errorText.en).sort());
    expect(Object.keys(mapLocale.ja).sort()).toEqual(Object.keys(mapLocale.en).sort());
    for (const v of [...Object.values(errorText.ja), ...Object.values(mapLocale.ja)]) expect(v).not.toMatch(/[A-Za-z]{2}/);
  });

  it('the default banner uses the one Japanese rendering of UNCLASSIFIED the server markings use', () => {
    expect(ja['banner.default']).toBe(UNCLASSIFIED_JA);
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
