import type { Executor } from '../db/executor.js';
import { preparedQuery } from '../db/prepared.js';
import { isBlobPrefix, type BlobStore } from './blob-store.js';

const blobBytes = preparedQuery((tx: Executor, key: string) => tx.selectFrom('blobs').select('bytes').where('key', '=', key));

/** Blobs in the database's `blobs` table, written in the caller's transaction: the default store. */
export function databaseBlobStore(clock: { now(): number }): BlobStore {
  return {
    description: 'database',
    async put(tx: Executor, key: string, bytes: Buffer) {
      await tx
        .insertInto('blobs')
        .values({ key, bytes, created_at: clock.now() })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },
    async deletePrefix(tx: Executor, prefix: string) {
      if (!isBlobPrefix(prefix)) throw new Error(`not a blob prefix: '${prefix}'`);
      // Prefixes hold no LIKE wildcards (checked above), so this matches them literally.
      await tx.deleteFrom('blobs').where('key', 'like', `${prefix}%`).execute();
    },
    // The database's own readiness check covers it.
    async check() {},
    async get(tx: Executor, key: string) {
      const [row] = await blobBytes(tx, key);
      if (!row) return undefined;
      const bytes = row.bytes;
      return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}
