import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

let server: TestServer;
let api: ApiClient;
let counter = 0;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

async function freshStack(): Promise<string> {
  const name = `j${++counter}`;
  await createStack(api, 'stackyard', 'proj', name);
  return `/api/stacks/stackyard/proj/${name}`;
}

const urn = (name: string) => `urn:pulumi:dev::proj::test:index:Thing::${name}`;
const thing = (name: string) => ({ urn: urn(name), custom: true, type: 'test:index:Thing', id: `${name}-id`, outputs: { name } });
const created = (sequenceID: number, operationID: number, name: string) => [
  { version: 1, kind: 0, sequenceID, operationID, removeOld: null, removeNew: null, operation: { resource: thing(name), type: 'creating' } },
  { version: 1, kind: 1, sequenceID: sequenceID + 1, operationID, removeOld: null, removeNew: null, state: thing(name) },
];
const agent = { 'User-Agent': 'pulumi-cli/1 (v3.274.1; linux; cmd=pulumi up)' };

async function journaledUpdate(stack: string) {
  const createdUpdate = await api.post(`${stack}/update`, {
    name: 'proj', runtime: 'nodejs', options: { dryRun: false }, config: {}, metadata: { message: '', environment: {} },
  }, { headers: agent });
  const updateId = createdUpdate.body.updateID;
  const started = await api.post(`${stack}/update/${updateId}`, { tags: {}, journalVersion: 2 });
  return { updateId, started: started.body, token: started.body.token as string };
}

describe('PATCH .../update/{id}/journalentries', () => {
  it('answers journalVersion 1 to a CLI that can journal, but not for previews or when not asked', async () => {
    const stack = await freshStack();
    const { started } = await journaledUpdate(stack);
    assert.equal(started.journalVersion, 1);
    const preview = await beginUpdate(api, stack, 'preview', true, 1);
    assert.equal('journalVersion' in preview.started, false);
  });

  it('rebuilds the state from entries that arrive out of order and twice, readable while the update runs', async () => {
    const stack = await freshStack();
    const { updateId, token } = await journaledUpdate(stack);
    const path = `${stack}/update/${updateId}/journalentries`;
    const first = created(1, 1, 'a');
    const second = created(3, 2, 'b');
    assert.equal((await api.patch(path, { entries: second }, withLease(token, { gzip: true }))).status, 204);
    assert.equal((await api.patch(path, { entries: first }, withLease(token))).status, 204);
    assert.equal((await api.patch(path, { entries: [...first, ...second] }, withLease(token))).status, 204, 'a retried batch is ignored');

    const during = (await api.get(`${stack}/export`)).body;
    assert.deepEqual(during.deployment.resources, [thing('a'), thing('b')]);
    assert.equal(during.version, 3);
    assert.equal(during.deployment.manifest.version, 'v3.274.1');
    assert.deepEqual((await api.get(`${stack}/resources/count`)).body, { resourceCount: 0, version: 1 }, 'counted at the end');

    const begunOnly = { version: 1, kind: 0, sequenceID: 5, operationID: 3, removeOld: null, removeNew: null, operation: { resource: thing('c'), type: 'creating' } };
    await api.patch(path, { entries: [begunOnly] }, withLease(token));
    assert.deepEqual((await api.get(`${stack}/export`)).body.deployment.pending_operations, [{ resource: thing('c'), type: 'creating' }]);

    assert.equal((await api.post(`${stack}/update/${updateId}/complete`, { status: 'failed' }, withLease(token))).status, 204);
    const after = (await api.get(`${stack}/export/1`)).body;
    assert.deepEqual(after.deployment.resources, [thing('a'), thing('b')]);
    assert.equal((await api.get(`${stack}/resources/count`)).body.resourceCount, 2);
  });

  it('builds on the state the update started from', async () => {
    const stack = await freshStack();
    const first = await journaledUpdate(stack);
    await api.patch(`${stack}/update/${first.updateId}/journalentries`, { entries: created(1, 1, 'a') }, withLease(first.token));
    await api.post(`${stack}/update/${first.updateId}/complete`, { status: 'succeeded' }, withLease(first.token));
    const second = await journaledUpdate(stack);
    const deleteA = { version: 1, kind: 1, sequenceID: 1, operationID: 1, removeOld: 0, removeNew: null };
    await api.patch(`${stack}/update/${second.updateId}/journalentries`, { entries: [...created(2, 2, 'b'), deleteA] }, withLease(second.token));
    await api.post(`${stack}/update/${second.updateId}/complete`, { status: 'succeeded' }, withLease(second.token));
    assert.deepEqual((await api.get(`${stack}/export`)).body.deployment.resources, [thing('b')]);
    assert.deepEqual((await api.get(`${stack}/export/1`)).body.deployment.resources, [thing('a')]);
  });

  it('answers 400 for an entry it cannot replay and stores nothing of that batch', async () => {
    const stack = await freshStack();
    const { updateId, token } = await journaledUpdate(stack);
    const bad = await api.patch(`${stack}/update/${updateId}/journalentries`, {
      entries: [...created(1, 1, 'a'), { version: 2, kind: 10, sequenceID: 3, operationID: 2, removeOld: null, removeNew: null }],
    }, withLease(token));
    assert.deepEqual(bad.body, { code: 400, message: 'Bad Request: entries[2]: journal entry version 2 is not supported (this server speaks version 1)' });
    assert.equal((await api.get(`${stack}/export`)).body.deployment.resources, undefined);
  });

  it('keeps journals and checkpoints apart, and needs the lease', async () => {
    const stack = await freshStack();
    const journaled = await journaledUpdate(stack);
    const checkpoint = await api.request('PATCH', `${stack}/update/${journaled.updateId}/checkpoint`, withLease(journaled.token, {
      body: { isInvalid: false, version: 3, deployment: { manifest: {}, metadata: {} } },
    }));
    assert.deepEqual(checkpoint.body, { code: 409, message: `Conflict: update '${journaled.updateId}' sends journal entries, not checkpoints` });
    const forged = await api.patch(`${stack}/update/${journaled.updateId}/journalentries`, { entries: [] }, withLease('forged'));
    assert.deepEqual(forged.body, { code: 401, message: 'Unauthorized: the update token is not a lease of this update' });
    await api.post(`${stack}/update/${journaled.updateId}/complete`, { status: 'succeeded' }, withLease(journaled.token));

    const checkpointed = await beginUpdate(api, stack);
    const entries = await api.patch(`${stack}/update/${checkpointed.updateId}/journalentries`, { entries: created(1, 1, 'x') }, withLease(checkpointed.token));
    assert.deepEqual(entries.body, { code: 409, message: `Conflict: update '${checkpointed.updateId}' sends checkpoints, not journal entries` });
  });
});
