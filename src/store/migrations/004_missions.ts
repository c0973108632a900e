import type { Dialect } from './dialect.js';

/**
 * Missions (TAK Data Sync). Every row carries its own label: the mission, each content item, uid, log entry,
 * subscription, invitation and change. Items and changes go with their mission (ON DELETE CASCADE).
 */
export const name = 'missions';
export const sql = (d: Dialect): string => `
CREATE TABLE mission (
  guid        TEXT    PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  label       TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  originator  TEXT    NOT NULL,
  origin      TEXT    NOT NULL,
  created_at  ${d.int64} NOT NULL
);
CREATE TABLE mission_item (
  mission     TEXT    NOT NULL REFERENCES mission (guid) ON DELETE CASCADE,
  kind        TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  label       TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  originator  TEXT    NOT NULL,
  created_at  ${d.int64} NOT NULL,
  PRIMARY KEY (mission, kind, key)
);
CREATE TABLE mission_change (
  seq         ${d.serialKey},
  mission     TEXT    NOT NULL REFERENCES mission (guid) ON DELETE CASCADE,
  label       TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  at          ${d.int64} NOT NULL
);
CREATE INDEX mission_change_at ON mission_change (mission, at);
`;
