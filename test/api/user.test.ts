import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrganization, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

describe('GET /api/user', () => {
  it('describes the first-boot admin and their organization', async () => {
    const reply = await api.get('/api/user');
    assert.equal(reply.status, 200);
    const { id, ...rest } = reply.body;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(rest, {
      githubLogin: 'admin',
      name: 'admin',
      email: '',
      avatarUrl: '',
      organizations: [{ githubLogin: 'stackyard', name: 'stackyard', avatarUrl: '', role: 'admin' }],
      identities: [],
      siteAdmin: true,
      hasMFA: false,
      isOrgManaged: false,
      isManagedByMultiOrg: false,
    });
  });

  it('lists every organization a user belongs to, with their role', async () => {
    await createOrganization(server, 'second-org');
    const token = await createUser(server, 'carol', { org: 'stackyard', role: 'member' });
    await server.server.ctx.services.admin.addMember('second-org', 'carol', 'admin');
    const reply = await api.get('/api/user', { token });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.githubLogin, 'carol');
    assert.equal(reply.body.siteAdmin, false);
    assert.deepEqual(reply.body.organizations, [
      { githubLogin: 'stackyard', name: 'stackyard', avatarUrl: '', role: 'member' },
      { githubLogin: 'second-org', name: 'second-org', avatarUrl: '', role: 'admin' },
    ]);
  });

  it('answers 401 without a token', async () => {
    const reply = await api.get('/api/user', { token: null });
    assert.deepEqual([reply.status, reply.body.code], [401, 401]);
  });
});

describe('GET /api/user/organizations/default', () => {
  it('names the user’s first organization in the CLI’s field names', async () => {
    const reply = await api.get('/api/user/organizations/default');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { GitHubLogin: 'stackyard', Messages: [] });
  });

  it('answers 400 for a user in no organization', async () => {
    const token = await createUser(server, 'loner');
    const reply = await api.get('/api/user/organizations/default', { token });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.body, { code: 400, message: "Bad Request: user 'loner' is not a member of any organization" });
  });

  it('answers 401 without a token', async () => {
    assert.equal((await api.get('/api/user/organizations/default', { token: null })).status, 401);
  });
});
