import { DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { isBlobKey, isBlobPrefix, type BlobStore } from './blob-store.js';

export interface S3Location {
  bucket: string;
  /** Prepended to every key, without a trailing slash; may be empty. */
  prefix: string;
  /** An S3-compatible server's URL (MinIO, Ceph…); AWS when absent. Such servers are addressed path-style. */
  endpoint?: string;
  region: string;
  /** Both or neither; without them the AWS SDK's default credential chain applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Objects at least this large are uploaded in parts of this size (S3's minimum part is 5 MiB). */
export const s3PartBytes = 8 * 1024 * 1024;

/** Blobs as objects in an S3-compatible bucket; large ones go up in parts, several at a time. */
export function s3BlobStore(location: S3Location): BlobStore {
  const client = new S3Client({
    region: location.region,
    endpoint: location.endpoint,
    forcePathStyle: location.endpoint !== undefined,
    credentials: location.credentials,
  });
  const objectKey = (key: string) => {
    if (!isBlobKey(key)) throw new Error(`not a blob key: '${key}'`);
    return location.prefix ? `${location.prefix}/${key}` : key;
  };
  const Bucket = location.bucket;
  return {
    description: `s3://${location.bucket}/${location.prefix}`,
    async put(_tx, key, bytes) {
      const Key = objectKey(key);
      // Same key, same bytes: an object already there need not go up again.
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key }));
        return;
      } catch (error) {
        if (!(error instanceof NotFound)) throw error;
      }
      await new Upload({ client, params: { Bucket, Key, Body: bytes }, partSize: s3PartBytes, queueSize: 4 }).done();
    },
    async deletePrefix(_tx, prefix) {
      if (!isBlobPrefix(prefix)) throw new Error(`not a blob prefix: '${prefix}'`);
      const Prefix = location.prefix ? `${location.prefix}/${prefix}` : prefix;
      // A page of keys at a time; DeleteObjects takes up to 1,000, as a page holds.
      for (;;) {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix }));
        const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
        if (keys.length === 0) return;
        const deleted = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }));
        if (deleted.Errors?.length) throw new Error(`S3 did not delete ${deleted.Errors.map((e) => `${e.Key}: ${e.Message}`).join('; ')}`);
      }
    },
    async check() {
      await client.send(new HeadBucketCommand({ Bucket }));
    },
    async get(_tx, key) {
      return readObject(client, Bucket, objectKey(key));
    },
  };
}

/** An object's bytes, or undefined when there is none by that key. */
export async function readObject(client: S3Client, Bucket: string, Key: string): Promise<Buffer | undefined> {
  try {
    const reply = await client.send(new GetObjectCommand({ Bucket, Key }));
    const bytes = await reply.Body!.transformToByteArray();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}
