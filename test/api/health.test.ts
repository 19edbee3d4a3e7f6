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
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

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
    assert.deepEqual(reply.body, { status: 'ready', checks: { database: 'ok', migrations: 'ok', blobs: 'ok' } });
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
