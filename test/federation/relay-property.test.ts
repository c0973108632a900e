import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceFor } from '../../src/labels/index.js';
import { cotObject, label, jpnAndUsa, makeIdentity, originate, registry, startNode, storedIds, tmpDir, waitFor, type TestNode } from './harness.js';

// Three policies on a relay path JPN–USA–PHL (JPN and PHL not linked). Oracle written from the rules
// (docs/labels.md §0, §5.2), not from the guard: USA receives a JPN object iff its REL TO names USA (or a group
// holding USA) and USA holds every caveat; PHL receives it iff USA did (the only path), its REL TO names
// PHL, and it carries no caveat (the JPN–PHL table pairs none: unmappable, denied).
describe('property: relay through USA gives PHL exactly what JPN released to PHL', () => {
  const t = tmpDir();
  let jpn: TestNode;
  let usa: TestNode;
  let phl: TestNode;
  const usaHeld = new Set(audienceFor(registry, { nation: 'USA' }).held['Caveat'] ?? []);

  beforeAll(async () => {
    const { JPN, USA } = await jpnAndUsa();
    const PHL = await makeIdentity({ nodeId: 'phl', nation: 'PHL' });
    usa = await startNode({ id: USA, dir: t.dir, peers: [{ id: JPN, port: 0 }, { id: PHL, port: 0 }] });
    phl = await startNode({ id: PHL, dir: t.dir, peers: [{ id: USA, port: usa.port }], originators: [JPN] });
    jpn = await startNode({ id: JPN, dir: t.dir, peers: [{ id: USA, port: usa.port }], originators: [PHL] });
  });
  afterAll(async () => {
    for (const n of [jpn, phl, usa]) await n?.close();
    t.cleanup();
  });

  it('for random JPN labels', async () => {
    const arbLabel = fc.record({
      classification: fc.constantFrom('UNCLASSIFIED', 'HI', 'GOKUHI', 'KIMITSU'),
      relTo: fc.subarray(['USA', 'JPN', 'PHL', 'GBR', 'FVEY', 'NATO']),
      caveats: fc.subarray(['KIZUNA-OPS', 'KIZUNA-CONTINGENCY']),
    });
    let leaks = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(arbLabel, { minLength: 1, maxLength: 20 }), async (specs) => {
        const objs = specs.map((s) => {
          const toUsa = (s.relTo.includes('USA') || s.relTo.includes('FVEY')) && s.caveats.every((c) => usaHeld.has(c));
          return {
            obj: cotObject('jpn', label({ policy: 'JPN', classification: s.classification, relTo: s.relTo.length ? s.relTo : undefined, caveats: s.caveats.length ? s.caveats : undefined, owner: 'JPN' })),
            toUsa,
            toPhl: toUsa && s.relTo.includes('PHL') && s.caveats.length === 0,
          };
        });
        for (const o of objs) await originate(jpn, o.obj);
        // Sentinel: releasable to all three, so per-link FIFO on both hops closes the run at PHL.
        const sentinel = cotObject('jpn', label({ policy: 'JPN', relTo: ['USA', 'JPN', 'PHL'] }));
        await originate(jpn, sentinel);
        await waitFor(async () => (await storedIds(phl)).includes(`jpn:${sentinel.id}`), 'sentinel at PHL');
        const atUsa = new Set(await storedIds(usa));
        const atPhl = new Set(await storedIds(phl));
        leaks += objs.filter((o) => !o.toPhl && atPhl.has(`jpn:${o.obj.id}`)).length;
        expect(objs.filter((o) => atUsa.has(`jpn:${o.obj.id}`)).map((o) => o.obj.id)).toEqual(objs.filter((o) => o.toUsa).map((o) => o.obj.id));
        expect(objs.filter((o) => atPhl.has(`jpn:${o.obj.id}`)).map((o) => o.obj.id)).toEqual(objs.filter((o) => o.toPhl).map((o) => o.obj.id));
      }),
      { numRuns: 20 },
    );
    expect(leaks).toBe(0);
    // neither receiver had to reject anything: the senders (originator and relay) released exactly that
    for (const n of [usa, phl]) expect(n.fed.status().every((p) => p.rejected === 0)).toBe(true);
  });
});
