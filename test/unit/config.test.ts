import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config.js';

describe('the database URL', () => {
  it('defaults to a SQLite file in the data directory and takes SQLite files and PostgreSQL URLs', () => {
    assert.equal(parseConfig(['--data-dir', '/srv/yard'], {}).databaseUrl, `sqlite:${path.join('/srv/yard', 'stackyard.db')}`);
    for (const url of ['sqlite:/var/lib/yard.db', 'postgres://yard:pw@db:5432/yard', 'postgresql://db/yard']) {
      assert.equal(parseConfig([], { STACKYARD_DATABASE_URL: url }).databaseUrl, url);
    }
  });

  it('refuses any other URL without repeating its password', () => {
    assert.throws(
      () => parseConfig(['--database-url', 'mysql://yard:hunter2@db/yard'], {}),
      { message: "--database-url must be 'sqlite:<file>' or 'postgres://user:password@host:port/database', got 'mysql://yard:[redacted]@db/yard'" },
    );
    assert.throws(() => parseConfig(['--database-url', 'sqlite:'], {}), /must be 'sqlite:<file>'/);
  });
});

describe('the blob store', () => {
  it('is the database by default, a folder, or a bucket with an optional prefix', () => {
    assert.deepEqual(parseConfig([], {}).blobStore, { kind: 'database' });
    assert.deepEqual(parseConfig(['--blob-store', 'file:/srv/blobs'], {}).blobStore, { kind: 'file', dir: '/srv/blobs' });
    assert.deepEqual(
      parseConfig(['--blob-store', 's3://yard-states/prod/', '--s3-endpoint', 'http://minio:9000'], { STACKYARD_S3_ACCESS_KEY_ID: 'k', STACKYARD_S3_SECRET_ACCESS_KEY: 's' }).blobStore,
      { kind: 's3', bucket: 'yard-states', prefix: 'prod', endpoint: 'http://minio:9000', region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } },
    );
    assert.deepEqual(parseConfig(['--blob-store', 's3://yard-states', '--s3-region', 'eu-west-1'], {}).blobStore, {
      kind: 's3',
      bucket: 'yard-states',
      prefix: '',
      endpoint: undefined,
      region: 'eu-west-1',
      credentials: undefined,
    });
  });

  it('refuses other stores, half the credentials and an endpoint with a path', () => {
    assert.throws(() => parseConfig(['--blob-store', 'gs://bucket'], {}), {
      message: "--blob-store (STACKYARD_BLOB_STORE) must be 'database', 'file:<dir>' or 's3://<bucket>[/<prefix>]', got 'gs://bucket'",
    });
    assert.throws(() => parseConfig(['--blob-store', 's3://b'], {}), /must be 'database'/);
    assert.throws(() => parseConfig(['--blob-store', 's3://bucket', '--s3-access-key-id', 'k'], {}), {
      message: '--s3-access-key-id and --s3-secret-access-key go together: give both or neither',
    });
    assert.throws(() => parseConfig(['--blob-store', 's3://bucket', '--s3-endpoint', 'http://minio:9000/x'], {}), /--s3-endpoint .* no path/);
  });
});

describe('timeouts and the connection cap', () => {
  it('default to limits no legitimate CLI upload meets, in milliseconds', () => {
    const config = parseConfig([], {});
    assert.equal(config.requestTimeoutMs, 600_000);
    assert.equal(config.bodyIdleTimeoutMs, 30_000);
    assert.equal(config.keepAliveTimeoutMs, 72_000);
    assert.equal(config.maxConnectionsPerAddress, 256);
  });

  it('take seconds from flags and STACKYARD_* variables, the flag winning', () => {
    const config = parseConfig(['--request-timeout', '120', '--max-connections-per-address', '8'], {
      STACKYARD_REQUEST_TIMEOUT_SECONDS: '900',
      STACKYARD_BODY_IDLE_TIMEOUT_SECONDS: '5',
      STACKYARD_KEEP_ALIVE_TIMEOUT_SECONDS: '10',
    });
    assert.equal(config.requestTimeoutMs, 120_000);
    assert.equal(config.bodyIdleTimeoutMs, 5_000);
    assert.equal(config.keepAliveTimeoutMs, 10_000);
    assert.equal(config.maxConnectionsPerAddress, 8);
  });

  it('refuses zero, fractions and words', () => {
    assert.throws(() => parseConfig(['--body-idle-timeout', '0'], {}), {
      message: "--body-idle-timeout (STACKYARD_BODY_IDLE_TIMEOUT_SECONDS) must be a whole number from 1 to 86400, got '0'",
    });
    assert.throws(() => parseConfig([], { STACKYARD_REQUEST_TIMEOUT_SECONDS: '1.5' }), /--request-timeout .* whole number/);
    assert.throws(() => parseConfig(['--max-connections-per-address', 'many'], {}), /--max-connections-per-address .* whole number/);
  });
});
