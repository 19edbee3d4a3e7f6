import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readiness } from '../../src/api/health/service.js';
import { databaseBlobStore } from '../../src/blobs/database.js';
import { diskBlobStore } from '../../src/blobs/disk.js';
import { systemClock } from '../../src/clock.js';
import { openSqlite } from '../../src/db/sqlite.js';
import { sql } from 'kysely';
import { testDatabase } from '../helpers/database.js';
import { createStack, deploymentWithResources } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startReplica, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

describe('GET /healthz and /readyz', () => {
  it('says the process is alive, without a token', async () => {
    const reply = await api.get('/healthz', { token: null });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { status: 'ok' });
  });

  it('says it is ready once the database answers and has every migration, without a token', async () => {
    const reply = await api.get('/readyz', { token: null });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { status: 'ready', checks: { database: 'ok', migrations: 'ok', disk: 'ok', blobs: 'ok', secrets: 'ok' } });
  });
});

describe('readiness checks', () => {
  it('names the migrations a database has not run, and a database that does not answer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackyard-ready-'));
    const handle = openSqlite(path.join(dir, 'fresh.db'));
    try {
      const fresh = await readiness(handle, databaseBlobStore(systemClock));
      assert.equal(fresh.ready, false);
      assert.equal(fresh.checks.database, 'ok');
      assert.match(fresh.checks.migrations, /^pending: 0001_initial, 0002_update_protocol, /);
      await handle.db.destroy();
      const closed = await readiness(handle, databaseBlobStore(systemClock));
      assert.equal(closed.ready, false);
      assert.match(closed.checks.database, /^unreachable: /);
      // A blob store folder that cannot be made: a file stands where it should be.
      fs.writeFileSync(path.join(dir, 'not-a-folder'), '');
      const blocked = await readiness(handle, diskBlobStore(path.join(dir, 'not-a-folder', 'blobs')));
      assert.match(blocked.checks.blobs, /^unavailable: ENOTDIR/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a full disk', { skip: testDatabase !== 'sqlite' && 'SQLite caps its file with max_page_count; PostgreSQL has no such knob' }, () => {
  it('answers 507 naming the real error, logs it, and is not ready until a write succeeds', async () => {
    const full = await startTestServer({ captureLogs: true });
    const fullApi = new ApiClient(full.url, full.adminToken);
    try {
      await createStack(fullApi, full.org, 'disk', 'full');
      const state = deploymentWithResources('disk', 'full', 1);
      (state.deployment.resources[0]!.outputs as Record<string, unknown>).padding = 'x'.repeat(2_000_000);
      // The file may not grow past its current pages: the next large write finds the disk full.
      const db = full.server.ctx.database.db;
      const pages = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count;
      await sql.raw(`pragma max_page_count = ${pages}`).execute(db);

      const refused = await fullApi.post(`/api/stacks/${full.org}/disk/full/import`, state);
      assert.equal(refused.status, 507, refused.text);
      assert.deepEqual(refused.body, {
        code: 507,
        message: 'Insufficient Storage: the server is out of storage space, nothing was saved: database or disk is full',
      });
      const logged = full.logs().filter((line) => line.level >= 50);
      assert.equal(logged.length, 1, JSON.stringify(logged));
      assert.equal(logged[0]!.err.code, 'SQLITE_FULL');
      assert.equal(logged[0]!.err.message, 'database or disk is full');
      // The line an operator finds by the id the CLI prints beside a 5xx.
      assert.equal(logged[0]!.reqId, refused.headers.get('x-pulumi-request-id'));

      const notReady = await fullApi.get('/readyz', { token: null });
      assert.equal(notReady.status, 503);
      assert.equal(notReady.body.status, 'not ready');
      assert.match(notReady.body.checks.disk, /^full: a write failed \d+ s ago: database or disk is full$/);
      assert.equal(notReady.body.checks.database, 'ok');

      await sql.raw('pragma max_page_count = 1073741823').execute(db);
      const saved = await fullApi.post(`/api/stacks/${full.org}/disk/full/import`, state);
      assert.equal(saved.status, 200, saved.text);
      const ready = await fullApi.get('/readyz', { token: null });
      assert.equal(ready.status, 200, ready.text);
      assert.equal(ready.body.checks.disk, 'ok');
    } finally {
      await full.close();
    }
  });
});

describe('a replica with another master key', () => {
  it('is not ready, naming the secrets check, once a stack key is stored', async () => {
    const primary = await startTestServer();
    const primaryApi = new ApiClient(primary.url, primary.adminToken);
    const otherKey = Buffer.alloc(32, 7).toString('base64');
    const replica = await startReplica(primary, {}, ['--master-key', otherKey]);
    try {
      // No stack key yet: any master key will do.
      const beforeKeys = await new ApiClient(replica.url).get('/readyz', { token: null });
      assert.equal(beforeKeys.status, 200, beforeKeys.text);
      assert.equal(beforeKeys.body.checks.secrets, 'ok');
      await createStack(primaryApi, primary.org, 'keys', 'dev');
      const encrypted = await primaryApi.post(`/api/stacks/${primary.org}/keys/dev/encrypt`, { plaintext: Buffer.from('hush').toString('base64') });
      assert.equal(encrypted.status, 200, encrypted.text);

      const onReplica = await new ApiClient(replica.url).get('/readyz', { token: null });
      assert.equal(onReplica.status, 503, onReplica.text);
      assert.equal(onReplica.body.status, 'not ready');
      assert.match(onReplica.body.checks.secrets, /^wrong master key: it does not open the stored secrets key of stack \S+$/);
      assert.equal(onReplica.body.checks.database, 'ok');
      const onPrimary = await primaryApi.get('/readyz', { token: null });
      assert.equal(onPrimary.status, 200, onPrimary.text);
      assert.equal(onPrimary.body.checks.secrets, 'ok');
    } finally {
      await replica.close();
      await primary.close();
    }
  });

  it('is not ready once an environment key is stored, with no stack key', async () => {
    const primary = await startTestServer();
    const primaryApi = new ApiClient(primary.url, primary.adminToken);
    const replica = await startReplica(primary, {}, ['--master-key', Buffer.alloc(32, 9).toString('base64')]);
    try {
      assert.equal((await new ApiClient(replica.url).get('/readyz', { token: null })).status, 200);
      assert.equal((await primaryApi.post(`/api/esc/environments/${primary.org}`, { project: 'keys', name: 'dev' })).status, 200);
      const written = await primaryApi.request('PATCH', `/api/esc/environments/${primary.org}/keys/dev`, { rawBody: 'values:\n  pw:\n    fn::secret: hush\n' });
      assert.equal(written.status, 200, written.text);
      const onReplica = await new ApiClient(replica.url).get('/readyz', { token: null });
      assert.equal(onReplica.status, 503, onReplica.text);
      assert.match(onReplica.body.checks.secrets, /^wrong master key: it does not open the stored data key of environment key owner \S+$/);
    } finally {
      await replica.close();
      await primary.close();
    }
  });
});

describe('a blob store out of space', () => {
  it('answers 507 naming the error, and is not ready until a write succeeds', async () => {
    const full = await startTestServer();
    const fullApi = new ApiClient(full.url, full.adminToken);
    const blobs = full.server.ctx.blobs;
    const put = blobs.put;
    try {
      await createStack(fullApi, full.org, 'blobs', 'full');
      // The services share this store: its writes now fail as a full disk fails them.
      blobs.put = async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      };
      const state = deploymentWithResources('blobs', 'full', 1);
      const refused = await fullApi.post(`/api/stacks/${full.org}/blobs/full/import`, state);
      assert.equal(refused.status, 507, refused.text);
      assert.deepEqual(refused.body, {
        code: 507,
        message: 'Insufficient Storage: the server is out of storage space, nothing was saved: ENOSPC: no space left on device, write',
      });
      const notReady = await fullApi.get('/readyz', { token: null });
      assert.equal(notReady.status, 503, notReady.text);
      assert.match(notReady.body.checks.disk, /^full: a write failed \d+ s ago: ENOSPC: no space left on device, write$/);

      blobs.put = put;
      assert.equal((await fullApi.post(`/api/stacks/${full.org}/blobs/full/import`, state)).status, 200);
      assert.deepEqual((await fullApi.get('/readyz', { token: null })).body.checks.disk, 'ok');
    } finally {
      blobs.put = put;
      await full.close();
    }
  });
});
