import type { DatabaseHandle } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

/** Opens the database named by a config URL (`sqlite:<file>` or `postgres://…`) and brings its schema up to date. */
export async function openDatabase(databaseUrl: string): Promise<DatabaseHandle> {
  const handle = databaseUrl.startsWith('sqlite:') ? openSqlite(databaseUrl.slice('sqlite:'.length)) : openPostgres(databaseUrl);
  try {
    await migrateToLatest(handle);
  } catch (error) {
    await handle.db.destroy();
    throw error;
  }
  return handle;
}
