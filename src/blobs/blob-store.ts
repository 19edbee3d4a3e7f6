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
  /** Deletes every blob whose key starts with `prefix` (a `stackFolder`); run by a background job. */
  deletePrefix(tx: Executor, prefix: string): Promise<void>;
  /** Throws, saying why, when the store cannot be written: the readiness check. */
  check(): Promise<void>;
}

/**
 * The key of a stack's checkpoint: under the stack's folder, so that deleting the stack can
 * delete the folder, with no other stack's rows to consult. (States moved by migration 0004 are
 * `checkpoints/<hex>`, in the database.)
 */
export const checkpointKey = (stackId: string, bytes: Buffer): string => `${stackFolder(stackId)}${createHash('sha256').update(bytes).digest('hex')}`;

/** Everything stored for a stack lives under this prefix. */
export const stackFolder = (stackId: string): string => folder('stacks', stackId);

/** A policy pack version's archive lives under this prefix, deleted with the version. */
export const policyPackFolder = (versionId: string): string => folder('policypacks', versionId);

/** The key of a policy pack version's archive. */
export const policyPackKey = (versionId: string, bytes: Buffer): string => `${policyPackFolder(versionId)}${createHash('sha256').update(bytes).digest('hex')}`;

const folder = (kind: 'stacks' | 'policypacks', id: string): string => {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw new Error(`not an id: '${id}'`);
  return `${kind}/${id}/`;
};

/** Keys as this module makes them: safe as a file path and an object key. */
export const isBlobKey = (key: string): boolean => /^(checkpoints|(stacks|policypacks)\/[A-Za-z0-9-]{1,64})\/[0-9a-f]{64}$/.test(key);
/** Prefixes as the folder functions make them. */
export const isBlobPrefix = (prefix: string): boolean => /^(stacks|policypacks)\/[A-Za-z0-9-]{1,64}\/$/.test(prefix);

/**
 * A store moved to from the database's own keeps finding what was stored before the move: reads
 * that the new store misses fall back to the database.
 */
export function withDatabaseFallback(primary: BlobStore, database: BlobStore): BlobStore {
  return {
    description: primary.description,
    put: (tx, key, bytes) => primary.put(tx, key, bytes),
    get: async (tx, key) => (await primary.get(tx, key)) ?? database.get(tx, key),
    deletePrefix: async (tx, prefix) => {
      await primary.deletePrefix(tx, prefix);
      await database.deletePrefix(tx, prefix);
    },
    check: () => primary.check(),
  };
}
