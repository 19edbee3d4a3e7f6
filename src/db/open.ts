import type { DatabaseHandle } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

/** Connects to the database a config URL names (`sqlite:<file>` or `postgres://…`), as it is. */
export function connectDatabase(databaseUrl: string): DatabaseHandle {
  return databaseUrl.startsWith('sqlite:') ? openSqlite(databaseUrl.slice('sqlite:'.length)) : openPostgres(databaseUrl);
}

/** Connects to the database a config URL names and brings its schema up to date. */
export async function openDatabase(databaseUrl: string): Promise<DatabaseHandle> {
  const handle = connectDatabase(databaseUrl);
  try {
    await migrateToLatest(handle);
  } catch (error) {
    await handle.db.destroy();
    throw error;
  }
  return handle;
}
