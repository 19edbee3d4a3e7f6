import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../helpers/http.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Environment webhooks (issue 16, with issue 15's environments): the events of environments,
// revisions, revision tags, tags and imports, to organization and environment hooks.

let server: TestServer;
let api: ApiClient;
let receiver: Receiver;
let org: string;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await server.close();
});

const envs = () => `/api/esc/environments/${org}`;
const to = (label: string) => (r: { path: string }) => r.path === `/hook/${label}`;
const summary = (r: { headers: Record<string, unknown>; json: any }) => {
  const { user: _user, organization: _org, projectName: _p, environmentName: _e, ...rest } = r.json;
  return [r.headers['pulumi-webhook-kind'], rest];
};

async function define(project: string, name: string, yaml: string): Promise<void> {
  const created = await api.post(envs(), { project, name });
  assert.equal(created.status, 200, created.text);
  const updated = await api.request('PATCH', `${envs()}/${project}/${name}`, { rawBody: yaml });
  assert.equal(updated.status, 200, updated.text);
}

async function hook(path: string, name: string, extra: Record<string, unknown> = {}) {
  const created = await api.post(path, { organizationName: org, name, displayName: name, payloadUrl: `${receiver.url}/${name}`, active: true, ...extra });
  assert.equal(created.status, 201, created.text);
  return created.body;
}

describe('environment events', () => {
  it('an organization hook on the environments group hears of every change, with the documented payloads', async () => {
    await hook(`/api/orgs/${org}/hooks`, 'org-envs', { groups: ['environments'] });
    await define('proj', 'life', 'values:\n  a: 1\n');
    const path = `${envs()}/proj/life`;
    assert.equal((await api.post(`${path}/versions/tags`, { name: 'stable', revision: 2 })).status, 204);
    assert.equal((await api.patch(`${path}/versions/tags/stable`, { revision: 1 })).status, 204);
    assert.equal((await api.delete(`${path}/versions/tags/stable`)).status, 204);
    assert.equal((await api.post(`${path}/tags`, { name: 'team', value: 'core' })).status, 200);
    assert.equal((await api.patch(`${path}/tags/team`, { currentTag: { value: 'core' }, newTag: { value: 'platform' } })).status, 200);
    assert.equal((await api.delete(`${path}/tags/team`)).status, 204);
    await api.request('PATCH', path, { rawBody: 'values:\n  a: 2\n' });
    assert.equal((await api.post(`${path}/versions/2/retract`, {})).status, 204);
    assert.equal((await api.delete(path)).status, 204);
    const got = await receiver.waitFor(11, to('org-envs'));
    assert.deepEqual(got.map(summary), [
      ['environment', { action: 'created' }],
      ['environment_revision', { action: 'created', revision: 2 }],
      ['environment_revision_tag', { action: 'created', tagName: 'stable', revision: 2 }],
      ['environment_revision_tag', { action: 'updated', tagName: 'stable', revision: 1 }],
      ['environment_revision_tag', { action: 'deleted', tagName: 'stable', revision: 1 }],
      ['environment_tag', { tagName: 'team', action: 'created' }],
      ['environment_tag', { tagName: 'team', action: 'updated' }],
      ['environment_tag', { tagName: 'team', action: 'deleted' }],
      ['environment_revision', { action: 'created', revision: 3 }],
      ['environment_revision', { action: 'retracted', revision: 2 }],
      ['environment', { action: 'deleted' }],
    ]);
    assert.deepEqual([got[0]!.json.projectName, got[0]!.json.environmentName, got[0]!.json.organization.githubLogin, got[0]!.json.user.githubLogin], ['proj', 'life', org, 'admin']);
    await api.delete(`/api/orgs/${org}/hooks/org-envs`);
  });

  it('an environment hook hears of its own environment only, and not of organization-only events', async () => {
    await define('proj', 'watched', 'values:\n  a: 1\n');
    await define('proj', 'unwatched', 'values:\n  a: 1\n');
    await hook(`${envs()}/proj/watched/hooks`, 'env-own', { projectName: 'proj', envName: 'watched' });
    await api.request('PATCH', `${envs()}/proj/unwatched`, { rawBody: 'values:\n  a: 2\n' });
    await api.request('PATCH', `${envs()}/proj/watched`, { rawBody: 'values:\n  a: 2\n' });
    const [only] = await receiver.waitFor(1, to('env-own'));
    assert.deepEqual(summary(only!), ['environment_revision', { action: 'created', revision: 3 }]);
    assert.equal(only!.json.environmentName, 'watched');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(receiver.received.filter(to('env-own')).length, 1);
  });

  it('changing an imported environment tells the hooks of the environments that import it unpinned', async () => {
    await define('proj', 'base', 'values:\n  region: us-east-1\n');
    await define('proj', 'app', 'imports:\n  - proj/base\nvalues:\n  name: app\n');
    await define('proj', 'pinned', 'imports:\n  - proj/base@2\nvalues:\n  name: pinned\n');
    await hook(`${envs()}/proj/app/hooks`, 'app-imports', { filters: ['imported_environment_changed'] });
    await hook(`${envs()}/proj/pinned/hooks`, 'pinned-imports', { filters: ['imported_environment_changed'] });
    await api.request('PATCH', `${envs()}/proj/base`, { rawBody: 'values:\n  region: eu-west-1\n' });
    const [changed] = await receiver.waitFor(1, to('app-imports'));
    assert.equal(changed!.headers['pulumi-webhook-kind'], 'imported_environment_changed');
    assert.deepEqual(summary(changed!), [
      'imported_environment_changed',
      { affectedRevisions: [2], importedEnvironmentReference: { projectName: 'proj', environmentName: 'base', revision: 3 } },
    ]);
    assert.equal(changed!.json.environmentName, 'app');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(receiver.received.filter(to('pinned-imports')).length, 0, 'a pinned import does not change');
  });

  it('a rotation tells hooks that name the rotation filters (in no group)', async () => {
    await define('proj', 'rotating', 'values:\n  a: 1\n');
    await hook(`${envs()}/proj/rotating/hooks`, 'rotations', { filters: ['environment_rotation_succeeded', 'environment_rotation_failed'] });
    await hook(`${envs()}/proj/rotating/hooks`, 'rotation-group', { groups: ['environments'] });
    const rotated = await api.post(`${envs()}/proj/rotating/rotate`, {});
    assert.equal(rotated.status, 200, rotated.text);
    const [event] = await receiver.waitFor(1, to('rotations'));
    assert.deepEqual(summary(event!), ['environment_rotation', { revision: 2, status: 'succeeded' }]);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(receiver.received.filter(to('rotation-group')).length, 0);
  });

  it('environment hooks refuse stack and organization-only subscriptions; an environment takes its hooks with it when deleted', async () => {
    await define('proj', 'strict', 'values: {}\n');
    const hooks = `${envs()}/proj/strict/hooks`;
    const base = { organizationName: org, displayName: 'x', payloadUrl: 'https://example.com', active: true };
    const group = await api.post(hooks, { ...base, groups: ['stacks'] });
    assert.equal(group.status, 400);
    assert.match(group.body.message, /unknown webhook group 'stacks' for environment webhooks/);
    const orgOnly = await api.post(hooks, { ...base, filters: ['environment_created'] });
    assert.equal(orgOnly.status, 400);
    assert.match(orgOnly.body.message, /organization webhooks only/);
    const mismatch = await api.post(hooks, { ...base, envName: 'other' });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.message, /Environment name from request body doesn't match URL/);
    const created = await hook(hooks, 'strict-hook', { format: 'pulumi_deployments', payloadUrl: 'proj/downstream' });
    assert.deepEqual([created.projectName, created.envName, created.format], ['proj', 'strict', 'pulumi_deployments']);
    // The older two-part path is the project `default`'s.
    await define('default', 'legacy', 'values: {}\n');
    await hook(`/api/preview/environments/${org}/legacy/hooks`, 'legacy-hook');
    assert.equal((await api.get(`${envs()}/default/legacy/hooks/legacy-hook`)).body.envName, 'legacy');
    assert.equal((await api.delete(`${envs()}/proj/strict`)).status, 204);
    const left = await server.server.ctx.database.db.selectFrom('webhooks').select('name').where('name', '=', 'strict-hook').execute();
    assert.deepEqual(left, []);
    await define('proj', 'strict', 'values: {}\n');
    assert.deepEqual((await api.get(hooks)).body, []);
  });
});
