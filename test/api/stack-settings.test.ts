import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
let org: string;
let member: ApiClient;
let adminLogin: string;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  adminLogin = (await api.get('/api/user')).body.githubLogin;
  member = new ApiClient(server.url, await createUser(server, 'settings-member', { org }));
});
after(() => server.close());

describe('GET /api/stacks/{org}/{project}/{stack}/metadata', () => {
  it('names the stack, its creator and its notification settings, off until set', async () => {
    await createStack(api, org, 'meta', 'dev');
    const reply = await api.get(`/api/stacks/${org}/meta/dev/metadata`);
    assert.equal(reply.status, 200);
    const stack = await api.get(`/api/stacks/${org}/meta/dev`);
    assert.deepEqual(reply.body, {
      id: stack.body.id,
      orgName: org,
      projectName: 'meta',
      stackName: 'dev',
      ownedBy: { name: reply.body.ownedBy.name, githubLogin: adminLogin, avatarUrl: reply.body.ownedBy.avatarUrl },
      notificationSettings: { notifyUpdateFailure: false, notifyUpdateSuccess: false },
    });
    assert.equal(typeof reply.body.ownedBy.name, 'string');
    assert.equal(typeof reply.body.ownedBy.avatarUrl, 'string');
  });

  it('answers 404 for a stack that does not exist', async () => {
    const reply = await api.get(`/api/stacks/${org}/meta/nope/metadata`);
    assert.deepEqual(reply.body, { code: 404, message: `Not Found: stack '${org}/meta/nope' not found` });
  });
});

describe('PATCH /api/stacks/{org}/{project}/{stack}/notifications/settings', () => {
  it('stores both settings, answers with the metadata and audits the change', async () => {
    await createStack(api, org, 'notify', 'dev');
    const mark = await auditMark(server);
    const reply = await api.patch(`/api/stacks/${org}/notify/dev/notifications/settings`, { notifyUpdateFailure: true, notifyUpdateSuccess: false });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body.notificationSettings, { notifyUpdateFailure: true, notifyUpdateSuccess: false });
    const read = await api.get(`/api/stacks/${org}/notify/dev/metadata`);
    assert.deepEqual(read.body, reply.body);
    const events = await auditAfter(server, org, mark);
    assert.deepEqual(events.map((e) => [e.event, e.description]), [
      ['stack-notification-settings-changed', 'Set notifications of stack "notify/dev": update failure on, update success off'],
    ]);
  });

  it('refuses a body without both booleans, changing nothing', async () => {
    await createStack(api, org, 'notify2', 'dev');
    const reply = await api.patch(`/api/stacks/${org}/notify2/dev/notifications/settings`, { notifyUpdateFailure: true });
    assert.equal(reply.status, 400);
    assert.match(reply.body.message, /notifyUpdateSuccess/);
    const read = await api.get(`/api/stacks/${org}/notify2/dev/metadata`);
    assert.deepEqual(read.body.notificationSettings, { notifyUpdateFailure: false, notifyUpdateSuccess: false });
  });

  it('needs admin on the stack', async () => {
    await createStack(api, org, 'notify3', 'dev');
    const reply = await member.patch(`/api/stacks/${org}/notify3/dev/notifications/settings`, { notifyUpdateFailure: true, notifyUpdateSuccess: true });
    assert.equal(reply.status, 403);
  });
});

describe('stack configuration held in an environment (…/config)', () => {
  it('is absent for a stack created without it: GET answers 404 and the stack has no config', async () => {
    await createStack(api, org, 'local-config', 'dev');
    const reply = await api.get(`/api/stacks/${org}/local-config/dev/config`);
    assert.equal(reply.status, 404);
    assert.equal(reply.body.code, 404);
    assert.equal((await api.get(`/api/stacks/${org}/local-config/dev`)).body.config, undefined);
  });

  it('is kept when the stack is created with it (`stack init --remote-config`) and shown on the stack', async () => {
    const created = await api.post(`/api/stacks/${org}/remote`, { stackName: 'dev', config: { environment: 'remote/dev' } });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual((await api.get(`/api/stacks/${org}/remote/dev`)).body.config, { environment: 'remote/dev' });
    assert.deepEqual((await api.get(`/api/stacks/${org}/remote/dev/config`)).body, { environment: 'remote/dev' });
  });

  it('is replaced by PUT, with the secrets settings the CLI sends, and removed by DELETE', async () => {
    await createStack(api, org, 'put-config', 'dev');
    const config = { environment: 'put-config/dev', secretsProvider: 'passphrase', encryptionSalt: 'v1:c2FsdA==:v1:bm9uY2U=:Y3Q=' };
    const mark = await auditMark(server);
    const put = await api.put(`/api/stacks/${org}/put-config/dev/config`, config);
    assert.equal(put.status, 200);
    assert.deepEqual(put.body, config);
    assert.deepEqual((await api.get(`/api/stacks/${org}/put-config/dev/config`)).body, config);
    const removed = await api.delete(`/api/stacks/${org}/put-config/dev/config`);
    assert.equal(removed.status, 204);
    assert.equal((await api.get(`/api/stacks/${org}/put-config/dev/config`)).status, 404);
    assert.equal((await api.delete(`/api/stacks/${org}/put-config/dev/config`)).status, 204);
    const events = await auditAfter(server, org, mark);
    assert.deepEqual(events.map((e) => e.event), ['stack-config-changed', 'stack-config-changed']);
  });

  it('refuses an environment that is not `project/name`, or a body without one, changing nothing', async () => {
    await createStack(api, org, 'bad-config', 'dev');
    const bad = await api.put(`/api/stacks/${org}/bad-config/dev/config`, { environment: 'no-slash' });
    assert.deepEqual(bad.body, { code: 400, message: "Bad Request: config.environment must name an environment as 'project/name', got 'no-slash'" });
    const missing = await api.put(`/api/stacks/${org}/bad-config/dev/config`, { secretsProvider: 'x' });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /environment/);
    assert.equal((await api.get(`/api/stacks/${org}/bad-config/dev/config`)).status, 404);
    const create = await api.post(`/api/stacks/${org}/bad-config`, { stackName: 'prod', config: { environment: '' } });
    assert.equal(create.status, 400);
    assert.equal((await api.get(`/api/stacks/${org}/bad-config/prod`)).status, 404);
  });

  it('goes with the stack when it is deleted', async () => {
    await api.post(`/api/stacks/${org}/gone-config`, { stackName: 'dev', config: { environment: 'gone-config/dev' } });
    assert.equal((await api.delete(`/api/stacks/${org}/gone-config/dev`)).status, 204);
    await api.post(`/api/stacks/${org}/gone-config`, { stackName: 'dev' });
    assert.equal((await api.get(`/api/stacks/${org}/gone-config/dev/config`)).status, 404);
  });
});
