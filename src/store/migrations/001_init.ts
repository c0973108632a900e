import type { Dialect } from './dialect.js';

/**
 * Initial schema. Times are ms since epoch; labels and bodies are JSON text (kept as TEXT on PostgreSQL too,
 * so they round-trip byte for byte; queries cast to jsonb).
 */
export const name = 'init';

/** The columns event_history and event_latest share after their keys. */
const eventColumns = (d: Dialect): string => `  type        TEXT    NOT NULL,
  callsign    TEXT,
  time        ${d.int64} NOT NULL,
  stale       ${d.int64} NOT NULL,
  received_at ${d.int64} NOT NULL,
  label       TEXT    NOT NULL,
  xml         TEXT    NOT NULL`;

// event_latest: one row per uid. A delete keeps the row as a tombstone (deleted set) so that an older event
// arriving late cannot resurrect a track that was deleted.
export const sql = (d: Dialect): string => `
CREATE TABLE event_history (
  origin      TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  uid         TEXT    NOT NULL,
${eventColumns(d)},
  PRIMARY KEY (origin, id)
);
CREATE INDEX event_history_uid_time ON event_history (uid, time);
CREATE INDEX event_history_time ON event_history (time);

CREATE TABLE event_latest (
  uid         TEXT    PRIMARY KEY,
  origin      TEXT    NOT NULL,
  id          TEXT    NOT NULL,
${eventColumns(d)},
  deleted     ${d.flagFalse}
);
CREATE INDEX event_latest_time ON event_latest (time);

CREATE TABLE outbox_peer (
  peer     TEXT    PRIMARY KEY,
  last_seq ${d.int64} NOT NULL,
  acked    ${d.int64} NOT NULL
);
CREATE TABLE outbox_item (
  peer    TEXT    NOT NULL,
  seq     ${d.int64} NOT NULL,
  key     TEXT    NOT NULL,
  payload ${d.blob.padEnd(7)} NOT NULL,
  PRIMARY KEY (peer, seq)
)${d.withoutRowid};

CREATE TABLE inbound_seen (
  key     TEXT    PRIMARY KEY,
  seen_at ${d.int64} NOT NULL
)${d.withoutRowid};

CREATE TABLE doc (
  collection TEXT    NOT NULL,
  id         TEXT   ${d.byteOrder} NOT NULL,
  version    INTEGER NOT NULL,
  label      TEXT    NOT NULL,
  body       TEXT    NOT NULL,
  updated_at ${d.int64} NOT NULL,
  PRIMARY KEY (collection, id)
);
CREATE INDEX doc_collection_updated ON doc (collection, updated_at);

CREATE TABLE audit (
  seq       ${d.int64} PRIMARY KEY,
  ts        TEXT    NOT NULL,
  kind      TEXT    NOT NULL,
  actor     TEXT    NOT NULL,
  body      TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL
);
`;
