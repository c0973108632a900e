import type Database from 'better-sqlite3';
import { KizunaError } from '../util/errors.js';
import { parseEventLabel, parseJson, storeError } from './common.js';
import { MISSION_CHANGES_LIMIT, MISSION_LIST_LIMIT, type MissionChangeRow, type MissionItemRow, type MissionRow, type MissionStore } from './missions-types.js';

interface Row {
  label: string;
  body: string;
}
type MRow = Row & { guid: string; name: string; originator: string; origin: string; created_at: number };
type IRow = Row & { mission: string; kind: MissionItemRow['kind']; key: string; originator: string; created_at: number };
type CRow = Row & { seq: number; mission: string; at: number };

const M_COLS = 'guid, name, label, body, originator, origin, created_at';
const I_COLS = 'mission, kind, key, label, body, originator, created_at';
const FAR_PAST = -8.64e15;
const FAR_FUTURE = 8.64e15;

export const toMission = (r: MRow): MissionRow => ({
  guid: r.guid,
  name: r.name,
  label: parseEventLabel(r.label),
  body: parseJson(r.body, 'mission'),
  originator: r.originator,
  origin: r.origin,
  createdAt: Number(r.created_at),
});
export const toItem = (r: IRow): MissionItemRow => ({
  mission: r.mission,
  kind: r.kind,
  key: r.key,
  label: parseEventLabel(r.label),
  body: parseJson(r.body, 'mission item'),
  originator: r.originator,
  createdAt: Number(r.created_at),
});
export const toChange = (r: CRow): MissionChangeRow => ({ seq: Number(r.seq), mission: r.mission, label: parseEventLabel(r.label), body: parseJson(r.body, 'mission change'), at: Number(r.at) });

export type { MRow, IRow, CRow };

/** Mission tables on the node's SQLite connection (synchronous statements, prepared once). */
export function sqliteMissionStore(db: Database.Database): MissionStore {
  const s = {
    put: db.prepare(
      `INSERT INTO mission (${M_COLS}) VALUES (?,?,?,?,?,?,?)
       ON CONFLICT (guid) DO UPDATE SET name = excluded.name, label = excluded.label, body = excluded.body`,
    ),
    byName: db.prepare(`SELECT ${M_COLS} FROM mission WHERE name = ?`),
    byGuid: db.prepare(`SELECT ${M_COLS} FROM mission WHERE guid = ?`),
    list: db.prepare(`SELECT ${M_COLS} FROM mission ORDER BY name LIMIT ?`),
    del: db.prepare('DELETE FROM mission WHERE guid = ?'),
    putItem: db.prepare(
      `INSERT INTO mission_item (${I_COLS}) VALUES (?,?,?,?,?,?,?)
       ON CONFLICT (mission, kind, key) DO UPDATE SET label = excluded.label, body = excluded.body`,
    ),
    delItem: db.prepare('DELETE FROM mission_item WHERE mission = ? AND kind = ? AND key = ?'),
    items: db.prepare(`SELECT ${I_COLS} FROM mission_item WHERE mission = ? AND kind = ? ORDER BY created_at, key LIMIT ?`),
    item: db.prepare(`SELECT ${I_COLS} FROM mission_item WHERE mission = ? AND kind = ? AND key = ?`),
    byKey: db.prepare(`SELECT ${I_COLS} FROM mission_item WHERE kind = ? AND key = ? LIMIT ?`),
    change: db.prepare('INSERT INTO mission_change (mission, label, body, at) VALUES (?,?,?,?) RETURNING seq'),
    changes: db.prepare('SELECT seq, mission, label, body, at FROM mission_change WHERE mission = ? AND at >= ? AND at < ? ORDER BY seq LIMIT ?'),
  };
  const run = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return Promise.reject(new KizunaError('CONFLICT', 'mission name taken'));
      return Promise.reject(storeError(e, what));
    }
  };
  return {
    putMission: (m) => run('put mission', () => void s.put.run(m.guid, m.name, JSON.stringify(m.label), JSON.stringify(m.body), m.originator, m.origin, m.createdAt)),
    missionByName: (name) => run('get mission', () => {
      const r = s.byName.get(name) as MRow | undefined;
      return r && toMission(r);
    }),
    missionByGuid: (guid) => run('get mission', () => {
      const r = s.byGuid.get(guid) as MRow | undefined;
      return r && toMission(r);
    }),
    listMissions: (limit = MISSION_LIST_LIMIT) => run('list missions', () => (s.list.all(limit) as MRow[]).map(toMission)),
    deleteMission: (m) => run('delete mission', () => void s.del.run(m.guid)),
    putItem: (i) => run('put mission item', () => void s.putItem.run(i.mission, i.kind, i.key, JSON.stringify(i.label), JSON.stringify(i.body), i.originator, i.createdAt)),
    deleteItem: (i) => run('delete mission item', () => s.delItem.run(i.mission, i.kind, i.key).changes > 0),
    items: (mission, kind) => run('mission items', () => (s.items.all(mission, kind, MISSION_LIST_LIMIT) as IRow[]).map(toItem)),
    item: (mission, kind, key) => run('mission item', () => {
      const r = s.item.get(mission, kind, key) as IRow | undefined;
      return r && toItem(r);
    }),
    itemsByKey: (kind, key) => run('mission items', () => (s.byKey.all(kind, key, MISSION_LIST_LIMIT) as IRow[]).map(toItem)),
    appendChange: (c) => run('mission change', () => Number((s.change.get(c.mission, JSON.stringify(c.label), JSON.stringify(c.body), c.at) as { seq: number }).seq)),
    changes: (mission, o = {}) =>
      run('mission changes', () =>
        (s.changes.all(mission, o.since ?? FAR_PAST, o.until ?? FAR_FUTURE, Math.min(o.limit ?? MISSION_CHANGES_LIMIT, MISSION_CHANGES_LIMIT)) as CRow[]).map(toChange),
      ),
  };
}
