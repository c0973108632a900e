import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadPolicies, makeLabel } from '../labels/index.js';
import { admittedForTest as A } from '../../test/support/admitted.js';
import { tmpDir } from '../../test/support/tmp.js';
import { PG_URL, usePostgres } from '../../test/support/postgres.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

const registry = loadPolicies();
const label = (relTo: string[]) => makeLabel(registry, { policy: 'JPN', classification: 'UNCLASSIFIED', relTo, owner: 'JPN' });
const { freshSchema, dropSchema } = usePostgres();
const dirs: { cleanup(): void }[] = [];
const schemas: string[] = [];
afterAll(async () => {
  for (const d of dirs) d.cleanup();
  for (const s of schemas) await dropSchema(s);
});

const backends: [string, () => Promise<Store>][] = [
  ['sqlite', async () => {
    const d = tmpDir('kizuna-missions-');
    dirs.push(d);
    return openSqliteStore(join(d.dir, 'k.db'));
  }],
  ['postgres', async () => {
    const schema = freshSchema('kz_missions');
    schemas.push(schema);
    return openPostgresStore(PG_URL, { schema });
  }],
];

describe.each(backends)('mission store (%s)', (_name, open) => {
  it('keeps missions, labelled items and changes; names are unique; delete takes items and changes along', async () => {
    const store = await open();
    try {
      const guid = randomUUID();
      const m = { guid, name: 'ops', label: label(['JPN', 'USA']), body: { description: 'd' }, originator: 'cert:1', origin: 'JPN', createdAt: 1000 };
      await store.missions.putMission(A(m));
      expect(await store.missions.missionByName('ops')).toEqual(m);
      expect(await store.missions.missionByGuid(guid)).toEqual(m);
      await expect(store.missions.putMission(A({ ...m, guid: randomUUID() }))).rejects.toMatchObject({ code: 'CONFLICT' });
      const item = { mission: guid, kind: 'uid' as const, key: 'u1', label: label(['JPN']), body: { uid: 'u1' }, originator: 'cert:1', createdAt: 2000 };
      await store.missions.putItem(A(item));
      await store.missions.putItem(A({ ...item, kind: 'log', key: 'l1' }));
      expect(await store.missions.items(guid, 'uid')).toEqual([item]);
      expect((await store.missions.itemsByKey('log', 'l1')).map((i) => i.key)).toEqual(['l1']);
      const s1 = await store.missions.appendChange(A({ mission: guid, label: label(['JPN']), body: { type: 'ADD_CONTENT' }, at: 3000 }));
      const s2 = await store.missions.appendChange(A({ mission: guid, label: label(['JPN', 'USA']), body: { type: 'REMOVE_CONTENT' }, at: 4000 }));
      expect(s2).toBeGreaterThan(s1);
      expect((await store.missions.changes(guid, { since: 3500 })).map((c) => c.seq)).toEqual([s2]);
      expect((await store.missions.changes(guid, { until: 3500 })).map((c) => c.seq)).toEqual([s1]);
      expect(await store.missions.deleteItem(A(item))).toBe(true);
      expect(await store.missions.deleteItem(A(item))).toBe(false);
      await store.missions.deleteMission(A(m));
      expect(await store.missions.missionByName('ops')).toBeUndefined();
      expect(await store.missions.itemsByKey('log', 'l1')).toEqual([]);
      expect(await store.missions.changes(guid)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
