import type { BlobStore } from '../../blobs/blob-store.js';
import type { DatabaseHandle } from '../../db/dialect.js';
import { pendingMigrations } from '../../db/migrate.js';
import { pingDatabase } from './store.js';

export interface Readiness {
  ready: boolean;
  checks: { database: string; migrations: string; blobs: string };
}

/**
 * What a load balancer asks before sending traffic: the database answers and its schema is the
 * one this build expects (a replica started during an upgrade waits for the migration), and the
 * blob store holding states can be written.
 */
export async function readiness(database: DatabaseHandle, blobs: BlobStore): Promise<Readiness> {
  let databaseCheck = 'ok';
  let migrationsCheck = 'ok';
  try {
    await pingDatabase(database.db);
    const pending = await pendingMigrations(database);
    if (pending.length > 0) migrationsCheck = `pending: ${pending.join(', ')}`;
  } catch (error) {
    databaseCheck = `unreachable: ${(error as Error).message}`;
    migrationsCheck = 'unknown';
  }
  let blobsCheck = 'ok';
  try {
    await blobs.check();
  } catch (error) {
    blobsCheck = `unavailable: ${(error as Error).name === 'NotFound' ? 'no such bucket' : (error as Error).message}`;
  }
  return {
    ready: databaseCheck === 'ok' && migrationsCheck === 'ok' && blobsCheck === 'ok',
    checks: { database: databaseCheck, migrations: migrationsCheck, blobs: blobsCheck },
  };
}
