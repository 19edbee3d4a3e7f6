import type { DatabaseHandle } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import { openSqlite } from './sqlite.js';

/**
 * Connects to the database a config URL names (`sqlite:<file>` or `postgres://…`), as it is. The
 * PostgreSQL client is loaded only for PostgreSQL: a server on SQLite would hold it for nothing.
 */
export async function connectDatabase(databaseUrl: string): Promise<DatabaseHandle> {
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(databaseUrl.slice('sqlite:'.length));
  const { openPostgres } = await import('./postgres.js');
  return openPostgres(databaseUrl);
}

/** Connects to the database a config URL names and brings its schema up to date. */
export async function openDatabase(databaseUrl: string): Promise<DatabaseHandle> {
  const handle = await connectDatabase(databaseUrl);
  try {
    await migrateToLatest(handle);
  } catch (error) {
    await handle.db.destroy();
    throw error;
  }
  return handle;
}
