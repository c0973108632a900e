import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audienceFor } from '../../src/labels/index.js';
import { cotObject, label, originate, registry, storedIds, useJpnUsa, waitFor } from './harness.js';

// Oracle written from the rules (docs/labels.md §0), not from the guard: USA may receive a JPN object iff
// "Releasable To" names USA (or a group containing it), and every caveat is one USA holds.
describe('property: USA receives exactly the releasable set', () => {
  const pair = useJpnUsa();
  const usaHeld = new Set(audienceFor(registry, { nation: 'USA' }).held['Caveat'] ?? []);

  it('for random labelled events', async () => {
    const arbLabel = fc.record({
      classification: fc.constantFrom('UNCLASSIFIED', 'HI', 'GOKUHI', 'KIMITSU'),
      relTo: fc.subarray(['USA', 'JPN', 'PHL', 'GBR', 'FVEY']),
      caveats: fc.subarray(['KIZUNA-OPS', 'KIZUNA-CONTINGENCY']),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(arbLabel, { minLength: 1, maxLength: 25 }), async (specs) => {
        const objs = specs.map((s) => ({
          obj: cotObject('jpn', label({ policy: 'JPN', classification: s.classification, relTo: s.relTo.length ? s.relTo : undefined, caveats: s.caveats.length ? s.caveats : undefined, owner: 'JPN' })),
          expected: (s.relTo.includes('USA') || s.relTo.includes('FVEY')) && s.caveats.every((c) => usaHeld.has(c)),
        }));
        for (const o of objs) await originate(pair.jpn, o.obj);
        // Sentinel closes the run: per-link FIFO, so everything sent before it has arrived when it has.
        const sentinel = cotObject('jpn', label({ policy: 'JPN', relTo: ['USA', 'JPN'] }));
        await originate(pair.jpn, sentinel);
        await waitFor(async () => (await storedIds(pair.usa)).includes(`jpn:${sentinel.id}`), 'sentinel');
        const got = new Set(await storedIds(pair.usa));
        const received = objs.filter((o) => got.has(`jpn:${o.obj.id}`)).map((o) => o.obj.id);
        const expected = objs.filter((o) => o.expected).map((o) => o.obj.id);
        expect(received).toEqual(expected);
      }),
      { numRuns: 25 },
    );
    expect(pair.usa.fed.status()[0]!.rejected).toBe(0); // the receiver never had to reject what the sender released
  });
});
