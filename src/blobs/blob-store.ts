import { createHash } from 'node:crypto';
import type { Executor } from '../db/executor.js';

/**
 * Where large opaque bytes live (checkpoints; later policy packs), apart from the rows that name
 * them. A key names one content: it is derived from the bytes, so storing the same bytes again,
 * as a retried transaction does, changes nothing, and a key a committed row holds never changes
 * meaning. Bytes are stored before the row that names them commits; a transaction that then
 * fails leaves an unnamed blob behind, never a row naming missing bytes.
 */
export interface BlobStore {
  /** What the store is, for logs: `database`, `file:<dir>` or `s3://<bucket>/<prefix>`. */
  readonly description: string;
  /** `tx` is the caller's transaction, which the database store writes in. */
  put(tx: Executor, key: string, bytes: Buffer): Promise<void>;
  get(tx: Executor, key: string): Promise<Buffer | undefined>;
  /** Throws, saying why, when the store cannot be written: the readiness check. */
  check(): Promise<void>;
}

/** The key of a checkpoint's bytes. */
export const checkpointKey = (bytes: Buffer): string => `checkpoints/${createHash('sha256').update(bytes).digest('hex')}`;

/** Keys as this module makes them: a folder and a hex name, safe as a file path and an object key. */
export const isBlobKey = (key: string): boolean => /^[a-z]+\/[0-9a-f]{64}$/.test(key);

/**
 * A store moved to from the database's own keeps finding what was stored before the move: reads
 * that the new store misses fall back to the database.
 */
export function withDatabaseFallback(primary: BlobStore, database: BlobStore): BlobStore {
  return {
    description: primary.description,
    put: (tx, key, bytes) => primary.put(tx, key, bytes),
    get: async (tx, key) => (await primary.get(tx, key)) ?? database.get(tx, key),
    check: () => primary.check(),
  };
}
