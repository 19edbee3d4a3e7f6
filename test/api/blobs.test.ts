import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Kysely } from 'kysely';
import { readiness } from '../../src/api/health/service.js';
import { s3BlobStore } from '../../src/blobs/s3.js';
import { connectDatabase } from '../../src/db/open.js';
import { listJobs } from '../../src/jobs/store.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { databaseUrlOf } from '../helpers/database.js';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startMinio, type MinioServer } from '../helpers/minio.js';
import { startReplica, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';
import { waitFor } from '../helpers/wait.js';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const isGzip = (bytes: Buffer) => bytes[0] === 0x1f && bytes[1] === 0x8b;
/** A stored state's text: states are kept gzip-compressed at rest (older ones as sent). */
const textOf = (bytes: Buffer) => (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString();
const stateText = (label: string) =>
  `{"version":3,"deployment":{"manifest":{"time":"2026-11-28T10:00:00Z","magic":"","version":"v3.274.1"},"metadata":{},` +
  `"resources":[{"urn":"urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev","custom":false,"type":"pulumi:pulumi:Stack","outputs":{"label":"${label}"}}]}}`;

/** One update that saves `text` as a verbatim checkpoint and succeeds. */
async function updateTo(api: ApiClient, stack: string, text: string): Promise<void> {
  const { updateId, token } = await beginUpdate(api, stack);
  const saved = await api.request('PATCH', `${stack}/update/${updateId}/checkpointverbatim`, withLease(token, {
    rawBody: `{"version":3,"untypedDeployment":${text},"sequenceNumber":1}`,
    gzip: true,
  }));
  assert.equal(saved.status, 204, saved.text);
  const completed = await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token));
  assert.equal(completed.status, 204, completed.text);
}

/** Deletes a stack and waits for the background job that deletes its blobs to have run. */
async function deleteStack(server: TestServer, api: ApiClient, stack: string): Promise<void> {
  const deleted = await api.request('DELETE', `${stack}?force=true`);
  assert.equal(deleted.status, 204, deleted.text);
  const handle = await connectDatabase(await databaseUrlOf(server.dataDir));
  try {
    await waitFor('the job deleting its blobs', async () => ((await listJobs(handle.db)).length === 0 ? true : undefined), 30_000);
  } finally {
    await handle.db.destroy();
  }
}

async function exportText(api: ApiClient, stack: string): Promise<string> {
  const reply = await api.get(`${stack}/export`);
  assert.equal(reply.status, 200, reply.text);
  return reply.text;
}

/** The `blobs` table of a server's database: the default store's rows. */
async function databaseBlobs(server: TestServer): Promise<Array<{ key: string; bytes: Buffer }>> {
  const handle = await connectDatabase(await databaseUrlOf(server.dataDir));
  try {
    const rows = await handle.db.selectFrom('blobs').select(['key', 'bytes']).orderBy('key').execute();
    return rows.map((row) => ({ key: row.key, bytes: Buffer.from(row.bytes) }));
  } finally {
    await handle.db.destroy();
  }
}

/** A GET as a client sends it with exactly these headers (fetch would add its own Accept-Encoding). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('the database blob store (the default)', () => {
  let server: TestServer;
  let api: ApiClient;
  before(async () => {
    server = await startTestServer();
    api = new ApiClient(server.url, server.adminToken);
  });
  after(() => server.close());

  it('keeps each state once, named by its SHA-256, and versions name it', async () => {
    await createStack(api, 'stackyard', 'proj', 'db');
    const text = stateText('kept in the database');
    await updateTo(api, '/api/stacks/stackyard/proj/db', text);
    // A second update to the same bytes shares the blob.
    await updateTo(api, '/api/stacks/stackyard/proj/db', text);
    assert.equal(await exportText(api, '/api/stacks/stackyard/proj/db'), text);
    const blobs = (await databaseBlobs(server)).filter((blob) => textOf(blob.bytes) === text);
    assert.equal(blobs.length, 1);
    assert.ok(isGzip(blobs[0]!.bytes), 'kept compressed');
    assert.match(blobs[0]!.key, new RegExp(`^stacks/[0-9a-f-]{36}/${sha256(text)}$`));

    // Deleting the stack deletes its blobs, in the background, and no other stack's.
    await createStack(api, 'stackyard', 'proj', 'kept');
    await updateTo(api, '/api/stacks/stackyard/proj/kept', stateText('another stack'));
    await deleteStack(server, api, '/api/stacks/stackyard/proj/db');
    const left = (await databaseBlobs(server)).map((blob) => textOf(blob.bytes));
    assert.equal(left.includes(text), false);
    assert.ok(left.includes(stateText('another stack')));
  });

  it('sends a stored state compressed as stored to clients that take gzip, as text to others, and reads states stored before compression', async () => {
    const stack = '/api/stacks/stackyard/proj/wire';
    await createStack(api, 'stackyard', 'proj', 'wire');
    const text = stateText('y'.repeat(20_000));
    await updateTo(api, stack, text);
    const auth = { Authorization: `token ${server.adminToken}` };
    const stored = (await databaseBlobs(server)).find((blob) => blob.key.endsWith(sha256(text)))!;

    const gzipped = await rawGet(`${server.url}${stack}/export`, { ...auth, 'Accept-Encoding': 'gzip' });
    assert.equal(gzipped.status, 200);
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.equal(gzipped.headers['content-type'], 'application/json');
    assert.ok(gzipped.body.equals(stored.bytes), 'the stored bytes, not compressed again');
    assert.equal(gunzipSync(gzipped.body).toString(), text);
    for (const headers of [{}, { 'Accept-Encoding': 'gzip;q=0, identity' }] as Record<string, string>[]) {
      const plain = await rawGet(`${server.url}${stack}/export`, { ...auth, ...headers });
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.body.toString(), text);
    }

    // Other answers of 4 KB and more are compressed on the way; small ones are not.
    const resources = await rawGet(`${server.url}${stack}/resources/latest`, { ...auth, 'Accept-Encoding': 'gzip' });
    assert.equal(resources.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(resources.body).toString(), /"urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"/);
    assert.equal((await rawGet(`${server.url}${stack}`, { ...auth, 'Accept-Encoding': 'gzip' })).headers['content-encoding'], undefined);

    // A state stored as text, as before states were kept compressed, reads the same.
    const handle = await connectDatabase(await databaseUrlOf(server.dataDir));
    try {
      await handle.db.updateTable('blobs').set({ bytes: Buffer.from(text) }).where('key', '=', stored.key).execute();
    } finally {
      await handle.db.destroy();
    }
    for (const headers of [{ 'Accept-Encoding': 'gzip' }, {}] as Record<string, string>[]) {
      const reply = await rawGet(`${server.url}${stack}/export`, { ...auth, ...headers });
      assert.equal((reply.headers['content-encoding'] === 'gzip' ? gunzipSync(reply.body) : reply.body).toString(), text);
    }
    assert.equal((await api.get(`${stack}/resources/latest`)).body.resources.length, 1);
  });

  it('moves the states of a database migrated from before blob stores into its blobs', async () => {
    const url = await databaseUrlOf(tempDir('premigration'));
    const handle = await connectDatabase(url);
    try {
      await migrateToLatest(handle, '0003_incremental_state');
      const db = handle.db as unknown as Kysely<any>;
      await db.insertInto('organizations').values({ id: 'o1', name: 'old-org', display_name: 'Old', created_at: 1 }).execute();
      await db.insertInto('projects').values({ id: 'p1', organization_id: 'o1', name: 'proj', created_at: 1 }).execute();
      await db.insertInto('stacks').values({ id: 's1', project_id: 'p1', name: 'dev', version: 3, active_update_id: '', created_at: 1 }).execute();
      const states = [stateText('one'), stateText('two'), stateText('two')];
      await db
        .insertInto('stack_versions')
        .values(states.map((text, i) => ({ stack_id: 's1', version: i + 1, deployment: Buffer.from(text), resource_count: 1, created_at: i })))
        .execute();

      await migrateToLatest(handle);
      const versions = await db.selectFrom('stack_versions').selectAll().orderBy('version').execute();
      assert.deepEqual(
        versions.map((v) => [v.version, v.deployment_key, 'deployment' in v]),
        states.map((text, i) => [i + 1, `checkpoints/${sha256(text)}`, false]),
      );
      const blobs = await db.selectFrom('blobs').select(['key', 'bytes']).orderBy('key').execute();
      assert.deepEqual(
        blobs.map((b) => [b.key, Buffer.from(b.bytes).toString()]),
        [...new Set(states)].map((text) => [`checkpoints/${sha256(text)}`, text]).sort(),
      );
    } finally {
      await handle.db.destroy();
    }
  });
});

describe('the file blob store', () => {
  let server: TestServer;
  let api: ApiClient;
  const dir = tempDir('blobs');
  before(async () => {
    server = await startTestServer();
    api = new ApiClient(server.url, server.adminToken);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes states as files and still reads those the database held before the move', async () => {
    await createStack(api, 'stackyard', 'proj', 'moved');
    const before = stateText('stored before the move');
    await updateTo(api, '/api/stacks/stackyard/proj/moved', before);

    const onDisk = await startReplica(server, {}, ['--blob-store', `file:${dir}`]);
    try {
      const diskApi = new ApiClient(onDisk.url, server.adminToken);
      assert.equal(await exportText(diskApi, '/api/stacks/stackyard/proj/moved'), before);
      const text = stateText('stored as a file');
      await updateTo(diskApi, '/api/stacks/stackyard/proj/moved', text);
      assert.equal(await exportText(diskApi, '/api/stacks/stackyard/proj/moved'), text);
      // stacks/<stack id>/<SHA-256>, the stack's only file.
      const [stackId] = fs.readdirSync(path.join(dir, 'stacks'));
      assert.deepEqual(fs.readdirSync(path.join(dir, 'stacks', stackId!)), [sha256(text)]);
      assert.equal(textOf(fs.readFileSync(path.join(dir, 'stacks', stackId!, sha256(text)))), text);
      assert.equal((await databaseBlobs(server)).some((blob) => textOf(blob.bytes) === text), false);
      assert.equal((await api.get('/api/stacks/stackyard/proj/moved/export/1')).text, before);

      await deleteStack(server, diskApi, '/api/stacks/stackyard/proj/moved');
      assert.deepEqual(fs.readdirSync(path.join(dir, 'stacks')), []);
      assert.equal((await databaseBlobs(server)).some((blob) => textOf(blob.bytes) === before), false);
    } finally {
      await onDisk.close();
    }
  });
});

describe('the S3 blob store, on a real MinIO server', () => {
  let minio: MinioServer;
  let server: TestServer;
  let api: ApiClient;
  before(async () => {
    minio = await startMinio();
    await minio.createBucket('stackyard-states');
    server = await startTestServer({
      args: [
        ...['--blob-store', 's3://stackyard-states/prod/yard', '--s3-endpoint', minio.endpoint],
        ...['--s3-access-key-id', minio.accessKeyId, '--s3-secret-access-key', minio.secretAccessKey],
      ],
    });
    api = new ApiClient(server.url, server.adminToken);
  });
  after(async () => {
    await server?.close();
    await minio?.stop();
  });

  it('is ready only while its bucket answers', async () => {
    assert.deepEqual((await api.get('/readyz', { token: null })).body.checks, { database: 'ok', migrations: 'ok', disk: 'ok', blobs: 'ok', secrets: 'ok' });
    const store = s3BlobStore({
      bucket: 'no-such-bucket',
      prefix: '',
      endpoint: minio.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    });
    const handle = await connectDatabase(await databaseUrlOf(server.dataDir));
    try {
      const { ready, checks } = await readiness(handle, store);
      assert.deepEqual([ready, checks], [false, { database: 'ok', migrations: 'ok', disk: 'ok', blobs: 'unavailable: no such bucket', secrets: 'ok' }]);
    } finally {
      await handle.db.destroy();
    }
  });

  it('stores states as objects under the prefix, a large one in parts, and reads them back byte for byte', async () => {
    await createStack(api, 'stackyard', 'proj', 's3');
    const small = stateText('a small state');
    await updateTo(api, '/api/stacks/stackyard/proj/s3', small);
    // Over 8 MiB compressed (random text): uploaded in two parts.
    const large = stateText(randomBytes(12 * 1024 * 1024).toString('base64'));
    await updateTo(api, '/api/stacks/stackyard/proj/s3', large);

    assert.equal(await exportText(api, '/api/stacks/stackyard/proj/s3'), large);
    assert.equal((await api.get('/api/stacks/stackyard/proj/s3/export/1')).text, small);
    const keys = async () =>
      ((await minio.client.send(new ListObjectsV2Command({ Bucket: 'stackyard-states' }))).Contents ?? []).map((object) => object.Key!).sort();
    // The two states, and the empty one the stack's first version started from.
    const stored = await keys();
    assert.equal(stored.length, 3);
    const folder = /^prod\/yard\/stacks\/[0-9a-f-]{36}\//.exec(stored[0]!)![0];
    assert.ok(stored.every((key) => key.startsWith(folder)), stored.join(' '));
    assert.ok(stored.includes(`${folder}${sha256(large)}`) && stored.includes(`${folder}${sha256(small)}`), stored.join(' '));
    const head = await minio.client.send(new HeadObjectCommand({ Bucket: 'stackyard-states', Key: `${folder}${sha256(large)}` }));
    assert.ok(head.ContentLength! > 8 * 1024 * 1024 && head.ContentLength! < Buffer.byteLength(large), `${head.ContentLength}`);
    assert.match(head.ETag!, /-2"$/, 'a multipart upload of two parts');
    const object = await minio.client.send(new GetObjectCommand({ Bucket: 'stackyard-states', Key: `${folder}${sha256(small)}` }));
    assert.equal(textOf(Buffer.from(await object.Body!.transformToByteArray())), small);
    assert.equal((await databaseBlobs(server)).some((blob) => blob.key.endsWith(sha256(large)) || blob.key.endsWith(sha256(small))), false);

    await deleteStack(server, api, '/api/stacks/stackyard/proj/s3');
    assert.deepEqual(await keys(), []);
  });
});
