import { describe, it } from 'vitest';
import { labelProperties } from '../../test/props/properties.js';

// Moderate CI counts; `npm run test:props -- --runs 1000000` runs the same suite at scale.
const RUNS = Number(process.env.KIZUNA_PROP_RUNS ?? 2000);

describe('label algebra and codec properties (fast-check)', () => {
  for (const p of labelProperties().filter((x) => !x.name.startsWith('guard') && !x.name.startsWith('released'))) {
    it(p.name, () => p.run(RUNS), 120_000);
  }
});
