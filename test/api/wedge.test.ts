import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

// Writes a lease holder could once get accepted (204) that no replay can rebuild, after which the
// stack stayed locked: complete, cancel and export failed and every new update got 409.

let server: TestServer;
let api: ApiClient;
let counter = 0;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

async function freshStack(): Promise<string> {
  const name = `w${++counter}`;
  await createStack(api, 'stackyard', 'proj', name);
  return `/api/stacks/stackyard/proj/${name}`;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const urn = (name: string) => `urn:pulumi:dev::proj::test:index:Thing::${name}`;
const thing = (name: string, extra: Record<string, unknown> = {}) => ({ urn: urn(name), custom: true, type: 'test:index:Thing', id: `${name}-id`, outputs: { name }, ...extra });
const created = (sequenceID: number, operationID: number, name: string, extra: Record<string, unknown> = {}) => [
  { version: 1, kind: 0, sequenceID, operationID, removeOld: null, removeNew: null, operation: { resource: thing(name, extra), type: 'creating' } },
  { version: 1, kind: 1, sequenceID: sequenceID + 1, operationID, removeOld: null, removeNew: null, state: thing(name, extra) },
];

async function journaledUpdate(stack: string) {
  const { updateId, token } = await beginUpdate(api, stack, 'update', false, 1);
  return { updateId, token, path: `${stack}/update/${updateId}/journalentries` };
}

/** What must hold of a stack once its update ended: readable, and free for the next update and for delete. */
async function assertFree(stack: string): Promise<void> {
  const exported = await api.get(`${stack}/export`);
  assert.equal(exported.status, 200, exported.text);
  assert.equal(typeof JSON.parse(exported.text).deployment, 'object');
  const next = await beginUpdate(api, stack);
  assert.equal((await api.post(`${stack}/update/${next.updateId}/complete`, { status: 'succeeded' }, withLease(next.token))).status, 204);
  const deleted = await api.request('DELETE', `${stack}?force=true`);
  assert.equal(deleted.status, 204, deleted.text);
}

describe('journal entries that cannot be replayed', () => {
  it('refuses an entry whose removeNew names an operation that never began, naming it, and keeps nothing of its batch', async () => {
    const stack = await freshStack();
    const { updateId, token, path } = await journaledUpdate(stack);
    assert.equal((await api.patch(path, { entries: created(1, 1, 'a') }, withLease(token))).status, 204);
    const outputs = { version: 1, kind: 4, sequenceID: 4, operationID: 3, removeOld: null, removeNew: 99, state: thing('ghost') };
    const refused = await api.patch(path, { entries: [...created(5, 4, 'b'), outputs] }, withLease(token));
    assert.deepEqual(refused.body, {
      code: 400,
      message: 'Bad Request: journal entry sequenceID 4 (kind 4): it refers to operation 99, which produced no resource',
    });
    assert.deepEqual((await api.get(`${stack}/export`)).body.deployment.resources, [thing('a')], 'b was not stored either');
    assert.equal((await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
    assert.deepEqual((await api.get(`${stack}/export`)).body.deployment.resources, [thing('a')]);
    await assertFree(stack);
  });

  it('refuses a write entry whose newSnapshot is not a deployment', async () => {
    const stack = await freshStack();
    const { updateId, token, path } = await journaledUpdate(stack);
    const write = { version: 1, kind: 5, sequenceID: 1, operationID: 0, removeOld: null, removeNew: null, newSnapshot: { resources: 5 } };
    const refused = await api.patch(path, { entries: [write] }, withLease(token));
    assert.deepEqual(refused.body, { code: 400, message: 'Bad Request: entries[0] (sequenceID 1, kind 5): newSnapshot.resources must be a list' });
    assert.equal((await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
    await assertFree(stack);
  });

  it('refuses a second resource with an alias another already has', async () => {
    const stack = await freshStack();
    const { updateId, token, path } = await journaledUpdate(stack);
    const alias = urn('old');
    assert.equal((await api.patch(path, { entries: created(1, 1, 'a', { aliases: [alias] }) }, withLease(token))).status, 204);
    const refused = await api.patch(path, { entries: created(3, 2, 'b', { aliases: [alias] }) }, withLease(token));
    assert.deepEqual(refused.body, {
      code: 400,
      message: `Bad Request: journal entry sequenceID 4 (kind 1): two resources ('${urn('a')}' and '${urn('b')}') have the same alias: '${alias}'`,
    });
    assert.equal((await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
    assert.deepEqual((await api.get(`${stack}/export`)).body.deployment.resources, [thing('a')]);
    await assertFree(stack);
  });
});

describe('delta checkpoints that cannot be read back', () => {
  it('refuses a delta whose result is not JSON although its hash matches', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const base = '{"version":3,"deployment":{"manifest":{"time":"2026-11-01T10:00:00Z","magic":"","version":"v3.274.1"},"metadata":{}}}';
    const verbatim = `{"version":3,"untypedDeployment":${base},"sequenceNumber":1}`;
    assert.equal((await api.request('PATCH', `${stack}/update/${updateId}/checkpointverbatim`, withLease(token, { rawBody: verbatim }))).status, 204);
    const broken = `${base.slice(0, -2)},`;
    const edit = { Span: { start: { offset: base.length - 2 }, end: { offset: base.length } }, NewText: ',' };
    const refused = await api.request('PATCH', `${stack}/update/${updateId}/checkpointdelta`, withLease(token, {
      body: { version: 3, checkpointHash: sha256(broken), sequenceNumber: 2, deploymentDelta: [edit] },
    }));
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.body.message, /^Bad Request: checkpoint 2: the delta's result is not JSON: /);
    assert.equal((await api.get(`${stack}/export`)).text, base);
    assert.equal((await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
    await assertFree(stack);
  });
});

describe('POST .../update/{id}/cancel of an update whose state cannot be rebuilt', () => {
  it('ends it as failed with the previous state, says why in history, and frees the stack', async () => {
    const stack = await freshStack();
    // Version 1: a good state to fall back to.
    const first = await journaledUpdate(stack);
    await api.patch(first.path, { entries: created(1, 1, 'a') }, withLease(first.token));
    await api.post(`${stack}/update/${first.updateId}/complete`, { status: 'succeeded' }, withLease(first.token));

    const { updateId, token, path } = await journaledUpdate(stack);
    assert.equal((await api.patch(path, { entries: created(1, 2, 'b') }, withLease(token))).status, 204);
    // An entry stored before entries were checked on arrival: nothing can replay it.
    const { db } = server.server.ctx.database;
    const outputs = { version: 1, kind: 4, sequenceID: 3, operationID: 7, removeOld: null, removeNew: 99 };
    await db.insertInto('update_journal_entries').values({ update_id: updateId, sequence_id: 3, kind: 4, operation_id: 7, entry: JSON.stringify(outputs), state: JSON.stringify(thing('ghost')), flags: 0 }).execute();
    await db.updateTable('updates').set({ journal_entry_count: 3 }).where('id', '=', updateId).execute();

    const cancelled = await api.post(`${stack}/update/${updateId}/cancel`, {});
    assert.equal(cancelled.status, 204, cancelled.text);
    const exported = await api.get(`${stack}/export`);
    assert.equal(exported.status, 200, exported.text);
    assert.deepEqual(exported.body.deployment.resources, [thing('a')], 'the last good state');
    const history = (await api.get(`${stack}/updates`)).body.updates;
    assert.equal(history[0].result, 'failed');
    assert.match(history[0].message, /its state could not be rebuilt: journal entry sequenceID 3 \(kind 4\): it refers to operation 99, which produced no resource/);
    await assertFree(stack);
  });
});
