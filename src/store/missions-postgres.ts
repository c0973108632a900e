import type pg from 'pg';
import { KizunaError } from '../util/errors.js';
import { storeError } from './common.js';
import { toChange, toItem, toMission, type CRow, type IRow, type MRow } from './missions-sqlite.js';
import { MISSION_CHANGES_LIMIT, MISSION_LIST_LIMIT, type MissionStore } from './missions-types.js';

const M_COLS = 'guid, name, label, body, originator, origin, created_at';
const I_COLS = 'mission, kind, key, label, body, originator, created_at';
const FAR_PAST = -8.64e15;
const FAR_FUTURE = 8.64e15;

/** Mission tables on the node's PostgreSQL pool (the pool's search_path selects the schema). */
export function postgresMissionStore(pool: pg.Pool): MissionStore {
  const q = async <R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(sql, params);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new KizunaError('CONFLICT', 'mission name taken');
      throw storeError(e, what);
    }
  };
  return {
    async putMission(m) {
      await q(
        'put mission',
        `INSERT INTO mission (${M_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (guid) DO UPDATE SET name = excluded.name, label = excluded.label, body = excluded.body`,
        [m.guid, m.name, JSON.stringify(m.label), JSON.stringify(m.body), m.originator, m.origin, m.createdAt],
      );
    },
    async missionByName(name) {
      const r = (await q<MRow>('get mission', `SELECT ${M_COLS} FROM mission WHERE name = $1`, [name])).rows[0];
      return r && toMission(r);
    },
    async missionByGuid(guid) {
      const r = (await q<MRow>('get mission', `SELECT ${M_COLS} FROM mission WHERE guid = $1`, [guid])).rows[0];
      return r && toMission(r);
    },
    async listMissions(limit = MISSION_LIST_LIMIT) {
      return (await q<MRow>('list missions', `SELECT ${M_COLS} FROM mission ORDER BY name LIMIT $1`, [limit])).rows.map(toMission);
    },
    async deleteMission(m) {
      await q('delete mission', 'DELETE FROM mission WHERE guid = $1', [m.guid]);
    },
    async putItem(i) {
      await q(
        'put mission item',
        `INSERT INTO mission_item (${I_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (mission, kind, key) DO UPDATE SET label = excluded.label, body = excluded.body`,
        [i.mission, i.kind, i.key, JSON.stringify(i.label), JSON.stringify(i.body), i.originator, i.createdAt],
      );
    },
    async deleteItem(i) {
      return ((await q('delete mission item', 'DELETE FROM mission_item WHERE mission = $1 AND kind = $2 AND key = $3', [i.mission, i.kind, i.key])).rowCount ?? 0) > 0;
    },
    async items(mission, kind) {
      const sql = `SELECT ${I_COLS} FROM mission_item WHERE mission = $1 AND kind = $2 ORDER BY created_at, key LIMIT $3`;
      return (await q<IRow>('mission items', sql, [mission, kind, MISSION_LIST_LIMIT])).rows.map(toItem);
    },
    async item(mission, kind, key) {
      const r = (await q<IRow>('mission item', `SELECT ${I_COLS} FROM mission_item WHERE mission = $1 AND kind = $2 AND key = $3`, [mission, kind, key])).rows[0];
      return r && toItem(r);
    },
    async itemsByKey(kind, key) {
      return (await q<IRow>('mission items', `SELECT ${I_COLS} FROM mission_item WHERE kind = $1 AND key = $2 LIMIT $3`, [kind, key, MISSION_LIST_LIMIT])).rows.map(toItem);
    },
    async appendChange(c) {
      const r = await q<{ seq: string }>('mission change', 'INSERT INTO mission_change (mission, label, body, at) VALUES ($1,$2,$3,$4) RETURNING seq', [
        c.mission,
        JSON.stringify(c.label),
        JSON.stringify(c.body),
        c.at,
      ]);
      return Number(r.rows[0]!.seq);
    },
    async changes(mission, o = {}) {
      const sql = 'SELECT seq, mission, label, body, at FROM mission_change WHERE mission = $1 AND at >= $2 AND at < $3 ORDER BY seq LIMIT $4';
      const limit = Math.min(o.limit ?? MISSION_CHANGES_LIMIT, MISSION_CHANGES_LIMIT);
      return (await q<CRow>('mission changes', sql, [mission, o.since ?? FAR_PAST, o.until ?? FAR_FUTURE, limit])).rows.map(toChange);
    },
  };
}
