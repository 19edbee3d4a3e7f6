import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackendLocation } from './location.js';

/** The backend cannot be read at all: a missing directory, an unreachable or refused bucket. */
export class BackendUnreadableError extends Error {}

export interface BackendObject {
  /** Relative to the backend's root, `/`-separated: `.pulumi/stacks/proj/dev.json`. */
  key: string;
  /** Unix milliseconds. */
  modified: number;
}

/** The read side of a DIY backend's bucket, as gocloud.dev's blob API gives it to the CLI. */
export interface BackendSource {
  readonly description: string;
  /** Throws BackendUnreadableError, saying why, when the root cannot be read. */
  check(): Promise<void>;
  /** Every object under `dir/`, at any depth, in key order. */
  list(dir: string): Promise<BackendObject[]>;
  /** The object's bytes, or undefined when there is none. */
  read(key: string): Promise<Buffer | undefined>;
  close(): void;
}

/** The AWS SDK is loaded only for an s3:// backend: it holds megabytes a file backend never needs. */
export async function openBackendSource(location: BackendLocation): Promise<BackendSource> {
  if (location.kind === 'file') return fileSource(location.dir);
  const { s3Source } = await import('./s3-source.js');
  return s3Source(location);
}

/** The order both sources list objects in. */
export const byKey = (a: BackendObject, b: BackendObject) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function fileSource(root: string): BackendSource {
  const full = (key: string) => path.join(root, ...key.split('/'));
  return {
    description: `file://${root}`,
    async check() {
      const stat = await fs.stat(root).catch((error: NodeJS.ErrnoException) => {
        throw new BackendUnreadableError(`cannot read the state directory ${root}: ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`);
      });
      if (!stat.isDirectory()) throw new BackendUnreadableError(`cannot read the state directory ${root}: it is not a directory`);
      await fs.readdir(root).catch((error: Error) => {
        throw new BackendUnreadableError(`cannot read the state directory ${root}: ${error.message}`);
      });
    },
    async list(dir) {
      const found: BackendObject[] = [];
      const pending = [dir];
      while (pending.length > 0) {
        const current = pending.pop()!;
        let entries;
        try {
          entries = await fs.readdir(full(current), { withFileTypes: true });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw error;
        }
        for (const entry of entries) {
          const key = `${current}/${entry.name}`;
          if (entry.isDirectory()) pending.push(key);
          // gocloud.dev's fileblob keeps each object's metadata in a `.attrs` file beside it: not an object.
          else if (entry.isFile() && !entry.name.endsWith('.attrs')) found.push({ key, modified: (await fs.stat(full(key))).mtimeMs });
        }
      }
      return found.sort(byKey);
    },
    async read(key) {
      try {
        return await fs.readFile(full(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    close() {},
  };
}
