import fs from 'node:fs/promises';
import path from 'node:path';
import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { readObject } from '../../blobs/s3.js';
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

export function openBackendSource(location: BackendLocation): BackendSource {
  return location.kind === 'file' ? fileSource(location.dir) : s3Source(location);
}

const byKey = (a: BackendObject, b: BackendObject) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

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

function s3Source(location: Extract<BackendLocation, { kind: 's3' }>): BackendSource {
  const client = new S3Client(location.client);
  const Bucket = location.bucket;
  const objectKey = (key: string) => (location.prefix ? `${location.prefix}/${key}` : key);
  const description = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
  return {
    description,
    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch (error) {
        const { name, message, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
        const status = $metadata?.httpStatusCode;
        // HEAD answers carry no body, so the SDK can only name the status.
        const reason = status === 404 ? 'no such bucket' : status === 403 ? 'access denied' : `${name}: ${message || status}`;
        throw new BackendUnreadableError(`cannot read ${description}: ${reason}`);
      }
    },
    async list(dir) {
      const found: BackendObject[] = [];
      const strip = location.prefix ? location.prefix.length + 1 : 0;
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: `${objectKey(dir)}/`, ContinuationToken }));
        for (const object of page.Contents ?? []) {
          found.push({ key: object.Key!.slice(strip), modified: object.LastModified?.getTime() ?? 0 });
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return found.sort(byKey);
    },
    async read(key) {
      return readObject(client, Bucket, objectKey(key));
    },
    close() {
      client.destroy();
    },
  };
}
