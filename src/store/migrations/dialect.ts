/**
 * The few places where the SQLite and PostgreSQL schemas differ, so that each migration is written once.
 * SQLite keeps the CREATE statement text itself (sqlite_master), so its values reproduce the shipped text
 * exactly; PostgreSQL keeps only the parsed schema, where spacing does not matter.
 */
export interface Dialect {
  /** 64-bit integer: times in ms, sequence numbers. */
  int64: string;
  /** Opaque bytes. */
  blob: string;
  /** A false flag column: its type and default. */
  flagFalse: string;
  /** An auto-numbered 64-bit primary key. */
  serialKey: string;
  /** Table option for tables read only by their primary key. */
  withoutRowid: string;
  /** Byte-order collation on TEXT keys, so that cursor pagination (id > after) agrees with ORDER BY id. */
  byteOrder: string;
}

export const sqliteDialect: Dialect = {
  int64: 'INTEGER',
  blob: 'BLOB',
  flagFalse: 'INTEGER NOT NULL DEFAULT 0',
  serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  withoutRowid: ' WITHOUT ROWID',
  // SQLite compares TEXT bytewise already.
  byteOrder: '',
};

export const postgresDialect: Dialect = {
  int64: 'BIGINT',
  blob: 'BYTEA',
  flagFalse: 'BOOLEAN NOT NULL DEFAULT FALSE',
  serialKey: 'BIGSERIAL PRIMARY KEY',
  withoutRowid: '',
  byteOrder: ' COLLATE "C"',
};

export interface Migration {
  version: number;
  name: string;
  sql: string;
}
