import type { DatabaseHandle } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import { openSqlite } from './sqlite.js';

/** Opens the database named by a config URL and brings its schema up to date. */
export async function openDatabase(databaseUrl: string): Promise<DatabaseHandle> {
  const handle = openSqlite(databaseUrl.slice('sqlite:'.length));
  await migrateToLatest(handle);
  return handle;
}
