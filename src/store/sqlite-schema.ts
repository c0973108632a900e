import type Database from 'better-sqlite3';
import { sqliteMigrations } from './migrations/index.js';
import type { StoredEvent } from './types.js';
import { EVENT_COLS } from './rows.js';

// The SQLite schema as the store sees it: migrations and the prepared statements (row shapes: rows.ts).

export const FAR_PAST = -8.64e15;
export const FAR_FUTURE = 8.64e15;

/** `labelJson`: the label column, when the caller has it written out already (one batch, one label) */
export function eventParams(e: StoredEvent, labelJson: string = JSON.stringify(e.label)): unknown[] {
  return [e.origin, e.id, e.uid, e.type, e.callsign ?? null, e.time, e.stale, e.receivedAt, labelJson, e.xml, e.originator ?? null];
}

export function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  // IMMEDIATE: two processes opening a fresh file at once must not both apply a migration.
  db.transaction(() => {
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const m of sqliteMigrations) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }
  }).immediate();
}

/** Prepared once, reused for the life of the connection. */
export function prepareStatements(db: Database.Database) {
  return {
    insertHistory: db.prepare(
      `INSERT INTO event_history (${EVENT_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (origin, id) DO NOTHING`,
    ),
    // An older event never replaces a newer latest; a tombstone is only replaced by a strictly newer event;
    // the latest event itself again changes nothing (a latest-only event is new only when it changes the row).
    upsertLatest: db.prepare(
      `INSERT INTO event_latest (${EVENT_COLS}, deleted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT (uid) DO UPDATE SET origin = excluded.origin, id = excluded.id, type = excluded.type,
         callsign = excluded.callsign, time = excluded.time, stale = excluded.stale,
         received_at = excluded.received_at, label = excluded.label, xml = excluded.xml,
         originator = excluded.originator, deleted = excluded.deleted
       WHERE (excluded.time > event_latest.time OR (event_latest.deleted = 0 AND excluded.time = event_latest.time))
         AND NOT (event_latest.origin = excluded.origin AND event_latest.id = excluded.id)`,
    ),
    // WHERE before ON CONFLICT: SQLite's INSERT … SELECT … ON CONFLICT needs the SELECT to have one
    historyFromLatest: db.prepare(
      `INSERT INTO event_history (${EVENT_COLS}) SELECT ${EVENT_COLS} FROM event_latest
       WHERE uid = ? AND deleted = 0 AND originator = ? ON CONFLICT (origin, id) DO NOTHING`,
    ),
    deleteLatest: db.prepare('UPDATE event_latest SET deleted = 1 WHERE uid = ?'),
    getLatest: db.prepare(`SELECT ${EVENT_COLS} FROM event_latest WHERE uid = ? AND deleted = 0`),
    latest: db.prepare(
      `SELECT ${EVENT_COLS} FROM event_latest WHERE (? = 1 OR deleted = 0) AND (? = 1 OR stale > ?) ORDER BY time, uid LIMIT ?`,
    ),
    history: db.prepare(
      `SELECT ${EVENT_COLS} FROM event_history WHERE uid = ? AND time >= ? AND time < ?
       ORDER BY time, received_at, origin, id LIMIT ?`,
    ),
    prune: db.prepare('DELETE FROM event_history WHERE time < ?'),
    peerInit: db.prepare('INSERT INTO outbox_peer (peer, last_seq, acked) VALUES (?, 0, 0) ON CONFLICT (peer) DO NOTHING'),
    peerGet: db.prepare('SELECT last_seq, acked, live FROM outbox_peer WHERE peer = ?'),
    peerSetLast: db.prepare('UPDATE outbox_peer SET last_seq = ?, live = live + ? WHERE peer = ?'),
    peerSetAcked: db.prepare('UPDATE outbox_peer SET acked = ?, live = live - ? WHERE peer = ?'),
    itemInsert: db.prepare('INSERT INTO outbox_item (peer, seq, key, payload, conflate) VALUES (?, ?, ?, ?, ?)'),
    itemSupersede: db.prepare('DELETE FROM outbox_item WHERE peer = ? AND conflate = ?'),
    itemPending: db.prepare('SELECT seq, key, payload FROM outbox_item WHERE peer = ? AND seq > ? ORDER BY seq LIMIT ?'),
    itemDrop: db.prepare('DELETE FROM outbox_item WHERE peer = ? AND seq <= ?'),
    seenInsert: db.prepare('INSERT INTO inbound_seen (key, seen_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    docGet: db.prepare('SELECT collection, id, version, label, body, updated_at FROM doc WHERE collection = ? AND id = ?'),
    docUpsert: db.prepare(
      `INSERT INTO doc (collection, id, version, label, body, updated_at) VALUES (?, ?, 1, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET version = doc.version + 1, label = excluded.label,
         body = excluded.body, updated_at = excluded.updated_at
       RETURNING version`,
    ),
    docCreate: db.prepare(
      `INSERT INTO doc (collection, id, version, label, body, updated_at) VALUES (?, ?, 1, ?, ?, ?)
       ON CONFLICT (collection, id) DO NOTHING RETURNING version`,
    ),
    docUpdate: db.prepare(
      `UPDATE doc SET version = version + 1, label = ?, body = ?, updated_at = ?
       WHERE collection = ? AND id = ? AND version = ? RETURNING version`,
    ),
    auditHead: db.prepare('SELECT seq, ts, kind, actor, body, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT 1'),
    auditInsert: db.prepare(
      'INSERT INTO audit (seq, ts, kind, actor, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    auditRange: db.prepare(
      'SELECT seq, ts, kind, actor, body, prev_hash, hash FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?',
    ),
  };
}

export type SqliteStatements = ReturnType<typeof prepareStatements>;
