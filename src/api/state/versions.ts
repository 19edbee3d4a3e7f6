import type { BlobStore } from '../../blobs/blob-store.js';
import { checkpointKey } from '../../blobs/blob-store.js';
import { compressForStorage, decompressStored } from '../../blobs/gzip.js';
import type { Executor } from '../../db/executor.js';
import { findStackVersion, findStackVersionBefore, insertStackVersion, writeStackVersion, type StackVersionRow } from './store.js';

/** A stack version with its state's bytes, read from the blob store the row names. */
export type StackVersion = StackVersionRow & { deployment: Buffer };

/** A state's stored bytes: gzip-compressed since states are kept compressed at rest, the JSON text before. */
async function storedBytesOf(tx: Executor, blobs: BlobStore, key: string): Promise<Buffer> {
  const bytes = await blobs.get(tx, key);
  // A committed row names bytes stored before it: missing ones mean the store lost them.
  if (!bytes) throw new Error(`the blob store (${blobs.description}) has no '${key}'`);
  return bytes;
}

const bytesOf = async (tx: Executor, blobs: BlobStore, key: string): Promise<Buffer> => decompressStored(await storedBytesOf(tx, blobs, key));

/** One version, or the newest when `version` is omitted. */
export async function loadStackVersion(tx: Executor, blobs: BlobStore, stackId: string, version?: number): Promise<StackVersion | undefined> {
  const row = await findStackVersion(tx, stackId, version);
  return row && { ...row, deployment: await bytesOf(tx, blobs, row.deployment_key) };
}

/** One version's state as stored (see `isGzip`), for answers that can send it without decompressing it. */
export async function loadStoredState(tx: Executor, blobs: BlobStore, stackId: string, version?: number): Promise<Buffer | undefined> {
  const row = await findStackVersion(tx, stackId, version);
  return row && storedBytesOf(tx, blobs, row.deployment_key);
}

/** The state of the newest version before `version`: what an update at `version` started from. */
export async function loadStateBefore(tx: Executor, blobs: BlobStore, stackId: string, version: number): Promise<Buffer | undefined> {
  const row = await findStackVersionBefore(tx, stackId, version);
  return row && bytesOf(tx, blobs, row.deployment_key);
}

/** Puts a stack's state in the blob store and returns the key a version row names it by. */
async function storeState(tx: Executor, blobs: BlobStore, stackId: string, deployment: Buffer): Promise<string> {
  // Named by the text's hash, stored compressed: the same text stored again is the same blob.
  const key = checkpointKey(stackId, deployment);
  await blobs.put(tx, key, await compressForStorage(deployment));
  return key;
}

/** Stores the bytes, then points a version being written at them. */
export async function writeStackState(tx: Executor, blobs: BlobStore, stackId: string, version: number, deployment: Buffer, now: number): Promise<void> {
  await writeStackVersion(tx, stackId, version, await storeState(tx, blobs, stackId, deployment), now);
}

/** Stores the bytes, then adds a new version naming them. */
export async function addStackVersion(
  tx: Executor,
  blobs: BlobStore,
  row: { stack_id: string; version: number; deployment: Buffer; resource_count: number; created_at: number },
): Promise<void> {
  const { deployment, ...rest } = row;
  await insertStackVersion(tx, { ...rest, deployment_key: await storeState(tx, blobs, row.stack_id, deployment) });
}
