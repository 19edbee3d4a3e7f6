import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createStack, createUser, deploymentWithResources } from '../helpers/factories.js';
import { holdStackWithRunningUpdate } from '../helpers/fixtures.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
let org: string;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
});
after(() => server.close());

describe('GET .../export', () => {
  it('answers a stack never updated with an empty deployment the CLI can read', async () => {
    await createStack(api, org, 'state', 'fresh');
    const reply = await api.get(`/api/stacks/${org}/state/fresh/export`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.version, 3);
    assert.deepEqual(reply.body.deployment.metadata, {});
    assert.equal(reply.body.deployment.manifest.magic, '');
    assert.ok(!Number.isNaN(Date.parse(reply.body.deployment.manifest.time)));
  });

  it('answers 404 for a missing stack and 401 without a token', async () => {
    assert.equal((await api.get(`/api/stacks/${org}/state/none/export`)).status, 404);
    assert.equal((await api.get(`/api/stacks/${org}/state/fresh/export`, { token: null })).status, 401);
  });
});

describe('POST .../import and GET .../update/{updateId}', () => {
  it('stores the deployment byte for byte and reports the import as a succeeded update', async () => {
    await createStack(api, org, 'state', 'bytes');
    // Odd spacing, key order, a number beyond double precision and an unknown field all survive.
    const raw =
      '{ "deployment": {"manifest":{"time":"2026-11-01T10:00:00Z","magic":"","version":"v3.274.1"},' +
      '"resources":[{"urn":"urn:pulumi:bytes::state::pulumi:pulumi:Stack::state-bytes","custom":false,"type":"pulumi:pulumi:Stack",' +
      '"outputs":{"big":12345678901234567890123,"pi":3.10}}],"metadata":{},"futureField":{"x":[1,2]}},\n  "version": 3 }';
    const reply = await api.request('POST', `/api/stacks/${org}/state/bytes/import`, { rawBody: raw, gzip: true });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(Object.keys(reply.body), ['updateId']);
    assert.match(reply.body.updateId, /^[0-9a-f-]{36}$/);

    const exported = await api.get(`/api/stacks/${org}/state/bytes/export`);
    assert.equal(exported.text, raw);
    assert.equal((await api.get(`/api/stacks/${org}/state/bytes/export/1`)).text, raw);

    const status = await api.get(`/api/stacks/${org}/state/bytes/update/${reply.body.updateId}`);
    assert.equal(status.status, 200);
    assert.deepEqual(status.body, { status: 'succeeded', events: [] });

    const stack = await api.get(`/api/stacks/${org}/state/bytes`);
    assert.equal(stack.body.version, 1);
    assert.equal(stack.body.activeUpdate, reply.body.updateId);
  });

  it('keeps every version: a second import is version 2 and version 1 still exports', async () => {
    await createStack(api, org, 'state', 'versions');
    const first = deploymentWithResources('state', 'versions', 1);
    const second = deploymentWithResources('state', 'versions', 4);
    await api.post(`/api/stacks/${org}/state/versions/import`, first);
    await api.post(`/api/stacks/${org}/state/versions/import`, second);
    assert.deepEqual((await api.get(`/api/stacks/${org}/state/versions/export/1`)).body, first);
    assert.deepEqual((await api.get(`/api/stacks/${org}/state/versions/export/2`)).body, second);
    assert.deepEqual((await api.get(`/api/stacks/${org}/state/versions/export`)).body, second);
    const missing = await api.get(`/api/stacks/${org}/state/versions/export/3`);
    assert.deepEqual(missing.body, { code: 404, message: `Not Found: stack '${org}/state/versions' has no version 3` });
    const invalid = await api.get(`/api/stacks/${org}/state/versions/export/latest`);
    assert.deepEqual(invalid.body, { code: 400, message: 'Bad Request: params/version must be integer' });
  });

  for (const [what, body, message] of [
    ['a body that is not an object', [1, 2], 'the deployment must be a JSON object'],
    ['a missing version', { deployment: {} }, 'deployment version must be a whole number from 1 to 4, got undefined'],
    ['version 0', { version: 0, deployment: {} }, 'deployment version must be a whole number from 1 to 4, got 0'],
    ['a deployment that is not an object', { version: 3, deployment: 'x' }, "the deployment's 'deployment' field must be a JSON object"],
    ['resources that are not an array', { version: 3, deployment: { resources: {} } }, "the deployment's 'resources' field must be an array"],
  ] as const) {
    it(`answers 400 for ${what} and keeps the stored state`, async () => {
      await createStack(api, org, 'bad-import', `s${what.length}`);
      const path = `/api/stacks/${org}/bad-import/s${what.length}`;
      const before = await api.get(`${path}/export`);
      const reply = await api.post(`${path}/import`, body);
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.body, { code: 400, message: `Bad Request: ${message}` });
      assert.equal((await api.get(`${path}/export`)).text, before.text);
      assert.equal((await api.get(path)).body.version, 0);
    });
  }

  it('answers 400 for secrets encrypted for another stack', async () => {
    await createStack(api, org, 'state', 'secretive');
    const secretsProvider = { type: 'service', state: { url: server.url, owner: org, project: 'state', stack: 'other' } };
    const state = deploymentWithResources('state', 'secretive', 1, { secrets_providers: secretsProvider });
    (state.deployment.resources[0]!.outputs as Record<string, unknown>).password = {
      '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270',
      ciphertext: 'b3BhcXVl',
    };
    const reply = await api.post(`/api/stacks/${org}/state/secretive/import`, state);
    assert.deepEqual(reply.body, { code: 400, message: 'Bad Request: cannot import deployment with encrypted secrets from a different stack' });
    assert.equal((await api.get(`/api/stacks/${org}/state/secretive`)).body.version, 0);
    secretsProvider.state.stack = 'secretive';
    assert.equal((await api.post(`/api/stacks/${org}/state/secretive/import`, state)).status, 200);
  });

  it('refuses, storing nothing, a deployment no CLI could read back: an unknown feature or a version above 4', async () => {
    await createStack(api, org, 'state', 'future');
    const { deployment } = deploymentWithResources('state', 'future', 1);
    const unknown = await api.post(`/api/stacks/${org}/state/future/import`, { version: 4, features: ['refreshBeforeUpdate', 'timeTravel'], deployment });
    assert.deepEqual(unknown.body, {
      code: 400,
      message: "Bad Request: this stack's deployment needs support for the following features, which no Pulumi CLI reads: timeTravel",
    });
    const tooNew = await api.post(`/api/stacks/${org}/state/future/import`, { version: 5, deployment });
    assert.deepEqual(tooNew.body, { code: 400, message: 'Bad Request: deployment version must be a whole number from 1 to 4, got 5' });
    const created = await api.post(`/api/stacks/${org}/state`, { stackName: 'born-future', state: { version: 4, features: ['timeTravel'], deployment } });
    assert.equal(created.status, 400, created.text);
    assert.equal((await api.get(`/api/stacks/${org}/state/born-future`)).status, 404);
    assert.equal((await api.get(`/api/stacks/${org}/state/future`)).body.version, 0);
    const known = await api.post(`/api/stacks/${org}/state/future/import`, { version: 4, features: ['refreshBeforeUpdate', 'byteString'], deployment });
    assert.equal(known.status, 200, known.text);
  });

  it('answers 409 while an update runs', async () => {
    await createStack(api, org, 'state', 'busy');
    const hold = await holdStackWithRunningUpdate(server, org, 'state', 'busy');
    const reply = await api.post(`/api/stacks/${org}/state/busy/import`, deploymentWithResources('state', 'busy', 1));
    assert.equal(reply.status, 409);
    assert.equal(reply.body.code, 409);
    await hold.release();
    const running = await api.get(`/api/stacks/${org}/state/busy/update/${hold.updateId}`);
    assert.deepEqual(running.body, { status: 'succeeded', events: [] });
  });

  it('reports a running update with a continuation token so the CLI keeps polling', async () => {
    await createStack(api, org, 'state', 'polling');
    const hold = await holdStackWithRunningUpdate(server, org, 'state', 'polling');
    const reply = await api.get(`/api/stacks/${org}/state/polling/update/${hold.updateId}`);
    assert.deepEqual(reply.body, { status: 'running', events: [], continuationToken: '0' });
    await hold.release();
  });

  it('answers 404 for an unknown update or stack and 401 without a token', async () => {
    await createStack(api, org, 'state', 'lookup');
    const unknown = await api.get(`/api/stacks/${org}/state/lookup/update/nope`);
    assert.deepEqual(unknown.body, { code: 404, message: `Not Found: update 'nope' not found on stack '${org}/state/lookup'` });
    assert.equal((await api.post(`/api/stacks/${org}/state/none/import`, deploymentWithResources('state', 'none', 0))).status, 404);
    assert.equal((await api.post(`/api/stacks/${org}/state/lookup/import`, {}, { token: null })).status, 401);
  });

  it('answers 404 to a user outside the organization', async () => {
    await createStack(api, org, 'state', 'guarded');
    const outsider = await createUser(server, 'state-outsider');
    const reply = await api.post(`/api/stacks/${org}/state/guarded/import`, deploymentWithResources('state', 'guarded', 1), {
      token: outsider,
    });
    assert.equal(reply.status, 404);
    assert.equal((await api.get(`/api/stacks/${org}/state/guarded`)).body.version, 0);
  });
});

describe('GET .../resources', () => {
  before(async () => {
    await createStack(api, org, 'res', 'dev');
    await api.post(`/api/stacks/${org}/res/dev/import`, deploymentWithResources('res', 'dev', 1));
    await api.post(`/api/stacks/${org}/res/dev/import`, deploymentWithResources('res', 'dev', 3));
  });

  it('counts the resources of the newest version', async () => {
    const reply = await api.get(`/api/stacks/${org}/res/dev/resources/count`);
    assert.deepEqual(reply.body, { resourceCount: 5, version: 2 });
  });

  it('lists the newest resources in the seed’s shape, with provider inputs and region', async () => {
    const reply = await api.get(`/api/stacks/${org}/res/dev/resources/latest`);
    assert.equal(reply.status, 200);
    const state = deploymentWithResources('res', 'dev', 3);
    const [stackResource, provider, ...things] = state.deployment.resources;
    assert.deepEqual(reply.body, {
      resources: [
        { resource: { ...stackResource, delete: false, dependencies: [] } },
        { resource: { ...provider, delete: false, dependencies: [] } },
        ...things.map((t) => ({
          resource: { ...t, delete: false, dependencies: t.dependencies ?? [], providerInputs: { region: 'eu-north-1' } },
        })),
      ],
      region: 'eu-north-1',
      version: 2,
    });
  });

  it('lists the resources of an older version', async () => {
    const reply = await api.get(`/api/stacks/${org}/res/dev/resources/1`);
    assert.equal(reply.body.version, 1);
    assert.deepEqual(
      reply.body.resources.map((r: any) => r.resource.urn.split('::').pop()),
      ['res-dev', 'default', 'thing-0'],
    );
  });

  it('reads one resource by its URN, of the newest or an older version', async () => {
    const state = deploymentWithResources('res', 'dev', 3);
    const thing = state.deployment.resources[4]! as { urn: string; dependencies?: string[] };
    const latest = await api.get(`/api/stacks/${org}/res/dev/resources/latest/${encodeURIComponent(thing.urn)}`);
    assert.deepEqual(latest.body, {
      region: 'eu-north-1',
      resource: { resource: { ...thing, delete: false, dependencies: thing.dependencies ?? [], providerInputs: { region: 'eu-north-1' } } },
      version: 2,
    });
    const older = (state.deployment.resources[2]! as { urn: string }).urn;
    assert.equal((await api.get(`/api/stacks/${org}/res/dev/resources/1/${encodeURIComponent(older)}`)).body.resource.resource.urn, older);
    const gone = await api.get(`/api/stacks/${org}/res/dev/resources/1/${encodeURIComponent(thing.urn)}`);
    assert.deepEqual(gone.body, { code: 404, message: `Not Found: resource '${thing.urn}' not found in version 1 of stack '${org}/res/dev'` });
    assert.equal((await api.get(`/api/stacks/${org}/res/dev/resources/9/${encodeURIComponent(older)}`)).status, 404);
  });

  it('answers an empty stack with no resources at version 0', async () => {
    await createStack(api, org, 'res', 'empty');
    assert.deepEqual((await api.get(`/api/stacks/${org}/res/empty/resources/latest`)).body, { resources: [], region: '', version: 0 });
    assert.deepEqual((await api.get(`/api/stacks/${org}/res/empty/resources/count`)).body, { resourceCount: 0, version: 0 });
  });

  it('answers 404 for a missing version or stack, 400 for a bad version and 401 without a token', async () => {
    assert.deepEqual((await api.get(`/api/stacks/${org}/res/dev/resources/9`)).body, {
      code: 404,
      message: `Not Found: stack '${org}/res/dev' has no version 9`,
    });
    assert.equal((await api.get(`/api/stacks/${org}/res/none/resources/latest`)).status, 404);
    assert.equal((await api.get(`/api/stacks/${org}/res/none/resources/count`)).status, 404);
    assert.equal((await api.get(`/api/stacks/${org}/res/dev/resources/-1`)).status, 400);
    assert.equal((await api.get(`/api/stacks/${org}/res/dev/resources/count`, { token: null })).status, 401);
  });
});
