import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isBlobKey, isBlobPrefix, type BlobStore } from './blob-store.js';

/**
 * Blobs as files under a folder, one per key (`<dir>/checkpoints/<hex>`). A file appears whole or
 * not at all: it is written beside its place, flushed, and renamed into it.
 */
export function diskBlobStore(dir: string): BlobStore {
  const fileOf = (key: string) => {
    if (!isBlobKey(key)) throw new Error(`not a blob key: '${key}'`);
    return path.join(dir, key);
  };
  return {
    description: `file:${dir}`,
    async put(_tx, key, bytes) {
      const file = fileOf(key);
      if (await fs.stat(file).then(() => true, () => false)) return;
      await fs.mkdir(path.dirname(file), { recursive: true });
      const temporary = `${file}.${randomBytes(6).toString('hex')}.partial`;
      const handle = await fs.open(temporary, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, file);
    },
    async deletePrefix(_tx, prefix) {
      if (!isBlobPrefix(prefix)) throw new Error(`not a blob prefix: '${prefix}'`);
      await fs.rm(path.join(dir, prefix), { recursive: true, force: true });
    },
    async check() {
      await fs.mkdir(dir, { recursive: true });
      await fs.access(dir, fs.constants.W_OK);
    },
    async get(_tx, key) {
      try {
        return await fs.readFile(fileOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}
