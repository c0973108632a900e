/**
 * Every dictionary of UI strings the page shows, as (English, Japanese) tables: the main one and those kept
 * apart so features merge without touching it. The i18n unit test and the "no English in Japanese" e2e
 * both read this list, so a new dictionary added here is checked by both.
 */
import { copEn, copJa } from '../../web/src/draw/strings.js';
import { en, ja } from '../../web/src/i18n.js';
import { copText } from '../../web/src/i18n-cop.js';
import { basemapAttribution, errorText, mapLocale } from '../../web/src/i18n-extra.js';
import { missionEn, missionJa } from '../../web/src/missions/strings.js';

export interface UiTable {
  name: string;
  en: Readonly<Record<string, string>>;
  ja: Readonly<Record<string, string>>;
}

export const UI_TABLES: readonly UiTable[] = [
  { name: 'i18n', en, ja },
  { name: 'cop', en: copText.en, ja: copText.ja },
  { name: 'draw', en: copEn, ja: copJa },
  { name: 'missions', en: missionEn, ja: missionJa },
  { name: 'errors', en: errorText.en, ja: errorText.ja },
  { name: 'map', en: mapLocale.en, ja: mapLocale.ja },
  { name: 'attribution', en: { basemap: basemapAttribution.en }, ja: { basemap: basemapAttribution.ja } },
];

/** Every (table, key, English, Japanese) row. */
export function uiRows(): { table: string; key: string; en: string; ja: string }[] {
  return UI_TABLES.flatMap((t) => Object.keys(t.en).map((key) => ({ table: t.name, key, en: t.en[key]!, ja: t.ja[key]! })));
}

/**
 * English strings that must never be on a page in Japanese: whole strings with letters, no placeholders,
 * a Japanese translation that differs, and longer than a unit symbol.
 */
export function englishUiStrings(): string[] {
  return [...new Set(uiRows().filter((r) => r.en !== r.ja && !r.en.includes('{') && /[A-Za-z]{2}/.test(r.en) && r.en.length > 2).map((r) => r.en))];
}

/**
 * English strings with placeholders, as regular expression sources matching a whole text once filled in
 * ("Tracks ({n})" matches "Tracks (3)"): only those with English words outside their placeholders.
 */
export function englishUiPatterns(): string[] {
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const rows = uiRows().filter((r) => r.en !== r.ja && r.en.includes('{') && /[A-Za-z]{2}/.test(r.en.replace(/\{\w+\}/g, '')));
  return [...new Set(rows.map((r) => `^${r.en.split(/\{\w+\}/).map(escape).join('[\\s\\S]+?')}$`))];
}
