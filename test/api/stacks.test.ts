import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrganization, createStack, createUser, deploymentWithResources } from '../helpers/factories.js';
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

const uuid = /^[0-9a-f-]{36}$/;

describe('POST /api/stacks/{org}/{project}', () => {
  it('creates the stack, and the project with it, and keeps the CLI’s tags', async () => {
    assert.equal((await api.head(`/api/stacks/${org}/create-proj`)).status, 404);
    const tags = { 'pulumi:project': 'create-proj', 'pulumi:runtime': 'nodejs', 'vcs:owner': 'acme' };
    const reply = await api.post(`/api/stacks/${org}/create-proj`, { stackName: 'dev', tags });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, {});
    assert.equal((await api.head(`/api/stacks/${org}/create-proj`)).status, 200);
    const stack = await api.get(`/api/stacks/${org}/create-proj/dev`);
    assert.equal(stack.status, 200);
    assert.match(stack.body.id, uuid);
    assert.deepEqual({ ...stack.body, id: 'x' }, {
      id: 'x',
      orgName: org,
      projectName: 'create-proj',
      stackName: 'dev',
      activeUpdate: '',
      tags,
      version: 0,
    });
  });

  it('takes null tags and teams as none, as Go clients send them', async () => {
    const reply = await api.post('/api/stacks/stackyard/nulls', { stackName: 'dev', tags: null, teams: null });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual((await api.get('/api/stacks/stackyard/nulls/dev')).body.tags, {});
  });

  it('answers 409 with “already exists” for a stack that exists', async () => {
    await createStack(api, org, 'dup-proj', 'dev');
    const reply = await api.post(`/api/stacks/${org}/dup-proj`, { stackName: 'dev' });
    assert.equal(reply.status, 409);
    assert.deepEqual(reply.body, { code: 409, message: `Conflict: stack '${org}/dup-proj/dev' already exists` });
  });

  for (const [what, project, stackName, message] of [
    ['a project name with a space', 'my proj', 'dev', "invalid project name 'my proj': project names may only contain alphanumerics, hyphens, underscores, and periods"],
    ['a stack name with a slash-free illegal character', 'p', 'dev!', "invalid stack name 'dev!': stack names may only contain alphanumerics, hyphens, underscores, and periods"],
    ['an empty stack name', 'p', '', 'stack names may not be empty'],
    ['a stack name over 100 characters', 'p', 's'.repeat(101), `invalid stack name '${'s'.repeat(101)}': stack names are limited to 100 characters`],
  ] as const) {
    it(`answers 400 for ${what}`, async () => {
      const reply = await api.post(`/api/stacks/${org}/${encodeURIComponent(project)}`, { stackName });
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.body, { code: 400, message: `Bad Request: ${message}` });
    });
  }

  it('answers 400 for an invalid tag and stores nothing', async () => {
    const reply = await api.post(`/api/stacks/${org}/tagcheck`, { stackName: 'dev', tags: { 'bad tag': 'v' } });
    assert.equal(reply.status, 400);
    assert.match(reply.body.message, /^Bad Request: invalid tag name 'bad tag'/);
    assert.equal((await api.get(`/api/stacks/${org}/tagcheck/dev`)).status, 404);
  });

  it('answers 400 for a pulumi:project tag naming another project', async () => {
    const reply = await api.post(`/api/stacks/${org}/p1`, { stackName: 'dev', tags: { 'pulumi:project': 'p2' } });
    assert.deepEqual(reply.body, { code: 400, message: "Bad Request: tag 'pulumi:project' must name the stack's project 'p1'" });
  });

  it('answers 400 for an unknown team, creating nothing', async () => {
    const teams = await api.post(`/api/stacks/${org}/p1`, { stackName: 'dev', teams: ['ops'] });
    assert.deepEqual(teams.body, { code: 400, message: `Bad Request: team 'ops' not found in organization '${org}'` });
    assert.equal((await api.get(`/api/stacks/${org}/p1/dev`)).status, 404);
  });

  it('starts the stack from an initial state when one is given', async () => {
    const state = deploymentWithResources('seeded', 'dev', 2);
    const reply = await api.post(`/api/stacks/${org}/seeded`, { stackName: 'dev', state });
    assert.equal(reply.status, 200);
    const exported = await api.get(`/api/stacks/${org}/seeded/dev/export`);
    assert.deepEqual(exported.body, state);
    const count = await api.get(`/api/stacks/${org}/seeded/dev/resources/count`);
    assert.deepEqual(count.body, { resourceCount: 4, version: 0 });
  });

  it('answers 404 for an organization the caller does not belong to', async () => {
    await createOrganization(server, 'private-org');
    const reply = await api.post('/api/stacks/private-org/p', { stackName: 'dev' });
    assert.equal(reply.status, 404);
    assert.deepEqual(reply.body, { code: 404, message: "Not Found: organization 'private-org' not found" });
  });

  it('answers 401 without a token', async () => {
    assert.equal((await api.post(`/api/stacks/${org}/p`, { stackName: 'dev' }, { token: null })).status, 401);
  });
});

describe('HEAD /api/stacks/{org}/{project}', () => {
  it('answers 200 for a project and 404 otherwise, with no body', async () => {
    await createStack(api, org, 'probe', 'dev');
    const found = await api.head(`/api/stacks/${org}/probe`);
    assert.equal(found.status, 200);
    assert.equal(found.text, '');
    assert.equal((await api.head(`/api/stacks/${org}/no-such-project`)).status, 404);
    assert.equal((await api.head(`/api/stacks/no-such-org/probe`)).status, 404);
    assert.equal((await api.head(`/api/stacks/${org}/probe`, { token: null })).status, 401);
  });
});

describe('GET /api/stacks/{org}/{project}/{stack}', () => {
  it('answers 404 for a missing stack in Pulumi’s shape', async () => {
    const reply = await api.get(`/api/stacks/${org}/nothing/here`);
    assert.equal(reply.status, 404);
    assert.deepEqual(reply.body, { code: 404, message: `Not Found: stack '${org}/nothing/here' not found` });
  });

  it('shows the running update as currentOperation and never a config', async () => {
    await createStack(api, org, 'busy', 'dev');
    const hold = await holdStackWithRunningUpdate(server, org, 'busy', 'dev');
    const reply = await api.get(`/api/stacks/${org}/busy/dev`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.currentOperation.kind, 'update');
    assert.equal(reply.body.currentOperation.author, 'admin');
    assert.equal(typeof reply.body.currentOperation.started, 'number');
    assert.equal('config' in reply.body, false);
    await hold.release();
    assert.equal('currentOperation' in (await api.get(`/api/stacks/${org}/busy/dev`)).body, false);
  });

  it('answers 404 to a user outside the stack’s organization', async () => {
    await createStack(api, org, 'hidden', 'dev');
    const outsider = await createUser(server, 'outsider');
    const reply = await api.get(`/api/stacks/${org}/hidden/dev`, { token: outsider });
    assert.deepEqual(reply.body, { code: 404, message: `Not Found: organization '${org}' not found` });
  });

  it('answers 401 without a token', async () => {
    assert.equal((await api.get(`/api/stacks/${org}/p/dev`, { token: null })).status, 401);
  });
});

describe('DELETE /api/stacks/{org}/{project}/{stack}', () => {
  it('deletes an empty stack with 204', async () => {
    await createStack(api, org, 'del', 'empty');
    const reply = await api.delete(`/api/stacks/${org}/del/empty?force=false`);
    assert.equal(reply.status, 204);
    assert.equal(reply.text, '');
    assert.equal((await api.get(`/api/stacks/${org}/del/empty`)).status, 404);
  });

  it('refuses a stack with resources with the CLI’s exact message, and force deletes it', async () => {
    await createStack(api, org, 'del', 'full');
    await api.post(`/api/stacks/${org}/del/full/import`, deploymentWithResources('del', 'full', 3));
    const refused = await api.delete(`/api/stacks/${org}/del/full?force=false`);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, { code: 400, message: 'Bad Request: Stack still contains resources.' });
    assert.equal((await api.get(`/api/stacks/${org}/del/full/resources/count`)).body.resourceCount, 5);
    assert.equal((await api.delete(`/api/stacks/${org}/del/full?force=true`)).status, 204);
    assert.equal((await api.get(`/api/stacks/${org}/del/full`)).status, 404);
    // The name is free again, with nothing of the old stack left.
    await createStack(api, org, 'del', 'full');
    assert.deepEqual((await api.get(`/api/stacks/${org}/del/full/resources/count`)).body, { resourceCount: 0, version: 0 });
  });

  it('answers 409 while an update runs, even with force', async () => {
    await createStack(api, org, 'del', 'busy');
    const hold = await holdStackWithRunningUpdate(server, org, 'del', 'busy');
    const reply = await api.delete(`/api/stacks/${org}/del/busy?force=true`);
    assert.equal(reply.status, 409);
    assert.equal(reply.body.message, 'Conflict: Another update is currently in progress.');
    await hold.release();
    assert.equal((await api.delete(`/api/stacks/${org}/del/busy?force=true`)).status, 204);
  });

  it('answers 404 for a missing stack and 401 without a token', async () => {
    assert.equal((await api.delete(`/api/stacks/${org}/del/none`)).status, 404);
    assert.equal((await api.delete(`/api/stacks/${org}/del/none`, { token: null })).status, 401);
  });
});

describe('stack tags', () => {
  const path = () => `/api/stacks/${org}/tags/dev`;
  before(() => createStack(api, org, 'tags', 'dev', { 'pulumi:project': 'tags', 'pulumi:runtime': 'nodejs' }));

  it('POST adds a tag (204) and GET shows it beside the CLI’s tags', async () => {
    const reply = await api.post(`${path()}/tags`, { name: 'owner', value: 'platform' });
    assert.equal(reply.status, 204);
    assert.deepEqual((await api.get(path())).body.tags, { owner: 'platform', 'pulumi:project': 'tags', 'pulumi:runtime': 'nodejs' });
  });

  it('POST answers 400 for a tag that exists and for an invalid name or value', async () => {
    const exists = await api.post(`${path()}/tags`, { name: 'owner', value: 'other' });
    assert.deepEqual(exists.body, { code: 400, message: `Bad Request: tag 'owner' already exists on stack '${org}/tags/dev'` });
    const badName = await api.post(`${path()}/tags`, { name: 'x'.repeat(41), value: 'v' });
    assert.equal(badName.status, 400);
    assert.match(badName.body.message, /tag names must be 1 to 40 characters/);
    const badValue = await api.post(`${path()}/tags`, { name: 'long', value: 'v'.repeat(257) });
    assert.deepEqual(badValue.body, { code: 400, message: "Bad Request: invalid value for tag 'long': tag values are limited to 256 characters" });
    assert.equal((await api.get(path())).body.tags.owner, 'platform');
  });

  it('PATCH .../tags/{name} renames and revalues a tag; 404 for a missing one', async () => {
    assert.equal((await api.patch(`${path()}/tags/owner`, { name: 'team', value: 'infra' })).status, 204);
    const tags = (await api.get(path())).body.tags;
    assert.equal(tags.team, 'infra');
    assert.equal('owner' in tags, false);
    const missing = await api.patch(`${path()}/tags/nope`, { name: 'x', value: 'y' });
    assert.deepEqual(missing.body, { code: 404, message: `Not Found: tag 'nope' not found on stack '${org}/tags/dev'` });
  });

  it('DELETE removes a tag (204) and answers 404 for a missing one', async () => {
    assert.equal((await api.delete(`${path()}/tags/team`)).status, 204);
    assert.equal('team' in (await api.get(path())).body.tags, false);
    const again = await api.delete(`${path()}/tags/team`);
    assert.deepEqual(again.body, { code: 404, message: `Not Found: tag 'team' not found on stack '${org}/tags/dev'` });
  });

  it('PATCH .../tags replaces the whole set, as `pulumi stack tag set/rm` send it', async () => {
    const tags = { 'pulumi:project': 'tags', 'pulumi:runtime': 'nodejs', env: 'prod', 'cost:center': '42' };
    assert.equal((await api.patch(`${path()}/tags`, tags)).status, 204);
    assert.deepEqual((await api.get(path())).body.tags, tags);
    assert.equal((await api.patch(`${path()}/tags`, { 'pulumi:project': 'tags' })).status, 204);
    assert.deepEqual((await api.get(path())).body.tags, { 'pulumi:project': 'tags' });
  });

  it('PATCH .../tags answers 400 for an invalid tag or another project, changing nothing', async () => {
    const bad = await api.patch(`${path()}/tags`, { 'pulumi:project': 'tags', 'no spaces': 'x' });
    assert.equal(bad.status, 400);
    const moved = await api.patch(`${path()}/tags`, { 'pulumi:project': 'elsewhere' });
    assert.deepEqual(moved.body, { code: 400, message: "Bad Request: tag 'pulumi:project' must name the stack's project 'tags'" });
    const notStrings = await api.patch(`${path()}/tags`, { count: 3 });
    assert.equal(notStrings.status, 400);
    assert.deepEqual((await api.get(path())).body.tags, { 'pulumi:project': 'tags' });
  });

  it('tag calls answer 404 for a missing stack and 401 without a token', async () => {
    assert.equal((await api.post(`/api/stacks/${org}/tags/none/tags`, { name: 'a', value: 'b' })).status, 404);
    assert.equal((await api.patch(`/api/stacks/${org}/tags/none/tags`, {})).status, 404);
    assert.equal((await api.delete(`/api/stacks/${org}/tags/none/tags/a`)).status, 404);
    assert.equal((await api.post(`${path()}/tags`, { name: 'a', value: 'b' }, { token: null })).status, 401);
  });
});

describe('POST /api/stacks/{org}/{project}/{stack}/rename', () => {
  it('renames a stack without state, recording the rename as an update', async () => {
    await createStack(api, org, 'ren', 'old', { 'pulumi:project': 'ren' });
    const reply = await api.post(`/api/stacks/${org}/ren/old/rename`, { newName: 'new', newProject: 'ren' });
    assert.equal(reply.status, 200);
    assert.match(reply.body.updateId, uuid);
    assert.equal((await api.get(`/api/stacks/${org}/ren/old`)).status, 404);
    const renamed = await api.get(`/api/stacks/${org}/ren/new`);
    assert.equal(renamed.body.stackName, 'new');
    assert.equal(renamed.body.version, 0);
    assert.equal(renamed.body.activeUpdate, reply.body.updateId);
  });

  it('moves a stack to another project and rewrites its state’s URNs and secrets provider', async () => {
    const state = deploymentWithResources('ren', 'stateful', 2, {
      secrets_providers: { type: 'service', state: { url: server.url, owner: org, project: 'ren', stack: 'stateful' } },
    });
    await createStack(api, org, 'ren', 'stateful', { 'pulumi:project': 'ren' });
    await api.post(`/api/stacks/${org}/ren/stateful/import`, state);
    const reply = await api.post(`/api/stacks/${org}/ren/stateful/rename`, { newName: 'moved', newProject: 'ren2' });
    assert.equal(reply.status, 200);

    const stack = await api.get(`/api/stacks/${org}/ren2/moved`);
    assert.equal(stack.body.version, 2);
    assert.equal(stack.body.tags['pulumi:project'], 'ren2');
    const exported = (await api.get(`/api/stacks/${org}/ren2/moved/export`)).body;
    const expected = JSON.parse(JSON.stringify(state).replaceAll('urn:pulumi:stateful::ren::', 'urn:pulumi:moved::ren2::'));
    expected.deployment.secrets_providers.state = { url: server.url, owner: org, project: 'ren2', stack: 'moved' };
    assert.deepEqual(exported, expected);
    // The version before the rename still holds what was imported.
    assert.deepEqual((await api.get(`/api/stacks/${org}/ren2/moved/export/1`)).body, state);
  });

  it('answers 409 when the new name is taken, and 400 for no change or an invalid name', async () => {
    await createStack(api, org, 'ren', 'a');
    await createStack(api, org, 'ren', 'b');
    const taken = await api.post(`/api/stacks/${org}/ren/a/rename`, { newName: 'b', newProject: 'ren' });
    assert.deepEqual(taken.body, { code: 409, message: `Conflict: stack '${org}/ren/b' already exists` });
    const same = await api.post(`/api/stacks/${org}/ren/a/rename`, { newName: 'a', newProject: 'ren' });
    assert.equal(same.status, 400);
    assert.match(same.body.message, /no rename to apply/);
    const invalid = await api.post(`/api/stacks/${org}/ren/a/rename`, { newName: 'a b', newProject: '' });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.message, /invalid stack name 'a b'/);
    assert.equal((await api.get(`/api/stacks/${org}/ren/a`)).status, 200);
  });

  it('answers 409 while an update runs, 404 for a missing stack and 401 without a token', async () => {
    await createStack(api, org, 'ren', 'busy');
    const hold = await holdStackWithRunningUpdate(server, org, 'ren', 'busy');
    assert.equal((await api.post(`/api/stacks/${org}/ren/busy/rename`, { newName: 'x', newProject: '' })).status, 409);
    await hold.release();
    assert.equal((await api.post(`/api/stacks/${org}/ren/none/rename`, { newName: 'x', newProject: '' })).status, 404);
    assert.equal((await api.post(`/api/stacks/${org}/ren/busy/rename`, { newName: 'x' }, { token: null })).status, 401);
  });
});

describe('POST /api/stacks/{org}/{project}/{stack}/transfer', () => {
  before(async () => {
    await createOrganization(server, 'receiving-org', 'admin');
  });

  it('moves the stack to another organization (204) and points its secrets provider there', async () => {
    const state = deploymentWithResources('xfer', 'dev', 1, {
      secrets_providers: { type: 'service', state: { url: server.url, owner: org, project: 'xfer', stack: 'dev' } },
    });
    await createStack(api, org, 'xfer', 'dev');
    await api.post(`/api/stacks/${org}/xfer/dev/import`, state);
    const reply = await api.post(`/api/stacks/${org}/xfer/dev/transfer`, { toOrg: 'receiving-org' });
    assert.equal(reply.status, 204);
    assert.equal((await api.get(`/api/stacks/${org}/xfer/dev`)).status, 404);
    const moved = await api.get('/api/stacks/receiving-org/xfer/dev');
    assert.equal(moved.body.orgName, 'receiving-org');
    const exported = (await api.get('/api/stacks/receiving-org/xfer/dev/export')).body;
    assert.deepEqual(exported.deployment.secrets_providers.state, { url: server.url, owner: 'receiving-org', project: 'xfer', stack: 'dev' });
    assert.deepEqual(exported.deployment.resources, state.deployment.resources);
  });

  it('answers 409 when the name is taken there or an update runs', async () => {
    await createStack(api, org, 'xfer2', 'dev');
    await createStack(api, 'receiving-org', 'xfer2', 'dev');
    const taken = await api.post(`/api/stacks/${org}/xfer2/dev/transfer`, { toOrg: 'receiving-org' });
    assert.deepEqual(taken.body, { code: 409, message: "Conflict: stack 'receiving-org/xfer2/dev' already exists" });
    await createStack(api, org, 'xfer3', 'dev');
    const hold = await holdStackWithRunningUpdate(server, org, 'xfer3', 'dev');
    assert.equal((await api.post(`/api/stacks/${org}/xfer3/dev/transfer`, { toOrg: 'receiving-org' })).status, 409);
    await hold.release();
  });

  it('needs admin on the stack and membership in the target', async () => {
    const member = await createUser(server, 'xfer-member', { org, role: 'member' });
    await createStack(api, org, 'xfer4', 'dev');
    const forbidden = await api.post(`/api/stacks/${org}/xfer4/dev/transfer`, { toOrg: 'receiving-org' }, { token: member });
    assert.deepEqual(forbidden.body, { code: 403, message: `Forbidden: admin permission on stack '${org}/xfer4/dev' is required` });
    const unknown = await api.post(`/api/stacks/${org}/xfer4/dev/transfer`, { toOrg: 'nowhere-org' });
    assert.deepEqual(unknown.body, { code: 404, message: "Not Found: organization 'nowhere-org' not found" });
    const same = await api.post(`/api/stacks/${org}/xfer4/dev/transfer`, { toOrg: org });
    assert.equal(same.status, 400);
    assert.equal((await api.post(`/api/stacks/${org}/xfer4/dev/transfer`, {})).status, 400);
    assert.equal((await api.post(`/api/stacks/${org}/xfer4/dev/transfer`, { toOrg: 'receiving-org' }, { token: null })).status, 401);
    assert.equal((await api.get(`/api/stacks/${org}/xfer4/dev`)).status, 200);
  });
});
