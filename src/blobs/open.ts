import type { Clock } from '../clock.js';
import type { BlobStoreConfig } from '../config.js';
import { withDatabaseFallback, type BlobStore } from './blob-store.js';
import { databaseBlobStore } from './database.js';
import { diskBlobStore } from './disk.js';
import { s3BlobStore } from './s3.js';

/** The configured store; one other than the database's reads what the database held before. */
export function openBlobStore(config: BlobStoreConfig, clock: Clock): BlobStore {
  const database = databaseBlobStore(clock);
  switch (config.kind) {
    case 'database':
      return database;
    case 'file':
      return withDatabaseFallback(diskBlobStore(config.dir), database);
    case 's3': {
      const { kind: _, ...location } = config;
      return withDatabaseFallback(s3BlobStore(location), database);
    }
  }
}
