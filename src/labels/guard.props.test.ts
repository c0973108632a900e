import { describe, expect, it } from 'vitest';
import { labelProperties } from '../../test/props/properties.js';

const RUNS = Number(process.env.KIZUNA_PROP_RUNS ?? 2000);

describe('release guard properties (fast-check)', () => {
  for (const p of labelProperties().filter((x) => x.name.startsWith('guard') || x.name.startsWith('released'))) {
    it(p.name, () => {
      p.run(RUNS);
      // the generators must exercise both outcomes, or "0 leaks" would prove nothing
      if (p.name.startsWith('guard')) {
        expect(p.stats.allowed ?? 0).toBeGreaterThan(RUNS / 20);
        expect(p.stats.denied ?? 0).toBeGreaterThan(RUNS / 20);
      }
    }, 120_000);
  }
});
