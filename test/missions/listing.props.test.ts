import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { audienceFor, createGuard, loadPolicies, makeLabel, type SecurityLabel } from '../../src/labels/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { StoredEvent } from '../../src/store/types.js';
import { MissionService } from '../../src/marti/missions/service.js';
import { MissionContent } from '../../src/marti/missions/content.js';
import type { Caller } from '../../src/marti/missions/access.js';
import type { FileStore } from '../../src/marti/files/store.js';
import { tmpDir } from '../support/tmp.js';

/**
 * Mission listings, items and changes through the guard, against an oracle that knows nothing of the guard:
 * a JPN-owned label is visible to an audience when its nation is in the releasability list and the level's
 * position in the ladder (the JPN and USA ladders pair position by position) is within the audience's.
 */
const JPN_LEVELS = ['UNCLASSIFIED', 'HI', 'GOKUHI', 'KIMITSU'];
const USA_LEVELS = ['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'];
const registry = loadPolicies();
const guard = createGuard(registry);

interface L {
  level: number;
  usa: boolean;
}
const labelOf = (l: L): SecurityLabel => makeLabel(registry, { policy: 'JPN', classification: JPN_LEVELS[l.level]!, relTo: l.usa ? ['JPN', 'USA'] : ['JPN'], owner: 'JPN' });
const oracle = (l: L, a: { nation: 'JPN' | 'USA'; max: number }) => (a.nation === 'JPN' || l.usa) && l.level <= a.max;

const labelArb = fc.record({ level: fc.integer({ min: 0, max: 3 }), usa: fc.boolean() });
const scenario = fc.record({
  missions: fc.array(fc.record({ label: labelArb, items: fc.array(labelArb, { maxLength: 4 }) }), { minLength: 1, maxLength: 4 }),
  audiences: fc.array(fc.record({ nation: fc.constantFrom('JPN' as const, 'USA' as const), max: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 3 }),
});

describe('mission listings and changes through the guard (property, independent oracle)', () => {
  it('shows exactly the missions, uids and changes the oracle allows', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const d = tmpDir('kizuna-mprop-');
        const store = await openSqliteStore(join(d.dir, 'k.db'));
        try {
          const events = new Map<string, StoredEvent>();
          const svc = new MissionService({
            nodeId: 'JPN',
            nation: 'JPN',
            guard,
            registry,
            defaultLabel: () => labelOf({ level: 0, usa: false }),
            deps: { store: store.missions, latest: async (uid) => events.get(uid), notify: () => undefined, announce: async () => undefined },
          });
          const content = new MissionContent(svc, { byHash: () => [] } as unknown as FileStore);
          const writer: Caller = { identity: 'cert:w', name: 'w', nation: 'JPN', audience: audienceFor(registry, { nation: 'JPN' }) };
          for (const [i, m] of sc.missions.entries()) {
            await svc.createOrUpdate(writer, { name: `m${i}`, creatorUid: 'W', label: labelOf(m.label), fields: {} });
            for (const [j, it] of m.items.entries()) {
              const uid = `u${i}-${j}`;
              events.set(uid, { id: uid, origin: 'JPN', uid, type: 'a-f-G', time: 1, stale: 2, receivedAt: 1, label: labelOf(it), xml: `<event uid="${uid}"><point lat="1" lon="2"/></event>` });
              await content.add(writer, { name: `m${i}` }, {}, { hashes: [], uids: [uid], creatorUid: 'W' });
            }
          }
          for (const a of sc.audiences) {
            const levels = a.nation === 'JPN' ? JPN_LEVELS : USA_LEVELS;
            const who: Caller = { identity: `cert:${a.nation}`, name: 'r', nation: a.nation, audience: audienceFor(registry, { nation: a.nation, maxClassification: levels[a.max]! }) };
            const expected = sc.missions.map((m, i) => ({ m, i })).filter(({ m }) => oracle(m.label, a));
            const listed = (await svc.list(who, { passwordProtected: true })) as { name: string; uids: { data: string }[] }[];
            expect(listed.map((m) => m.name).sort()).toEqual(expected.map(({ i }) => `m${i}`).sort());
            for (const { m, i } of expected) {
              const want = m.items.flatMap((it, j) => (oracle(it, a) ? [`u${i}-${j}`] : []));
              const shown = listed.find((x) => x.name === `m${i}`)!;
              expect(shown.uids.map((u) => u.data).sort()).toEqual([...want].sort());
              const changes = await svc.changesOf(who, { name: `m${i}` }, {}, { squashed: false });
              expect(changes.filter((c) => c.type === 'ADD_CONTENT').map((c) => c.contentUid).sort()).toEqual([...want].sort());
            }
            for (const [i, m] of sc.missions.entries()) {
              if (oracle(m.label, a)) continue;
              await expect(svc.changesOf(who, { name: `m${i}` }, {}, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
            }
          }
        } finally {
          await store.close();
          d.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
