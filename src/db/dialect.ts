import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What differs between the SQL databases Stackyard runs on; everything else is plain Kysely. */
export interface DialectInfo {
  name: 'sqlite' | 'postgres';
  /** Column type for opaque bytes. */
  binaryType: 'blob' | 'bytea';
  /** Column type and constraint for an auto-incrementing integer key. */
  serialType: 'integer' | 'serial';
  serialPrimaryKey(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Column type for unix-millisecond timestamps. */
  timeType: 'integer' | 'bigint';
  /**
   * Whether `SELECT … FOR UPDATE SKIP LOCKED` exists: PostgreSQL's way for concurrent workers to
   * take different rows. SQLite has no row locks and no need: one writer at a time.
   */
  skipLocked: boolean;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectInfo;
  /** A consistent copy of the whole database in a new file, taken while it is in use (SQLite only). */
  backup?(file: string): Promise<void>;
  /** Connections of the pool, for metrics (PostgreSQL only; SQLite has one connection). */
  pool?(): { total: number; idle: number; waiting: number };
}
