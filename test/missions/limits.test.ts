import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { audienceFor, createGuard, loadPolicies, makeLabel } from '../../src/labels/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { StoredEvent } from '../../src/store/types.js';
import { MissionService } from '../../src/marti/missions/service.js';
import { MissionContent } from '../../src/marti/missions/content.js';
import type { Caller } from '../../src/marti/missions/access.js';
import type { FileStore } from '../../src/marti/files/store.js';
import { tmpDir } from '../support/tmp.js';

/** Listings read one page of the store: a node refuses to hold more missions or items than a page. */
describe('mission limits', () => {
  it('refuses a mission or an item past the limit and keeps what it has', async () => {
    const registry = loadPolicies();
    const label = makeLabel(registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo: ['JPN'], owner: 'JPN' });
    const d = tmpDir('kizuna-mlimits-');
    const store = await openSqliteStore(join(d.dir, 'k.db'));
    try {
      const events = new Map<string, StoredEvent>(['u1', 'u2'].map((u) => [u, { id: u, origin: 'JPN', uid: u, type: 'a-f-G', time: 1, stale: 2, receivedAt: 1, label, xml: `<event uid="${u}"/>` }]));
      const svc = new MissionService({
        nodeId: 'JPN',
        nation: 'JPN',
        guard: createGuard(registry),
        registry,
        defaultLabel: () => label,
        deps: { store: store.missions, latest: async (u) => events.get(u), notify: () => undefined, announce: async () => undefined },
        limits: { maxMissions: 2, maxItems: 2 },
      });
      const content = new MissionContent(svc, { byHash: () => [] } as unknown as FileStore);
      const w: Caller = { identity: 'cert:w', name: 'w', nation: 'JPN', audience: audienceFor(registry, { nation: 'JPN' }) };
      await svc.createOrUpdate(w, { name: 'a', creatorUid: 'W', label, fields: {} });
      await svc.createOrUpdate(w, { name: 'b', creatorUid: 'W', label, fields: {} });
      await expect(svc.createOrUpdate(w, { name: 'c', creatorUid: 'W', label, fields: {} })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
      await content.add(w, { name: 'a' }, {}, { hashes: [], uids: ['u1'], creatorUid: 'W' });
      await content.add(w, { name: 'a' }, {}, { hashes: [], uids: ['u2'], creatorUid: 'W' });
      events.set('u3', { ...events.get('u1')!, id: 'u3', uid: 'u3' });
      await expect(content.add(w, { name: 'a' }, {}, { hashes: [], uids: ['u3'], creatorUid: 'W' })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
      // an item already there is updated, not counted again
      await content.add(w, { name: 'a' }, {}, { hashes: [], uids: ['u1'], creatorUid: 'W' });
      expect((await svc.list(w, { passwordProtected: true })).map((m) => m.name)).toEqual(['a', 'b']);
    } finally {
      await store.close();
      d.cleanup();
    }
  });
});
