import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteDialectConfig } from 'kysely';
import { LRUCache } from 'lru-cache';
import { ConfigError } from '../config.js';
import type { DatabaseHandle } from './dialect.js';
import { createPrivateFile, makePrivateDirectory } from './private-files.js';
import type { Database } from './schema.js';

/**
 * Transactions begin IMMEDIATE, taking the write lock up front: a deferred one that reads and then
 * writes fails at once (SQLITE_BUSY, no waiting) when another connection, such as an admin
 * command's or another process's, wrote in between; an immediate one waits its turn (busy_timeout).
 */
class ImmediateTransactionsDriver extends SqliteDriver {
  constructor(
    settings: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
  ) {
    super(settings);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR); a second
   * rollback would fail with "no transaction is active" and that error would replace the real one.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackTransaction(connection);
  }
}

class ImmediateTransactionsDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
  ) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateTransactionsDriver(this.settings, this.sqlite);
  }
}

/**
 * Kysely prepares every query it runs, and better-sqlite3 compiles a statement on each prepare;
 * the same SQL text (values are bound apart) reuses its compiled statement. Safe because queries
 * run to completion synchronously (nothing streams with `iterate`), and SQLite recompiles a
 * statement itself when a migration changes the schema under it.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const statements = new LRUCache<string, SQLite.Statement>({ max });
  return {
    close: () => sqlite.close(),
    prepare: (sql) => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** The database file cannot be opened for writing: `stackyard` says which file and why, in one line. */
export class DatabaseFileError extends ConfigError {}

export function openSqlite(file: string): DatabaseHandle {
  makePrivateDirectory(path.dirname(file));
  if (fs.existsSync(file)) {
    // SQLite quietly opens a file it may not write read-only, and the server would then fail
    // every write; this fails at start, with the reason (EACCES, EPERM, EROFS, EISDIR).
    fs.closeSync(fs.openSync(file, 'r+'));
  } else {
    try {
      createPrivateFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let connection: SQLite.Database | undefined;
  try {
    connection = new SQLite(file);
    // States are large blobs: bigger pages make their overflow chains shorter (a multi-MB state writes
    // and reads back in about half the time of 4 KiB pages). Only a new file takes it, before WAL.
    connection.pragma('page_size = 16384');
    // WAL lets the admin command and a running server share the file.
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('busy_timeout = 5000');
    connection.pragma('synchronous = NORMAL');
  } catch (error) {
    connection?.close();
    const cause = whyNotWritable(file);
    throw new DatabaseFileError(`cannot open the database ${file}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  return {
    db: new Kysely<Database>({ dialect: new ImmediateTransactionsDialect({ database: withStatementCache(connection) }, connection) }),
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
      // Made first, private and exclusively: SQLite would create it 0644, and never overwrite one.
      try {
        createPrivateFile(target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${target} already exists; a backup never overwrites a file`);
        throw error;
      }
      try {
        await connection.backup(target);
      } catch (error) {
        fs.rmSync(target, { force: true });
        throw error;
      }
    },
  };
}

/**
 * SQLite says only "unable to open database file": the file itself opened for writing, so creating
 * its -wal beside it ourselves gives the operating system's reason (EACCES, EPERM, EROFS).
 */
function whyNotWritable(file: string): string | undefined {
  const wal = `${file}-wal`;
  try {
    fs.closeSync(fs.openSync(wal, 'wx', 0o600));
    fs.rmSync(wal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return (error as Error).message;
  }
  return undefined;
}
