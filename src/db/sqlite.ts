import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import type { DatabaseHandle } from './dialect.js';
import type { Database } from './schema.js';

/**
 * Transactions begin IMMEDIATE, taking the write lock up front: a deferred one that reads and then
 * writes fails at once (SQLITE_BUSY, no waiting) when another connection, such as an admin
 * command's or another process's, wrote in between; an immediate one waits its turn (busy_timeout).
 */
class ImmediateTransactionsDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateTransactionsDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateTransactionsDriver(this.settings);
  }
}

export function openSqlite(file: string): DatabaseHandle {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const connection = new SQLite(file);
  // States are large blobs: bigger pages make their overflow chains shorter (a multi-MB state writes
  // and reads back in about half the time of 4 KiB pages). Only a new file takes it, before WAL.
  connection.pragma('page_size = 16384');
  // WAL lets the admin command and a running server share the file.
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('synchronous = NORMAL');
  return {
    db: new Kysely<Database>({ dialect: new ImmediateTransactionsDialect({ database: connection }) }),
    dialect: {
      name: 'sqlite',
      binaryType: 'blob',
      serialType: 'integer',
      serialPrimaryKey: (column) => column.primaryKey().autoIncrement(),
      timeType: 'integer',
      skipLocked: false,
    },
    // SQLite's online backup copies pages while writers carry on, restarting if they change any.
    backup: async (target) => {
      if (fs.existsSync(target)) throw new Error(`${target} already exists; a backup never overwrites a file`);
      await connection.backup(target);
    },
  };
}
