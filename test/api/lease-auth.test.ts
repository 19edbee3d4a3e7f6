import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { createStack } from '../helpers/factories.js';
import { ManualClock } from '../helpers/clock.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

let server: TestServer;
let api: ApiClient;
const clock = new ManualClock();
let counter = 0;

before(async () => {
  server = await startTestServer({ overrides: { clock } });
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

async function freshStack(): Promise<string> {
  const name = `s${++counter}`;
  await createStack(api, 'stackyard', 'proj', name);
  return `/api/stacks/stackyard/proj/${name}`;
}

const unknownLease = { code: 401, message: 'Unauthorized: the update token is not a lease of this update' };

/** 40 KB of gzip that inflates to 40 MB of JSON, 14 million empty entries: seconds of parsing. */
function inflatingBody(): Buffer {
  const json = `{"entries":[${'{},'.repeat(Math.ceil((40 * 1024 * 1024) / 3))}{}]}`;
  return zlib.gzipSync(json, { level: 9 });
}

/** Sends the headers and `sent` (all of it, or the first bytes of a body that never ends); resolves with the answer. */
function send(path: string, headers: Record<string, string>, body: Buffer, options: { stallAfter?: number } = {}) {
  const url = new URL(server.url + path);
  return new Promise<{ status: number; body: any; ms: number }>((resolve, reject) => {
    const started = Date.now();
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'PATCH', headers: { ...headers, 'Content-Length': String(body.length) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode!, body: JSON.parse(text), ms: Date.now() - started });
          request.destroy();
        });
      },
    );
    request.on('error', reject);
    if (options.stallAfter === undefined) request.end(body);
    else request.write(body.subarray(0, options.stallAfter));
  });
}

describe('update-token authentication', () => {
  it('answers a made-up lease with one 401 whether or not the stack and update exist', async () => {
    const stack = await freshStack();
    const { updateId } = await beginUpdate(api, stack);
    const paths = [
      `${stack}/update/${updateId}/renew_lease`,
      `${stack}/update/00000000-0000-0000-0000-000000000000/renew_lease`,
      `/api/stacks/stackyard/proj/no-such-stack/update/${updateId}/renew_lease`,
      `/api/stacks/no-such-org/proj/dev/update/${updateId}/renew_lease`,
    ];
    for (const path of paths) {
      const reply = await api.post(path, { token: '', duration: 300 }, withLease('garbage'));
      assert.equal(reply.status, 401, path);
      assert.deepEqual(reply.body, unknownLease, path);
    }
  });

  it('refuses with 401 a real lease used on another update or another stack', async () => {
    const stack = await freshStack();
    const other = await freshStack();
    const real = await beginUpdate(api, stack);
    const preview = await beginUpdate(api, stack, 'preview');
    const elsewhere = await beginUpdate(api, other);
    const onOtherUpdate = await api.post(`${stack}/update/${real.updateId}/events/batch`, { events: [] }, withLease(preview.token));
    assert.deepEqual(onOtherUpdate.body, unknownLease);
    const onOtherStack = await api.post(`${other}/update/${real.updateId}/renew_lease`, { duration: 300 }, withLease(real.token));
    assert.deepEqual(onOtherStack.body, unknownLease);
    // The real lease on its own update still works.
    const own = await api.post(`${other}/update/${elsewhere.updateId}/renew_lease`, { duration: 300 }, withLease(elsewhere.token));
    assert.equal(own.status, 200, own.text);
  });

  it('keeps 403 for a lease that matches but has lapsed or whose update ended, as the CLI expects on renew', async () => {
    const stack = await freshStack();
    const lapsing = await beginUpdate(api, stack, 'preview');
    clock.advance(300_001);
    const lapsed = await api.post(`${stack}/update/${lapsing.updateId}/renew_lease`, { duration: 300 }, withLease(lapsing.token));
    assert.deepEqual(lapsed.body, { code: 403, message: `Forbidden: the lease of update '${lapsing.updateId}' has expired` });

    const { updateId, token } = await beginUpdate(api, stack);
    assert.equal((await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
    const ended = await api.post(`${stack}/update/${updateId}/renew_lease`, { duration: 300 }, withLease(token));
    assert.deepEqual(ended.body, { code: 403, message: `Forbidden: the lease of update '${updateId}' is no longer valid (status: succeeded)` });
    // A retried `complete` is still answered.
    assert.equal((await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);

    const cancelled = await beginUpdate(api, stack);
    assert.equal((await api.post(`${stack}/update/${cancelled.updateId}/cancel`)).status, 204);
    const afterCancel = await api.patch(`${stack}/update/${cancelled.updateId}/journalentries`, { entries: [] }, withLease(cancelled.token));
    assert.deepEqual(afterCancel.body, { code: 403, message: `Forbidden: the lease of update '${cancelled.updateId}' is no longer valid (status: cancelled)` });
  });

  it('refuses a gzip bomb with a made-up lease at once, without reading it, and /healthz stays responsive', { timeout: 30_000 }, async () => {
    const stack = await freshStack();
    const { updateId } = await beginUpdate(api, stack, 'update', false, 1);
    const path = `${stack}/update/${updateId}/journalentries`;
    const body = inflatingBody();
    assert.ok(body.length < 64 * 1024, `${body.length} bytes of gzip`);
    const headers = { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Authorization: 'update-token made-up' };

    const bomb = send(path, headers, body);
    const health = (async () => {
      const started = Date.now();
      const reply = await api.get('/healthz', { token: null });
      return { ...reply, ms: Date.now() - started };
    })();
    const [refused, healthz] = await Promise.all([bomb, health]);
    assert.deepEqual(refused.body, unknownLease);
    assert.ok(refused.ms < 1000, `refused after ${refused.ms} ms`);
    assert.deepEqual(healthz.body, { status: 'ok' });
    assert.ok(healthz.ms < 1000, `/healthz answered after ${healthz.ms} ms`);

    // A body that never finishes is answered too: the lease is checked before any of it is read.
    const stalled = await send(path, headers, body, { stallAfter: 1024 });
    assert.deepEqual(stalled.body, unknownLease);
    assert.ok(stalled.ms < 1000, `refused after ${stalled.ms} ms`);
  });
});
