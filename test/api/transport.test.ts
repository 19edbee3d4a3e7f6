import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;

before(async () => {
  server = await startTestServer({ args: ['--body-limit', '4096'] });
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

describe('authentication', () => {
  it('answers 401 in Pulumi’s error shape without an Authorization header', async () => {
    const reply = await api.get('/api/user', { token: null });
    assert.equal(reply.status, 401);
    assert.deepEqual(reply.body, { code: 401, message: 'Unauthorized: No credentials provided or are invalid.' });
  });

  it('answers 401 for a header that is not `token <value>`', async () => {
    const reply = await api.get('/api/user', { token: null, headers: { Authorization: `Bearer ${server.adminToken}` } });
    assert.equal(reply.status, 401);
    assert.deepEqual(reply.body, {
      code: 401,
      message: "Unauthorized: malformed Authorization header; expected 'token <access token>'",
    });
  });

  it('answers 401 for an unknown token', async () => {
    const reply = await api.get('/api/user', { token: 'pul-0000000000000000000000000000000000000000' });
    assert.equal(reply.status, 401);
    assert.equal(reply.body.code, 401);
  });

  it('answers 401 for a revoked token', async () => {
    const token = await createUser(server, 'revoked-user');
    assert.equal((await api.get('/api/user', { token })).status, 200);
    const { tokens } = server.server.ctx.services;
    const caller = await tokens.authenticate(token, '127.0.0.1');
    const { revokeAccessToken } = await import('../../src/api/tokens/store.js');
    await revokeAccessToken(server.server.ctx.database.db, caller!.token.id, Date.now());
    const reply = await api.get('/api/user', { token });
    assert.equal(reply.status, 401);
    assert.deepEqual(reply.body, { code: 401, message: 'Unauthorized: No credentials provided or are invalid.' });
  });

  it('stores tokens only as hashes', async () => {
    const rows = await server.server.ctx.database.db.selectFrom('access_tokens').select('token_hash').execute();
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.match(row.token_hash, /^[0-9a-f]{64}$/);
      assert.notEqual(row.token_hash, server.adminToken);
    }
    assert.match(server.adminToken, /^pul-[0-9a-f]{40}$/);
  });
});

describe('routing and errors', () => {
  it('answers unknown routes with 404 in Pulumi’s shape, with or without a token', async () => {
    for (const token of [server.adminToken, null]) {
      const reply = await api.get('/api/no/such/route', { token });
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, { code: 404, message: 'Not Found: no route for GET /api/no/such/route' });
    }
  });

  it('sends a request id on every response', async () => {
    const ok = await api.get('/api/user');
    const missing = await api.get('/api/missing');
    assert.match(ok.headers.get('x-pulumi-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(ok.headers.get('x-pulumi-request-id'), missing.headers.get('x-pulumi-request-id'));
  });

  it('accepts the documented and the current Accept headers and plain JSON', async () => {
    for (const accept of ['application/vnd.pulumi+8', 'application/vnd.pulumi+9', 'application/json']) {
      const reply = await api.get('/api/user', { headers: { Accept: accept } });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.githubLogin, 'admin');
    }
  });

  it('rejects malformed JSON with a 400 that says so', async () => {
    const reply = await api.request('POST', `/api/stacks/${server.org}/proj`, { rawBody: '{"stackName": ' });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.code, 400);
    assert.match(reply.body.message, /^Bad Request: request body is not valid JSON/);
  });

  it('rejects a body of the wrong type with a 400 naming the field', async () => {
    const reply = await api.post(`/api/stacks/${server.org}/proj`, { stackName: 42 });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body, { code: 400, message: 'Bad Request: body/stackName must be string' });
  });

  it('rejects a missing body where one is required', async () => {
    const reply = await api.post(`/api/stacks/${server.org}/proj`);
    assert.equal(reply.status, 400);
    assert.equal(reply.body.message, 'Bad Request: body must be object');
  });

  it('rejects an oversized body with 413', async () => {
    const reply = await api.post(`/api/stacks/${server.org}/proj`, { stackName: 'big', tags: { a: 'x'.repeat(5000) } });
    assert.equal(reply.status, 413);
    assert.deepEqual(reply.body, { code: 413, message: 'Payload Too Large: request body is larger than the limit of 4096 bytes' });
  });

  it('rejects a query parameter of the wrong type', async () => {
    const reply = await api.delete(`/api/stacks/${server.org}/proj/none?force=maybe`);
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body, { code: 400, message: 'Bad Request: querystring/force must be boolean' });
  });
});

describe('gzip request bodies', () => {
  it('accepts a gzip-compressed JSON body', async () => {
    const reply = await api.post(`/api/stacks/${server.org}/gzipped`, { stackName: 'dev' }, { gzip: true });
    assert.equal(reply.status, 200, reply.text);
    const stack = await api.get(`/api/stacks/${server.org}/gzipped/dev`);
    assert.equal(stack.body.stackName, 'dev');
  });

  it('applies the body limit after decompression', async () => {
    const body = JSON.stringify({ stackName: 'bomb', tags: { a: 'x'.repeat(100_000) } });
    assert.ok(zlib.gzipSync(body).length < 4096);
    const reply = await api.request('POST', `/api/stacks/${server.org}/gzipped`, { rawBody: body, gzip: true });
    assert.equal(reply.status, 413);
    assert.equal(reply.body.code, 413);
    assert.equal((await api.get(`/api/stacks/${server.org}/gzipped/bomb`)).status, 404);
  });

  it('decompresses a body of two gzip members, whose trailer gives the length of the last one only', async () => {
    const text = JSON.stringify({ stackName: 'members', tags: { note: 'ü'.repeat(200) } });
    const cut = text.indexOf('ü') + 2; // inside the note, between whole characters
    const rawBody = Buffer.concat([zlib.gzipSync(text.slice(0, cut)), zlib.gzipSync(text.slice(cut))]);
    const reply = await api.request('POST', `/api/stacks/${server.org}/gzipped`, { rawBody, headers: { 'Content-Encoding': 'gzip' } });
    assert.equal(reply.status, 200, reply.text);
    assert.equal((await api.get(`/api/stacks/${server.org}/gzipped/members`)).body.tags.note, 'ü'.repeat(200));
  });

  it('refuses a compressed body larger than the limit before decompressing it', async () => {
    const noise = zlib.gzipSync(Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919) % 251)), { level: 0 });
    assert.ok(noise.length > 4096);
    const reply = await api.request('POST', `/api/stacks/${server.org}/gzipped`, { rawBody: noise, headers: { 'Content-Encoding': 'gzip' } });
    assert.equal(reply.status, 413);
    assert.deepEqual(reply.body, { code: 413, message: 'Payload Too Large: request body is larger than the limit of 4096 bytes' });
  });

  it('rejects a body that is not gzip with 400', async () => {
    const reply = await api.request('POST', `/api/stacks/${server.org}/gzipped`, {
      rawBody: '{"stackName":"x"}',
      headers: { 'Content-Encoding': 'gzip' },
    });
    assert.equal(reply.status, 400);
    assert.match(reply.body.message, /^Bad Request: request body is not valid gzip/);
  });

  it('rejects other content encodings with 415', async () => {
    const reply = await api.request('POST', `/api/stacks/${server.org}/gzipped`, {
      rawBody: '{"stackName":"x"}',
      headers: { 'Content-Encoding': 'br' },
    });
    assert.equal(reply.status, 415);
    assert.deepEqual(reply.body, {
      code: 415,
      message: "Unsupported Media Type: Content-Encoding 'br' is not supported; send gzip or no encoding",
    });
  });
});

describe('GET /api/capabilities', () => {
  it('advertises delta checkpoints with the configured cutoff, batch encryption, schema version 4 and stack policy packs', async () => {
    const reply = await api.get('/api/capabilities');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, {
      capabilities: [
        { capability: 'delta-checkpoint-uploads-v2', version: 2, configuration: { checkpointCutoffSizeBytes: 1048576 } },
        { capability: 'batch-encrypt' },
        { capability: 'deployment-schema-version', version: 1, configuration: { version: 4 } },
        { capability: 'stack-policy-packs', version: 1 },
      ],
    });
  });

  it('needs a token', async () => {
    assert.equal((await api.get('/api/capabilities', { token: null })).status, 401);
  });
});

describe('GET /api/cli/version', () => {
  it('answers without a token with the configured versions', async () => {
    const reply = await api.get('/api/cli/version', { token: null });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { latestVersion: '3.274.1', oldestWithoutWarning: '3.0.0', latestDevVersion: '3.274.1' });
  });
});
