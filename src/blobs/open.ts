import type { Clock } from '../clock.js';
import type { BlobStoreConfig } from '../config.js';
import { withDatabaseFallback, type BlobStore } from './blob-store.js';
import { databaseBlobStore } from './database.js';
import { diskBlobStore } from './disk.js';

/**
 * The configured store; one other than the database's reads what the database held before. The
 * AWS SDK is loaded only for S3: it holds megabytes that a server on its database or disk never uses.
 */
export async function openBlobStore(config: BlobStoreConfig, clock: Clock): Promise<BlobStore> {
  const database = databaseBlobStore(clock);
  switch (config.kind) {
    case 'database':
      return database;
    case 'file':
      return withDatabaseFallback(diskBlobStore(config.dir), database);
    case 's3': {
      const { kind: _, ...location } = config;
      const { s3BlobStore } = await import('./s3.js');
      return withDatabaseFallback(s3BlobStore(location), database);
    }
  }
}
