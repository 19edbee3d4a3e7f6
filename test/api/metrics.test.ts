import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../helpers/clock.js';
import { testDatabase } from '../helpers/database.js';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';
import { waitFor } from '../helpers/wait.js';

const clock = new ManualClock();
const metricsToken = 'scrape-me';
let server: TestServer;
let api: ApiClient;

before(async () => {
  server = await startTestServer({ args: ['--metrics-token', metricsToken], overrides: { clock } });
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

async function scrape(): Promise<string> {
  const reply = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } });
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return reply.text();
}

/** The value of one sample, `name{labels}` exactly as Prometheus's text format writes it; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('takes only the metrics bearer token', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `token ${server.adminToken}`, `Bearer ${metricsToken}x`]) {
      const reply = await fetch(`${server.url}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });
      assert.equal(reply.status, 401);
      assert.deepEqual(await reply.json(), { code: 401, message: "Unauthorized: GET /metrics takes 'Authorization: Bearer <metrics token>'" });
    }
  });

  it('counts and times requests by route pattern and status, never by raw URL', async () => {
    const before = sample(await scrape(), 'stackyard_http_requests_total{method="GET",route="/api/user",status="200"}') ?? 0;
    for (let i = 0; i < 3; i++) assert.equal((await api.get('/api/user')).status, 200);
    await api.get('/api/stacks/stackyard/proj/nope');
    await api.get('/no/such/route');
    const text = await scrape();
    assert.equal(sample(text, 'stackyard_http_requests_total{method="GET",route="/api/user",status="200"}'), before + 3);
    assert.equal(sample(text, 'stackyard_http_requests_total{method="GET",route="/api/stacks/:orgName/:projectName/:stackName",status="404"}'), 1);
    assert.equal(sample(text, 'stackyard_http_requests_total{method="GET",route="unmatched",status="404"}'), 1);
    assert.equal(sample(text, 'stackyard_http_request_duration_seconds_count{method="GET",route="/api/user",status="200"}'), before + 3);
    assert.ok(!text.includes('/api/stacks/stackyard/proj/nope'), 'no raw URL becomes a label');
  });

  it('counts state bytes by kind, updates in flight, blob operations and lease expiries', async () => {
    await createStack(api, 'stackyard', 'proj', 'measured');
    const path = '/api/stacks/stackyard/proj/measured';
    const { updateId, token } = await beginUpdate(api, path);
    assert.equal(sample(await scrape(), 'stackyard_updates_in_flight'), 1);
    const checkpoint = JSON.stringify({ version: 3, deployment: { manifest: { time: '2026-12-01T00:00:00Z', magic: '', version: '' }, resources: [] } });
    const saved = await api.request('PATCH', `${path}/update/${updateId}/checkpoint`, withLease(token, { rawBody: checkpoint, gzip: true }));
    assert.equal(saved.status, 204, saved.text);
    const events = JSON.stringify({ events: [{ sequence: 0, timestamp: 1, cancelEvent: {} }] });
    assert.equal((await api.request('POST', `${path}/update/${updateId}/events/batch`, withLease(token, { rawBody: events }))).status, 200);
    let text = await scrape();
    // Bytes after gzip is undone: what the client's JSON holds.
    assert.equal(sample(text, 'stackyard_state_write_bytes_total{kind="checkpoint"}'), Buffer.byteLength(checkpoint));
    assert.equal(sample(text, 'stackyard_state_write_bytes_total{kind="events"}'), Buffer.byteLength(events));
    assert.equal(sample(text, 'stackyard_state_write_duration_seconds_count{kind="checkpoint"}'), 1);
    assert.ok((sample(text, 'stackyard_blob_operation_duration_seconds_count{operation="put"}') ?? 0) >= 1);

    clock.advance(301_000);
    const renew = await api.post(`${path}/update/${updateId}/renew_lease`, { duration: 300 }, withLease(token));
    assert.equal(renew.status, 403, renew.text);
    text = await scrape();
    assert.equal(sample(text, 'stackyard_lease_expiries_total'), 1);
    assert.equal((await api.post(`${path}/update/${updateId}/cancel`)).status, 204);
    assert.equal(sample(await scrape(), 'stackyard_updates_in_flight'), 0);
  });

  it('counts background job failures by kind and the jobs waiting', async () => {
    const db = server.server.ctx.database.db;
    await db.insertInto('jobs').values({ kind: 'no-such-kind', payload: '{}', run_after: 0, created_at: 0, locked_until: null, last_error: null }).execute();
    assert.ok((sample(await scrape(), 'stackyard_jobs_queued') ?? 0) >= 1);
    server.server.ctx.jobs.wake();
    await waitFor('a failed job to be counted', async () => sample(await scrape(), 'stackyard_job_failures_total{kind="no-such-kind"}'));
  });

  it('reports the database pool on PostgreSQL', { skip: testDatabase !== 'postgres' && 'SQLite has no pool' }, async () => {
    const text = await scrape();
    assert.ok((sample(text, 'stackyard_db_pool_connections{state="total"}') ?? 0) >= 1, text);
  });
});

describe('GET /metrics without a metrics token configured', () => {
  it('is not served', async () => {
    const plain = await startTestServer();
    try {
      const reply = await fetch(`${plain.url}/metrics`, { headers: { Authorization: 'Bearer ' } });
      assert.equal(reply.status, 404);
      assert.deepEqual(await reply.json(), { code: 404, message: 'Not Found: metrics not found: start the server with --metrics-token to serve them' });
    } finally {
      await plain.close();
    }
  });
});
