import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';

/** Set by the test runner for its PostgreSQL pass: a superuser URL of a throwaway server. */
const postgresUrl = process.env.STACKYARD_TEST_POSTGRES_URL || undefined;

/** The database this test process runs its servers on. */
export const testDatabase: 'sqlite' | 'postgres' = postgresUrl ? 'postgres' : 'sqlite';

const databases = new Map<string, Promise<string>>();

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client(postgresUrl);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Server arguments that give a data directory its own database: none on SQLite, whose file lives
 * in the data directory; on PostgreSQL, a new database for each data directory, so that a
 * server, its replicas and admin commands on one directory share it, as on SQLite.
 */
export async function databaseArgs(dataDir: string): Promise<string[]> {
  if (!postgresUrl) return [];
  let url = databases.get(dataDir);
  if (!url) {
    const name = `stackyard_${randomBytes(8).toString('hex')}`;
    url = adminQuery(`create database ${name}`).then(() => {
      const database = new URL(postgresUrl);
      database.pathname = `/${name}`;
      return database.toString();
    });
    databases.set(dataDir, url);
  }
  return ['--database-url', await url];
}

/** The URL of a data directory's database, as its servers are given it. */
export async function databaseUrlOf(dataDir: string): Promise<string> {
  const args = await databaseArgs(dataDir);
  return args[1] ?? `sqlite:${path.join(dataDir, 'stackyard.db')}`;
}

/** Drops the data directory's database, if it has one of its own. */
export async function dropDatabase(dataDir: string): Promise<void> {
  const url = databases.get(dataDir);
  if (!url) return;
  databases.delete(dataDir);
  await adminQuery(`drop database if exists ${new URL(await url).pathname.slice(1)} with (force)`);
}
