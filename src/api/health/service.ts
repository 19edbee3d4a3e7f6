import type { BlobStore } from '../../blobs/blob-store.js';
import { open } from '../../crypto/aead.js';
import type { DatabaseHandle } from '../../db/dialect.js';
import { pendingMigrations } from '../../db/migrate.js';
import { recentStorageFull } from '../../db/transaction.js';
import { findAnyWrappedEnvironmentKey } from '../environments/store.js';
import { findAnyWrappedKey } from '../secrets/store.js';
import { pingDatabase } from './store.js';

export interface Readiness {
  ready: boolean;
  checks: { database: string; migrations: string; disk: string; blobs: string; secrets: string };
}

/**
 * What a load balancer asks before sending traffic: the database answers and its schema is the
 * one this build expects (a replica started during an upgrade waits for the migration), its
 * writes have not just failed for want of space, the blob store holding states can be written,
 * and the master key opens the stacks' secrets keys (a replica given another key would fail
 * every encrypt and decrypt).
 */
export async function readiness(database: DatabaseHandle, blobs: BlobStore, options: { masterKey?: Buffer } = {}): Promise<Readiness> {
  let databaseCheck = 'ok';
  let migrationsCheck = 'ok';
  let secretsCheck = 'ok';
  try {
    await pingDatabase(database.db);
    const pending = await pendingMigrations(database);
    if (pending.length > 0) migrationsCheck = `pending: ${pending.join(', ')}`;
    if (options.masterKey && migrationsCheck === 'ok') secretsCheck = await checkMasterKey(database, options.masterKey);
  } catch (error) {
    databaseCheck = `unreachable: ${(error as Error).message}`;
    migrationsCheck = 'unknown';
    secretsCheck = 'unknown';
  }
  const full = recentStorageFull(database.db);
  const diskCheck = full ? `full: a write failed ${Math.round((Date.now() - full.at) / 1000)} s ago: ${full.message}` : 'ok';
  let blobsCheck = 'ok';
  try {
    await blobs.check();
  } catch (error) {
    blobsCheck = `unavailable: ${(error as Error).name === 'NotFound' ? 'no such bucket' : (error as Error).message}`;
  }
  const checks = { database: databaseCheck, migrations: migrationsCheck, disk: diskCheck, blobs: blobsCheck, secrets: secretsCheck };
  return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
}

/**
 * Opens one stored stack key and one environment key, as the secrets and environment services do
 * (same key contexts), when any is stored.
 */
async function checkMasterKey(database: DatabaseHandle, masterKey: Buffer): Promise<string> {
  const stored = await findAnyWrappedKey(database.db);
  if (stored && !open(masterKey, stored.wrappedKey, `stack-key:${stored.stackId}`)) {
    return `wrong master key: it does not open the stored secrets key of stack ${stored.stackId}`;
  }
  const environmentKey = await findAnyWrappedEnvironmentKey(database.db);
  if (environmentKey && !open(masterKey, environmentKey.wrappedKey, `environment-key:${environmentKey.ownerId}`)) {
    return `wrong master key: it does not open the stored data key of environment key owner ${environmentKey.ownerId}`;
  }
  return 'ok';
}
