import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceFor } from '../../src/labels/index.js';
import {
  cotObject,
  label,
  jpnAndUsa,
  originate,
  registry,
  startNode,
  storedIds,
  tmpDir,
  waitFor,
  type TestNode,
} from './harness.js';

// Oracle written from the rules (docs/labels.md §0), not from the guard: USA may receive a JPN object iff
// "Releasable To" names USA (or a group containing it), and every caveat is one USA holds.
describe('property: USA receives exactly the releasable set', () => {
  const t = tmpDir();
  let jpn: TestNode;
  let usa: TestNode;
  const usaHeld = new Set(audienceFor(registry, { nation: 'USA' }).held['Caveat'] ?? []);

  beforeAll(async () => {
    const { JPN, USA } = await jpnAndUsa();
    usa = await startNode({ id: USA, dir: t.dir, peers: [{ id: JPN, port: 0 }] });
    jpn = await startNode({ id: JPN, dir: t.dir, peers: [{ id: USA, port: usa.port }] });
  });
  afterAll(async () => {
    await jpn?.close();
    await usa?.close();
    t.cleanup();
  });

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
        for (const o of objs) await originate(jpn, o.obj);
        // Sentinel closes the run: per-link FIFO, so everything sent before it has arrived when it has.
        const sentinel = cotObject('jpn', label({ policy: 'JPN', relTo: ['USA', 'JPN'] }));
        await originate(jpn, sentinel);
        await waitFor(async () => (await storedIds(usa)).includes(`jpn:${sentinel.id}`), 'sentinel');
        const got = new Set(await storedIds(usa));
        const received = objs.filter((o) => got.has(`jpn:${o.obj.id}`)).map((o) => o.obj.id);
        const expected = objs.filter((o) => o.expected).map((o) => o.obj.id);
        expect(received).toEqual(expected);
      }),
      { numRuns: 25 },
    );
    expect(usa.fed.status()[0]!.rejected).toBe(0); // the receiver never had to reject what the sender released
  });
});
