import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { readObject } from '../../blobs/s3.js';
import type { BackendLocation } from './location.js';
import { BackendUnreadableError, byKey, type BackendObject, type BackendSource } from './source.js';

/** A DIY backend in an S3-compatible bucket; source.ts loads this module only for such a backend. */
export function s3Source(location: Extract<BackendLocation, { kind: 's3' }>): BackendSource {
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
