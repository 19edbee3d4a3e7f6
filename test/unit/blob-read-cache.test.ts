import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkpointKey, stackFolder, type BlobStore } from '../../src/blobs/blob-store.js';
import { diskBlobStore } from '../../src/blobs/disk.js';
import { withReadCache } from '../../src/blobs/read-cache.js';
import type { Executor } from '../../src/db/executor.js';

const noTransaction = undefined as unknown as Executor;

/** A folder store whose reads that reach the disk are counted. */
function countedDiskStore(): { store: BlobStore; reads: () => number; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-cache-'));
  const disk = diskBlobStore(dir);
  let reads = 0;
  return { store: { ...disk, get: (tx, key) => ((reads += 1), disk.get(tx, key)) }, reads: () => reads, dir };
}

describe('blobs read lately, kept in memory', () => {
  it('answers a second read from memory, and forgets a folder when it is deleted', async () => {
    const { store, reads, dir } = countedDiskStore();
    const cached = withReadCache(store, 1024 * 1024);
    const bytes = Buffer.from('compressed state');
    const key = checkpointKey('stack-1', bytes);
    await cached.put(noTransaction, key, bytes);
    assert.deepEqual(await cached.get(noTransaction, key), bytes);
    assert.deepEqual(await cached.get(noTransaction, key), bytes);
    assert.equal(reads(), 1);
    await cached.deletePrefix(noTransaction, stackFolder('stack-1'));
    assert.equal(await cached.get(noTransaction, key), undefined);
    assert.equal(reads(), 2);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('does not keep a blob over an eighth of its budget, or one that is missing', async () => {
    const { store, reads, dir } = countedDiskStore();
    const cached = withReadCache(store, 800);
    const large = Buffer.alloc(101, 1);
    const key = checkpointKey('stack-2', large);
    await cached.put(noTransaction, key, large);
    await cached.get(noTransaction, key);
    await cached.get(noTransaction, key);
    const missing = checkpointKey('stack-2', Buffer.from('never stored'));
    assert.equal(await cached.get(noTransaction, missing), undefined);
    assert.equal(await cached.get(noTransaction, missing), undefined);
    assert.equal(reads(), 4);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
