/** Initial PostgreSQL schema (created inside the store's schema via search_path). Same shape as SQLite. */
export const name = 'init';
export const sql = `
CREATE TABLE event_history (
  origin      TEXT   NOT NULL,
  id          TEXT   NOT NULL,
  uid         TEXT   NOT NULL,
  type        TEXT   NOT NULL,
  callsign    TEXT,
  time        BIGINT NOT NULL,
  stale       BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  label       TEXT   NOT NULL,
  xml         TEXT   NOT NULL,
  PRIMARY KEY (origin, id)
);
CREATE INDEX event_history_uid_time ON event_history (uid, time);
CREATE INDEX event_history_time ON event_history (time);

CREATE TABLE event_latest (
  uid         TEXT    PRIMARY KEY,
  origin      TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  callsign    TEXT,
  time        BIGINT  NOT NULL,
  stale       BIGINT  NOT NULL,
  received_at BIGINT  NOT NULL,
  label       TEXT    NOT NULL,
  xml         TEXT    NOT NULL,
  deleted     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX event_latest_time ON event_latest (time);

CREATE TABLE outbox_peer (
  peer     TEXT   PRIMARY KEY,
  last_seq BIGINT NOT NULL,
  acked    BIGINT NOT NULL
);
CREATE TABLE outbox_item (
  peer    TEXT   NOT NULL,
  seq     BIGINT NOT NULL,
  key     TEXT   NOT NULL,
  payload BYTEA  NOT NULL,
  PRIMARY KEY (peer, seq)
);

CREATE TABLE inbound_seen (
  key     TEXT   PRIMARY KEY,
  seen_at BIGINT NOT NULL
);

-- body is kept as TEXT so it round-trips byte for byte; queries cast to jsonb.
CREATE TABLE doc (
  collection TEXT   NOT NULL,
  -- byte order, like SQLite: cursor pagination (id > after) must agree with ORDER BY id everywhere
  id         TEXT   COLLATE "C" NOT NULL,
  version    INTEGER NOT NULL,
  label      TEXT   NOT NULL,
  body       TEXT   NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (collection, id)
);
CREATE INDEX doc_collection_updated ON doc (collection, updated_at);

CREATE TABLE audit (
  seq       BIGINT PRIMARY KEY,
  ts        TEXT   NOT NULL,
  kind      TEXT   NOT NULL,
  actor     TEXT   NOT NULL,
  body      TEXT   NOT NULL,
  prev_hash TEXT   NOT NULL,
  hash      TEXT   NOT NULL
);
`;
