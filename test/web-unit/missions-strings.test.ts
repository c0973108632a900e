import { describe, expect, it } from 'vitest';
import { missionEn, missionJa } from '../../web/src/missions/strings.js';

describe('missions panel strings', () => {
  it('every string exists and is non-empty in both languages, with the same placeholders', () => {
    const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(missionEn) as (keyof typeof missionEn)[]) {
      expect(missionJa[k], k).toBeTruthy();
      expect(ph(missionJa[k]), k).toEqual(ph(missionEn[k]));
    }
  });
});
