/** Initial SQLite schema. Times are ms since epoch (INTEGER); labels and bodies are JSON text. */
export const name = 'init';
export const sql = `
CREATE TABLE event_history (
  origin      TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  uid         TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  callsign    TEXT,
  time        INTEGER NOT NULL,
  stale       INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  label       TEXT    NOT NULL,
  xml         TEXT    NOT NULL,
  PRIMARY KEY (origin, id)
);
CREATE INDEX event_history_uid_time ON event_history (uid, time);
CREATE INDEX event_history_time ON event_history (time);

-- One row per uid. A delete keeps the row as a tombstone (deleted = 1) so that an older event
-- arriving late cannot resurrect a track that was deleted.
CREATE TABLE event_latest (
  uid         TEXT    PRIMARY KEY,
  origin      TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  callsign    TEXT,
  time        INTEGER NOT NULL,
  stale       INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  label       TEXT    NOT NULL,
  xml         TEXT    NOT NULL,
  deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX event_latest_time ON event_latest (time);

CREATE TABLE outbox_peer (
  peer     TEXT    PRIMARY KEY,
  last_seq INTEGER NOT NULL,
  acked    INTEGER NOT NULL
);
CREATE TABLE outbox_item (
  peer    TEXT    NOT NULL,
  seq     INTEGER NOT NULL,
  key     TEXT    NOT NULL,
  payload BLOB    NOT NULL,
  PRIMARY KEY (peer, seq)
) WITHOUT ROWID;

CREATE TABLE inbound_seen (
  key     TEXT    PRIMARY KEY,
  seen_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE doc (
  collection TEXT    NOT NULL,
  id         TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  label      TEXT    NOT NULL,
  body       TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, id)
);
CREATE INDEX doc_collection_updated ON doc (collection, updated_at);

CREATE TABLE audit (
  seq       INTEGER PRIMARY KEY,
  ts        TEXT    NOT NULL,
  kind      TEXT    NOT NULL,
  actor     TEXT    NOT NULL,
  body      TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL
);
`;
