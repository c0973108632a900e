import { describe, expect, it } from 'vitest';
import { authorityProperties } from '../../test/props/authority-properties.js';

const RUNS = Number(process.env.KIZUNA_PROP_RUNS ?? 3000);

describe('write authority properties (fast-check, independent reference)', () => {
  for (const p of authorityProperties()) {
    it(p.name, () => {
      p.run(RUNS);
      // the generators must exercise both outcomes of each operation, or "0 unauthorized writes" would prove nothing
      if (p.name.includes('agrees')) {
        for (const op of ['write', 'delete', 'relabel']) {
          expect(p.stats[`admitted ${op}`] ?? 0).toBeGreaterThan(0);
          expect(p.stats[`refused ${op}`] ?? 0).toBeGreaterThan(RUNS / 100);
        }
      } else if (p.name.includes('continue')) {
        expect(p.stats['created'] ?? 0).toBeGreaterThan(RUNS / 20);
      } else {
        expect(p.stats['hidden cases'] ?? 0).toBeGreaterThan(RUNS / 50);
      }
    }, 240_000);
  }
});
