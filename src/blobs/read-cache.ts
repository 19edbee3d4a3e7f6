import { LRUCache } from 'lru-cache';
import type { BlobStore } from './blob-store.js';

/**
 * Blobs read lately, kept in memory up to `maxBytes` (least recently read dropped first). A key
 * names one content for good (see BlobStore), so a kept copy is never stale: every export of an
 * unchanged stack asks for the same compressed state, which an S3 bucket or PostgreSQL would
 * otherwise send again each time. Blobs larger than an eighth of the budget are not kept.
 */
export function withReadCache(store: BlobStore, maxBytes: number): BlobStore {
  const kept = new LRUCache<string, Buffer>({ maxSize: maxBytes, sizeCalculation: (bytes) => Math.max(1, bytes.length) });
  return {
    description: store.description,
    put: (tx, key, bytes) => store.put(tx, key, bytes),
    async get(tx, key) {
      const hit = kept.get(key);
      if (hit) return hit;
      const bytes = await store.get(tx, key);
      if (bytes && bytes.length <= maxBytes / 8) kept.set(key, bytes);
      return bytes;
    },
    async deletePrefix(tx, prefix) {
      for (const key of [...kept.keys()]) if (key.startsWith(prefix)) kept.delete(key);
      await store.deletePrefix(tx, prefix);
    },
    check: () => store.check(),
  };
}
