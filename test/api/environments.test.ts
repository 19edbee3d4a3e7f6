import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { createOrganization, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startReplica, startTestServer, type TestServer } from '../helpers/server.js';
import { open as openSealed, seal } from '../../src/crypto/aead.js';
import { loadMasterKey } from '../../src/crypto/master-key.js';

let server: TestServer;
let api: ApiClient;
let org: string;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
});
after(() => server.close());

const base = () => `/api/esc/environments/${org}`;

async function createEnvironment(project: string, name: string, yaml?: string): Promise<void> {
  const created = await api.post(base(), { project, name });
  assert.equal(created.status, 200, created.text);
  if (yaml !== undefined) {
    const updated = await patchYaml(`${base()}/${project}/${name}`, yaml);
    assert.equal(updated.status, 200, updated.text);
  }
}

/** A definition sent as the ESC client sends it: raw YAML labelled application/json. */
function patchYaml(path: string, yaml: string, headers: Record<string, string> = {}, client = api) {
  return client.request('PATCH', path, { rawBody: yaml, headers: { 'Content-Type': 'application/json', ...headers } });
}

describe('creating and reading environments', () => {
  it('creates an empty first revision; the first change is revision 2; reads carry ETag and Pulumi-ESC-Revision', async () => {
    await createEnvironment('app', 'dev');
    const empty = await api.get(`${base()}/app/dev`);
    assert.equal(empty.status, 200);
    assert.equal(empty.text, '');
    assert.equal(empty.headers.get('pulumi-esc-revision'), '1');
    const etag = empty.headers.get('etag')!;
    assert.ok(etag.length > 0);

    const yaml = 'values:\n  greeting: hello\n  # a comment survives\n  password:\n    fn::secret: hunter2\n';
    const updated = await patchYaml(`${base()}/app/dev`, yaml, { ETag: etag });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.headers.get('pulumi-esc-revision'), '2');

    const read = await api.get(`${base()}/app/dev`);
    assert.equal(read.headers.get('content-type'), 'application/x-yaml');
    assert.equal(read.headers.get('pulumi-esc-revision'), '2');
    assert.notEqual(read.headers.get('etag'), etag);
    assert.match(read.text, /# a comment survives/);
    assert.doesNotMatch(read.text, /hunter2/, 'the stored definition holds no plaintext secret');
    assert.match(read.text, /fn::secret:\n\s+ciphertext: [A-Za-z0-9+/=]+/);

    const decrypted = await api.get(`${base()}/app/dev/decrypt`);
    assert.equal(decrypted.status, 200);
    assert.equal(decrypted.text, yaml);
    assert.equal(decrypted.headers.get('pulumi-esc-revision'), '2');
  });

  it('refuses a stale ETag with 409 and keeps the latest revision', async () => {
    await createEnvironment('app', 'stale', 'values:\n  a: 1\n');
    const first = await api.get(`${base()}/app/stale`);
    await patchYaml(`${base()}/app/stale`, 'values:\n  a: 2\n', { ETag: first.headers.get('etag')! });
    const stale = await patchYaml(`${base()}/app/stale`, 'values:\n  a: 3\n', { ETag: first.headers.get('etag')! });
    assert.equal(stale.status, 409);
    assert.match(stale.body.message, /has changed since it was read/);
    const read = await api.get(`${base()}/app/stale`);
    assert.equal(read.text, 'values:\n  a: 2\n');
    assert.equal(read.headers.get('pulumi-esc-revision'), '3');
  });

  it('refuses a definition with errors with 400 and ESC’s diagnostics, storing nothing', async () => {
    await createEnvironment('app', 'broken');
    const reply = await patchYaml(`${base()}/app/broken`, 'values:\n  a: ${missing}\n');
    assert.equal(reply.status, 400);
    assert.equal(reply.body.code, 400);
    assert.deepEqual(reply.body.diagnostics.map((d: { summary: string }) => d.summary), ['unknown property "missing"']);
    assert.equal(reply.body.diagnostics[0].range.environment, 'app/broken');
    const bad = await patchYaml(`${base()}/app/broken`, 'values: [unclosed\n');
    assert.equal(bad.status, 400);
    assert.ok(bad.body.diagnostics.length > 0);
    assert.equal((await api.get(`${base()}/app/broken`)).headers.get('pulumi-esc-revision'), '1');
  });

  it('takes YAML labelled application/x-yaml or text/plain too', async () => {
    await createEnvironment('app', 'types');
    const yaml = await api.request('PATCH', `${base()}/app/types`, { rawBody: 'values:\n  x: 1\n', headers: { 'Content-Type': 'application/x-yaml' } });
    assert.equal(yaml.status, 200, yaml.text);
    const text = await api.request('PATCH', `${base()}/app/types`, { rawBody: 'values:\n  x: 2\n', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(text.status, 200, text.text);
    assert.equal((await api.get(`${base()}/app/types`)).text, 'values:\n  x: 2\n');
  });

  it('answers 409 for an environment that exists, 400 for a bad name, 404 for one that does not', async () => {
    await createEnvironment('app', 'twice');
    const again = await api.post(base(), { project: 'app', name: 'twice' });
    assert.deepEqual(again.body, { code: 409, message: `Conflict: environment '${org}/app/twice' already exists` });
    const bad = await api.post(base(), { project: 'app', name: 'no spaces' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /environment name 'no spaces'/);
    const missing = await api.get(`${base()}/app/nope`);
    assert.deepEqual(missing.body, { code: 404, message: `Not Found: environment '${org}/app/nope' not found` });
  });

  it('lists the environments of an organization and of the user', async () => {
    await createEnvironment('listed', 'one');
    const listed = await api.get(base());
    assert.equal(listed.status, 200);
    const names = listed.body.environments.map((e: { project: string; name: string }) => `${e.project}/${e.name}`);
    assert.ok(names.includes('listed/one'));
    assert.ok(listed.body.environments.every((e: { organization: string }) => e.organization === org));
    for (const token of [Buffer.from('["a","b\\u0000","c"]').toString('base64url'), Buffer.from('["a"]').toString('base64url'), '%25%25']) {
      const bad = await api.get(`${base()}?continuationToken=${token}`);
      assert.deepEqual(bad.body, { code: 400, message: 'Bad Request: invalid continuation token' });
    }
    const all = await api.get('/api/esc/environments');
    assert.deepEqual(all.body.environments.map((e: { name: string }) => e.name), listed.body.environments.map((e: { name: string }) => e.name));
  });

  it('deletes an environment and its revisions', async () => {
    await createEnvironment('app', 'gone', 'values:\n  a: 1\n');
    assert.equal((await api.delete(`${base()}/app/gone`)).status, 204);
    assert.equal((await api.get(`${base()}/app/gone`)).status, 404);
    await createEnvironment('app', 'gone');
    assert.equal((await api.get(`${base()}/app/gone`)).headers.get('pulumi-esc-revision'), '1');
  });

  it('answers at the older /api/preview/environments/{org}/{env} for environments of project `default`', async () => {
    assert.equal((await api.post(`/api/preview/environments/${org}/legacy`)).status, 200);
    const patched = await patchYaml(`/api/preview/environments/${org}/legacy`, 'values:\n  a: 1\n');
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await api.get(`${base()}/default/legacy`)).text, 'values:\n  a: 1\n');
    const read = await api.get(`/api/preview/environments/${org}/legacy`);
    assert.deepEqual([read.text, read.headers.get('pulumi-esc-revision')], ['values:\n  a: 1\n', '2']);
    assert.equal((await api.post(`/api/preview/environments/${org}/legacy/versions/tags/stable`, { revision: 2 })).status, 204);
    assert.equal((await api.get(`${base()}/default/legacy/versions/tags/stable`)).body.revision, 2);
  });
});

describe('opening environments', () => {
  it('opens with imports merged, secrets revealed and context values, and reads one property', async () => {
    await createEnvironment('shared', 'base', 'values:\n  region: us-west-2\n  token:\n    fn::secret: s3cret\n');
    await createEnvironment('app', 'opened', 'imports:\n  - shared/base\nvalues:\n  who: ${context.pulumi.user.login}\n  url: https://${region}.example.com\n  pulumiConfig:\n    app:token: ${token}\n');
    const opened = await api.post(`${base()}/app/opened/open?duration=1h0m0s`);
    assert.equal(opened.status, 200, opened.text);
    assert.match(opened.body.id, /^[0-9a-f-]{36}$/);
    const session = await api.get(`${base()}/app/opened/open/${opened.body.id}`);
    assert.equal(session.status, 200);
    const props = session.body.properties;
    assert.equal(props.region.value, 'us-west-2');
    assert.equal(props.url.value, 'https://us-west-2.example.com');
    assert.equal(props.who.value, (await api.get('/api/user')).body.githubLogin);
    assert.deepEqual([props.token.value, props.token.secret], ['s3cret', true]);
    assert.deepEqual([props.pulumiConfig.value['app:token'].value, props.pulumiConfig.value['app:token'].secret], ['s3cret', true]);
    const one = await api.get(`${base()}/app/opened/open/${opened.body.id}?property=${encodeURIComponent('pulumiConfig["app:token"]')}`);
    assert.deepEqual([one.body.value, one.body.secret], ['s3cret', true]);
    const none = await api.get(`${base()}/app/opened/open/${opened.body.id}?property=nope`);
    assert.equal(none.status, 404);
  });

  it('answers 400 with diagnostics for a missing import, an unconfigured provider and a bad duration', async () => {
    await createEnvironment('app', 'imports-missing', 'values:\n  a: 1\n');
    const missingImport = await api.post(`${base()}/yaml/check`, undefined, { rawBody: 'imports:\n  - app/nowhere\n' });
    assert.equal(missingImport.status, 400);
    assert.match(missingImport.body.diagnostics[0].summary, /app\/nowhere/);
    await createEnvironment('app', 'aws', 'values:\n  a: 1\n');
    const provider = await patchYaml(`${base()}/app/aws`, 'values:\n  creds:\n    fn::open::aws-login:\n      oidc:\n        roleArn: x\n        sessionName: y\n');
    assert.equal(provider.status, 400);
    assert.match(provider.body.diagnostics[0].summary, /provider 'aws-login' is not configured on this server/);
    const duration = await api.post(`${base()}/app/aws/open?duration=forever`);
    assert.deepEqual(duration.body, { code: 400, message: "Bad Request: duration 'forever' is not a duration such as '2h0m0s'" });
  });

  it('checks and opens anonymous definitions (`yaml/check`, `yaml/open`), as stack config imports them', async () => {
    await createEnvironment('proj', 'stackenv', 'values:\n  pulumiConfig:\n    proj:greeting: hi\n  environmentVariables:\n    GREETING: hi\n');
    const check = await api.post(`${base()}/yaml/check?showSecrets=false`, undefined, { rawBody: '{"imports":["proj/stackenv"]}' });
    assert.equal(check.status, 200, check.text);
    assert.equal(check.body.properties.pulumiConfig.value['proj:greeting'].value, 'hi');
    const opened = await api.post(`${base()}/yaml/open?duration=2h0m0s`, undefined, { rawBody: '{"imports":["proj/stackenv"]}' });
    assert.equal(opened.status, 200, opened.text);
    const session = await api.get(`${base()}/yaml/open/${opened.body.id}`);
    assert.equal(session.body.properties.environmentVariables.value.GREETING.value, 'hi');
    // Overrides replace an import by another environment.
    await createEnvironment('proj', 'other', 'values:\n  environmentVariables:\n    GREETING: bye\n');
    const overrides = Buffer.from(JSON.stringify({ 'proj/stackenv': 'proj/other' })).toString('base64url');
    const overridden = await api.post(`${base()}/yaml/open?duration=2h0m0s&environmentOverrides=${overrides}`, undefined, { rawBody: '{"imports":["proj/stackenv"]}' });
    const overriddenSession = await api.get(`${base()}/yaml/open/${overridden.body.id}`);
    assert.equal(overriddenSession.body.properties.environmentVariables.value.GREETING.value, 'bye');
  });

  it('expires open sessions', async () => {
    await createEnvironment('app', 'brief', 'values:\n  a: 1\n');
    const opened = await api.post(`${base()}/app/brief/open?duration=1ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const session = await api.get(`${base()}/app/brief/open/${opened.body.id}`);
    assert.equal(session.status, 404);
    // Its revealed values are deleted by the job enqueued for its expiry.
    await server.server.ctx.jobs.drain();
    const db = server.server.ctx.database.db;
    const rows = await db.selectFrom('environment_open_sessions').select('id').where('id', '=', opened.body.id).execute();
    assert.deepEqual(rows, []);
  });

  it('audits opens, decrypts and changes', async () => {
    const mark = await auditMark(server);
    await createEnvironment('audited', 'env', 'values:\n  a: 1\n');
    await api.post(`${base()}/audited/env/open`);
    await api.get(`${base()}/audited/env/decrypt`);
    const events = await auditAfter(server, org, mark);
    assert.deepEqual(events.map((e) => e.event), ['environment-created', 'environment-updated', 'environment-opened', 'environment-decrypted']);
  });

  it('audits anonymous opens (stack configuration imports) with the environments they import', async () => {
    await createEnvironment('audited', 'imported', 'values:\n  a: 1\n');
    const mark = await auditMark(server);
    const opened = await api.post(`${base()}/yaml/open`, undefined, { rawBody: '{"imports":["audited/imported"]}' });
    assert.equal(opened.status, 200, opened.text);
    const events = await auditAfter(server, org, mark);
    assert.deepEqual(events.map((e) => [e.event, e.description]), [['environment-opened', 'Opened an anonymous environment importing "audited/imported"']]);
  });
});

describe('opening an environment again', () => {
  /** `POST …/open`, then the session's JSON text as `GET …/open/{id}` answers it. */
  async function openText(project: string, name: string, client = api, version?: string): Promise<string> {
    const path = version ? `${base()}/${project}/${name}/versions/${version}` : `${base()}/${project}/${name}`;
    const opened = await client.post(`${path}/open`);
    assert.equal(opened.status, 200, opened.text);
    const session = await client.get(`${base()}/${project}/${name}/open/${opened.body.id}`);
    assert.equal(session.status, 200, session.text);
    return session.text;
  }
  const valueIn = (text: string, key: string) => JSON.parse(text).properties[key]?.value;

  it('answers the same text again, and shows at once a new revision of an import, of the environment, or a moved revision tag', async () => {
    await createEnvironment('again', 'base', 'values:\n  region: us-west-2\n');
    await createEnvironment('again', 'pinned', 'values:\n  tier: gold\n');
    assert.equal((await api.post(`${base()}/again/pinned/versions/tags`, { name: 'stable', revision: 2 })).status, 204);
    await createEnvironment('again', 'root', 'imports:\n  - again/base\n  - again/pinned@stable\nvalues:\n  url: https://${region}.example.com\n');
    const first = await openText('again', 'root');
    assert.equal(await openText('again', 'root'), first, 'an unchanged environment opens to the same JSON');
    assert.deepEqual([valueIn(first, 'url'), valueIn(first, 'tier')], ['https://us-west-2.example.com', 'gold']);

    await patchYaml(`${base()}/again/base`, 'values:\n  region: eu-north-1\n');
    assert.equal(valueIn(await openText('again', 'root'), 'url'), 'https://eu-north-1.example.com', 'a new revision of an import');

    await patchYaml(`${base()}/again/pinned`, 'values:\n  tier: platinum\n');
    assert.equal(valueIn(await openText('again', 'root'), 'tier'), 'gold', 'the tag still names revision 2');
    assert.equal((await api.patch(`${base()}/again/pinned/versions/tags/stable`, { revision: 3 })).status, 204);
    assert.equal(valueIn(await openText('again', 'root'), 'tier'), 'platinum', 'the tag moved to revision 3');

    await patchYaml(`${base()}/again/root`, 'imports:\n  - again/base\nvalues:\n  url: http://${region}.example.org\n');
    const changed = await openText('again', 'root');
    assert.deepEqual([valueIn(changed, 'url'), valueIn(changed, 'tier')], ['http://eu-north-1.example.org', undefined], 'a new revision of the environment');
    assert.equal(valueIn(await openText('again', 'root', api, '2'), 'tier'), 'platinum', 'an older revision opens as it reads');
  });

  it('opens a deleted and recreated import as it is now: another environment with another key', async () => {
    await createEnvironment('again', 'keyed', 'values:\n  password:\n    fn::secret: first\n');
    await createEnvironment('again', 'uses-keyed', 'imports:\n  - again/keyed\n');
    assert.equal(valueIn(await openText('again', 'uses-keyed'), 'password'), 'first');
    assert.equal((await api.delete(`${base()}/again/keyed`)).status, 204);
    const gone = await api.post(`${base()}/again/uses-keyed/open`);
    assert.equal(gone.status, 400);
    assert.match(gone.body.diagnostics[0].summary, /environment "again\/keyed" not found/);
    // The same name and revision number as before, with a secret sealed by a new key.
    await createEnvironment('again', 'keyed', 'values:\n  password:\n    fn::secret: second\n');
    assert.equal(valueIn(await openText('again', 'uses-keyed'), 'password'), 'second');
  });

  it('gives each caller their own context, and stops importing what the caller may no longer read', async () => {
    await createEnvironment('again', 'who', 'values:\n  who: ${context.pulumi.user.login}\n');
    const member = new ApiClient(server.url, await createUser(server, 'again-member', { org, role: 'member' }));
    assert.equal(valueIn(await openText('again', 'who'), 'who'), (await api.get('/api/user')).body.githubLogin);
    assert.equal(valueIn(await openText('again', 'who', member), 'who'), 'again-member');

    await createEnvironment('again', 'guarded', 'values:\n  key: k1\n');
    await createEnvironment('again', 'team-root', 'imports:\n  - again/guarded\nvalues:\n  mine: ${key}\n');
    assert.equal((await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'againteam', displayName: 'againteam', description: '' })).status, 201);
    const team = new ApiClient(server.url, (await api.post(`/api/orgs/${org}/teams/againteam/tokens`, { name: 'againteam-token', description: '' })).body.tokenValue);
    const grant = (change: Record<string, unknown>) => api.patch(`/api/orgs/${org}/teams/againteam`, change);
    assert.equal((await grant({ addEnvironmentPermission: { projectName: 'again', envName: 'team-root', permission: 'open' } })).status, 204);
    assert.equal((await grant({ addEnvironmentPermission: { projectName: 'again', envName: 'guarded', permission: 'read' } })).status, 204);
    assert.equal(valueIn(await openText('again', 'team-root', team), 'mine'), 'k1');
    assert.equal((await grant({ removeEnvironment: { projectName: 'again', envName: 'guarded' } })).status, 204);
    const refused = await team.post(`${base()}/again/team-root/open`);
    assert.equal(refused.status, 400, 'the import is no longer readable by the team');
    assert.match(refused.body.diagnostics[0].summary, /environment "again\/guarded" not found/);
    assert.equal(valueIn(await openText('again', 'team-root'), 'mine'), 'k1', 'the admin still reads it');
  });

  it('invokes providers on every open: fn::open::pulumi-stacks sees the stack’s new outputs', async () => {
    await api.post(`/api/stacks/${org}/againvpc`, { stackName: 'dev' });
    const deploy = async (vpcId: string) => {
      const urn = 'urn:pulumi:dev::againvpc::pulumi:pulumi:Stack::againvpc-dev';
      const deployment = {
        version: 3,
        deployment: { manifest: { time: '2026-12-01T00:00:00Z', magic: '', version: '' }, resources: [{ urn, custom: false, type: 'pulumi:pulumi:Stack', outputs: { vpcId } }] },
      };
      assert.equal((await api.post(`/api/stacks/${org}/againvpc/dev/import`, deployment)).status, 200);
    };
    await deploy('vpc-1');
    await createEnvironment('again', 'stackref', 'values:\n  infra:\n    fn::open::pulumi-stacks:\n      stacks:\n        vpc:\n          stack: againvpc/dev\n  vpcId: ${infra.vpc.vpcId}\n');
    assert.equal(valueIn(await openText('again', 'stackref'), 'vpcId'), 'vpc-1');
    await deploy('vpc-2');
    assert.equal(valueIn(await openText('again', 'stackref'), 'vpcId'), 'vpc-2');
  });

  it('answers a session of an environment deleted since with 404, whatever the server remembers of it', async () => {
    await createEnvironment('again', 'brief', 'values:\n  a: 1\n');
    const opened = await api.post(`${base()}/again/brief/open`);
    assert.equal((await api.get(`${base()}/again/brief/open/${opened.body.id}`)).status, 200);
    assert.equal((await api.delete(`${base()}/again/brief`)).status, 204);
    await createEnvironment('again', 'brief', 'values:\n  a: 1\n');
    assert.equal((await api.get(`${base()}/again/brief/open/${opened.body.id}`)).status, 404);
  });

  it('agrees with another server process on the same database: sessions read there, changes made here', async () => {
    await createEnvironment('again', 'shared-base', 'values:\n  region: us-east-1\n');
    await createEnvironment('again', 'replicated', 'imports:\n  - again/shared-base\nvalues:\n  url: https://${region}.example.com\n');
    const replica = await startReplica(server);
    try {
      const there = new ApiClient(replica.url, server.adminToken);
      const opened = await api.post(`${base()}/again/replicated/open`);
      const here = await api.get(`${base()}/again/replicated/open/${opened.body.id}`);
      const read = await there.get(`${base()}/again/replicated/open/${opened.body.id}`);
      assert.deepEqual([read.status, read.headers.get('content-type'), read.text], [200, 'application/json; charset=utf-8', here.text]);
      assert.equal(valueIn(await openText('again', 'replicated', there), 'url'), 'https://us-east-1.example.com');
      await patchYaml(`${base()}/again/shared-base`, 'values:\n  region: ap-south-1\n');
      assert.equal(valueIn(await openText('again', 'replicated', there), 'url'), 'https://ap-south-1.example.com');

      // A session stored before sessions were compressed holds the JSON text itself, and reads as stored.
      const db = server.server.ctx.database.db;
      const env = await db.selectFrom('environments').select('id').where('project', '=', 'again').where('name', '=', 'replicated').executeTakeFirstOrThrow();
      const wrapped = await db.selectFrom('environment_keys').select('wrapped_key').where('owner_id', '=', env.id).executeTakeFirstOrThrow();
      const key = openSealed(loadMasterKey(server.server.ctx.config.masterKey), Buffer.from(wrapped.wrapped_key), `environment-key:${env.id}`)!;
      const older = await api.post(`${base()}/again/replicated/open`);
      const olderText = '{"properties":{"url":{"value":"as stored before"}}}';
      await db.updateTable('environment_open_sessions').set({ sealed: seal(key, Buffer.from(olderText), `esc-session:${older.body.id}`) }).where('id', '=', older.body.id).execute();
      assert.equal((await there.get(`${base()}/again/replicated/open/${older.body.id}`)).text, olderText);
      assert.equal((await there.get(`${base()}/again/replicated/open/${older.body.id}?property=url`)).body.value, 'as stored before');
    } finally {
      await replica.close();
    }
  });
});

describe('imports across permission boundaries', () => {
  it('does not import an environment of another organization, nor show it', async () => {
    await createOrganization(server, 'env-other');
    const otherAdmin = new ApiClient(server.url, await createUser(server, 'env-other-admin', { org: 'env-other', role: 'admin' }));
    assert.equal((await otherAdmin.post('/api/esc/environments/env-other', { project: 'p', name: 'secret' })).status, 200);
    const check = await api.post(`${base()}/yaml/check`, undefined, { rawBody: 'imports:\n  - p/secret\n' });
    assert.equal(check.status, 400);
    assert.equal((await api.get('/api/esc/environments/env-other/p/secret')).status, 404);
    const outsider = await otherAdmin.get(`${base()}/app/dev`);
    assert.equal(outsider.status, 404);
  });
});

describe('revisions and tags', () => {
  it('lists revisions newest first with tags, reads old ones, and tags revisions', async () => {
    await createEnvironment('rev', 'env', 'values:\n  v: 2\n');
    await patchYaml(`${base()}/rev/env`, 'values:\n  v: 3\n');
    const revisions = await api.get(`${base()}/rev/env/versions`);
    assert.deepEqual(revisions.body.map((r: { number: number; tags: string[] }) => [r.number, r.tags]), [[3, ['latest']], [2, []], [1, []]]);
    assert.equal(revisions.body[0].creatorLogin, (await api.get('/api/user')).body.githubLogin);
    const old = await api.get(`${base()}/rev/env/versions/2`);
    assert.deepEqual([old.text, old.headers.get('pulumi-esc-revision')], ['values:\n  v: 2\n', '2']);

    assert.equal((await api.post(`${base()}/rev/env/versions/tags`, { name: 'stable', revision: 2 })).status, 204);
    const tagged = await api.get(`${base()}/rev/env/versions/stable`);
    assert.equal(tagged.text, 'values:\n  v: 2\n');
    const tags = await api.get(`${base()}/rev/env/versions/tags`);
    assert.deepEqual(tags.body.tags.map((t: { name: string; revision: number }) => [t.name, t.revision]), [['latest', 3], ['stable', 2]]);
    assert.equal((await api.patch(`${base()}/rev/env/versions/tags/stable`, { revision: 3 })).status, 204);
    assert.equal((await api.get(`${base()}/rev/env/versions/tags/stable`)).body.revision, 3);
    assert.equal((await api.post(`${base()}/rev/env/versions/tags`, { name: 'latest', revision: 1 })).status, 400);
    assert.equal((await api.delete(`${base()}/rev/env/versions/tags/stable`)).status, 204);
    assert.equal((await api.get(`${base()}/rev/env/versions/tags/stable`)).status, 404);

    const opened = await api.post(`${base()}/rev/env/versions/2/open`);
    assert.equal((await api.get(`${base()}/rev/env/open/${opened.body.id}?property=v`)).body.value, 2);
  });

  it('retracts the latest revision: latest moves to a copy of the replacement', async () => {
    await createEnvironment('rev', 'retract', 'values:\n  v: good\n');
    await patchYaml(`${base()}/rev/retract`, 'values:\n  v: bad\n');
    const reply = await api.post(`${base()}/rev/retract/versions/3/retract`, { reason: 'leaked' });
    assert.equal(reply.status, 204, reply.text);
    const read = await api.get(`${base()}/rev/retract`);
    assert.deepEqual([read.text, read.headers.get('pulumi-esc-revision')], ['values:\n  v: good\n', '4']);
    const revisions = await api.get(`${base()}/rev/retract/versions`);
    assert.deepEqual(revisions.body[1].retracted.replacement, 2);
    assert.equal(revisions.body[1].retracted.reason, 'leaked');
  });

  it('keeps key/value tags: create, list as a map, rename, delete', async () => {
    await createEnvironment('tagged', 'env');
    const created = await api.post(`${base()}/tagged/env/tags`, { name: 'team', value: 'core' });
    assert.equal(created.status, 200);
    assert.deepEqual([created.body.name, created.body.value], ['team', 'core']);
    assert.equal((await api.post(`${base()}/tagged/env/tags`, { name: 'team', value: 'x' })).status, 409);
    const listed = await api.get(`${base()}/tagged/env/tags`);
    assert.deepEqual(Object.keys(listed.body.tags), ['team']);
    assert.equal(listed.body.nextToken, '0');
    const renamed = await api.patch(`${base()}/tagged/env/tags/team`, { currentTag: { name: 'team', value: 'core' }, newTag: { name: 'owner', value: 'platform' } });
    assert.deepEqual([renamed.body.name, renamed.body.value], ['owner', 'platform']);
    assert.equal((await api.get(`${base()}/tagged/env/tags/team`)).status, 404);
    assert.equal((await api.delete(`${base()}/tagged/env/tags/owner`)).status, 204);
  });

  it('clones an environment with its history, re-encrypting its secrets', async () => {
    await createEnvironment('clone', 'source', 'values:\n  pw:\n    fn::secret: swordfish\n');
    await patchYaml(`${base()}/clone/source`, 'values:\n  pw:\n    fn::secret: marlin\n');
    const cloned = await api.post(`${base()}/clone/source/clone`, { name: 'copy', preserveHistory: true });
    assert.equal(cloned.status, 204, cloned.text);
    assert.equal((await api.get(`${base()}/clone/copy/decrypt`)).text, 'values:\n  pw:\n    fn::secret: marlin\n');
    assert.equal((await api.get(`${base()}/clone/copy/versions/3/decrypt`)).text, 'values:\n  pw:\n    fn::secret: swordfish\n');
    assert.notEqual((await api.get(`${base()}/clone/copy`)).text, (await api.get(`${base()}/clone/source`)).text);
  });
});

describe('fn::open::pulumi-stacks', () => {
  it('reads a stack’s outputs from this server, its secret outputs opened and kept secret', async () => {
    await api.post(`/api/stacks/${org}/vpc`, { stackName: 'dev' });
    const encrypted = await api.post(`/api/stacks/${org}/vpc/dev/encrypt`, { plaintext: Buffer.from('"s3cret"').toString('base64') });
    const urn = 'urn:pulumi:dev::vpc::pulumi:pulumi:Stack::vpc-dev';
    const deployment = {
      version: 3,
      deployment: {
        manifest: { time: '2026-12-01T00:00:00Z', magic: '', version: '' },
        secrets_providers: { type: 'service', state: { url: server.url, owner: org, project: 'vpc', stack: 'dev' } },
        resources: [
          { urn, custom: false, type: 'pulumi:pulumi:Stack', outputs: { vpcId: 'vpc-123', subnets: ['a', 'b'], password: { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: encrypted.body.ciphertext } } },
        ],
      },
    };
    assert.equal((await api.post(`/api/stacks/${org}/vpc/dev/import`, deployment)).status, 200);
    await createEnvironment('stackrefs', 'env', 'values:\n  infra:\n    fn::open::pulumi-stacks:\n      stacks:\n        vpc:\n          stack: vpc/dev\n  vpcId: ${infra.vpc.vpcId}\n');
    const opened = await api.post(`${base()}/stackrefs/env/open`);
    assert.equal(opened.status, 200, opened.text);
    const props = (await api.get(`${base()}/stackrefs/env/open/${opened.body.id}`)).body.properties;
    assert.equal(props.vpcId.value, 'vpc-123');
    const vpc = props.infra.value.vpc.value;
    assert.deepEqual(vpc.subnets.value.map((s: { value: string }) => s.value), ['a', 'b']);
    assert.deepEqual([vpc.password.value, vpc.password.secret], ['s3cret', true]);

    await createEnvironment('stackrefs', 'missing');
    const missing = await patchYaml(`${base()}/stackrefs/missing`, 'values:\n  x:\n    fn::open::pulumi-stacks:\n      stacks:\n        a:\n          stack: nope/dev\n');
    assert.equal(missing.status, 200, 'a check does not open providers');
    const failed = await api.post(`${base()}/stackrefs/missing/open`);
    assert.equal(failed.status, 400);
    assert.match(failed.body.diagnostics[0].summary, /stack '.*nope\/dev' not found/);
  });
});

describe('rotation and referrers', () => {
  it('rotates an environment without rotators (nothing to do), and names an unconfigured rotator in a diagnostic', async () => {
    await createEnvironment('rot', 'plain', 'values:\n  a: 1\n');
    const plain = await api.post(`${base()}/rot/plain/rotate`, { Paths: null });
    assert.equal(plain.status, 200, plain.text);
    assert.deepEqual([plain.body.secretRotationEvent.status, plain.body.secretRotationEvent.preRotationRevision, plain.body.secretRotationEvent.rotations], ['succeeded', 2, []]);
    await createEnvironment('rot', 'keys');
    const rotating = await patchYaml(`${base()}/rot/keys`, 'values:\n  key:\n    fn::rotate::aws-iam:\n      inputs: {}\n      state: {}\n');
    assert.equal(rotating.status, 400);
    assert.match(rotating.body.diagnostics[0].summary, /rotator 'aws-iam' is not configured on this server/);
  });

  it('lists the environments that import one, and the stacks whose configuration it holds, by the version they name', async () => {
    await createEnvironment('refs', 'base', 'values:\n  a: 1\n');
    await api.post(`${base()}/refs/base/versions/tags`, { name: 'stable', revision: 2 });
    await createEnvironment('refs', 'child', 'imports:\n  - refs/base\nvalues:\n  b: 2\n');
    await createEnvironment('refs', 'pinned', 'imports:\n  - refs/base@stable\n');
    await api.post(`/api/stacks/${org}/refs`, { stackName: 'dev', config: { environment: 'refs/base' } });
    const reply = await api.get(`${base()}/refs/base/referrers`);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.body, {
      referrers: {
        latest: [{ environment: { project: 'refs', name: 'child', revision: 2 } }, { stack: { project: 'refs', stack: 'dev', version: 0 } }],
        stable: [{ environment: { project: 'refs', name: 'pinned', revision: 2 } }],
      },
    });
  });
});

describe('stacks whose configuration lives in an environment', () => {
  it('creates the environment `project/stack` with a stack created with config', async () => {
    const reply = await api.post(`/api/stacks/${org}/remotecfg`, { stackName: 'dev', config: { environment: 'remotecfg/dev' } });
    assert.equal(reply.status, 200, reply.text);
    const env = await api.get(`${base()}/remotecfg/dev`);
    assert.equal(env.status, 200);
    assert.equal(env.headers.get('pulumi-esc-revision'), '1');
  });
});

describe('definitions too large to evaluate quickly', () => {
  it('refuses one over 256 KiB, or with more than 16,384 items, changing nothing', async () => {
    await createEnvironment('big', 'env');
    const large = await patchYaml(`${base()}/big/env`, `values:\n  a: "${'x'.repeat(300 * 1024)}"\n`);
    assert.deepEqual(large.body, { code: 400, message: 'Bad Request: the environment definition is larger than 256 KiB' });
    const many = await patchYaml(`${base()}/big/env`, `{"values":{"a":[${'1,'.repeat(20_000)}1]}}`);
    assert.deepEqual(many.body, { code: 400, message: 'Bad Request: the environment definition has more than 16384 lines and list or map items' });
    const check = await api.post(`${base()}/yaml/check`, undefined, { rawBody: `{"values":{"a":[${'1,'.repeat(20_000)}1]}}` });
    assert.equal(check.status, 400);
    assert.equal((await api.get(`${base()}/big/env`)).headers.get('pulumi-esc-revision'), '1');
  });
});

describe('team grants on environments', () => {
  it('gives a team token exactly its grant: read, then open up to its longest duration, then nothing once removed', async () => {
    await createEnvironment('granted', 'env', 'values:\n  a: 1\n');
    await createEnvironment('granted', 'other', 'values:\n  b: 2\n');
    assert.equal((await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'envteam', displayName: 'envteam', description: '' })).status, 201);
    const token = await api.post(`/api/orgs/${org}/teams/envteam/tokens`, { name: 'envteam-token', description: '' });
    const team = new ApiClient(server.url, token.body.tokenValue);
    assert.equal((await team.get(`${base()}/granted/env`)).status, 404);

    const grant = (change: Record<string, unknown>) => api.patch(`/api/orgs/${org}/teams/envteam`, change);
    assert.equal((await grant({ addEnvironmentPermission: { projectName: 'granted', envName: 'env', permission: 'read' } })).status, 204);
    assert.equal((await team.get(`${base()}/granted/env`)).text, 'values:\n  a: 1\n');
    const refused = await team.post(`${base()}/granted/env/open`);
    assert.deepEqual(refused.body, { code: 403, message: `Forbidden: open permission on environment '${org}/granted/env' is required` });
    const listed = await team.get(base());
    assert.deepEqual(listed.body.environments.map((e: { name: string }) => e.name), ['env']);

    assert.equal((await grant({ editEnvironmentPermission: { projectName: 'granted', envName: 'env', permission: 'open', maxOpenDuration: '1h' } })).status, 204);
    const tooLong = await team.post(`${base()}/granted/env/open?duration=2h0m0s`);
    assert.deepEqual(tooLong.body, { code: 400, message: `Bad Request: the team's grant on environment '${org}/granted/env' allows opening it for 1h at most` });
    assert.equal((await team.post(`${base()}/granted/env/open?duration=30m0s`)).status, 200);
    const shown = await api.get(`/api/orgs/${org}/teams/envteam`);
    assert.deepEqual(shown.body.environments, [{ projectName: 'granted', envName: 'env', permission: 'open', maxOpenDuration: '1h' }]);

    const bad = await grant({ addEnvironmentPermission: { projectName: 'granted', envName: 'env', permission: 'owner' } });
    assert.deepEqual(bad.body, { code: 400, message: "Bad Request: invalid environment permission 'owner': it must be one of none, read, open, write, admin" });
    assert.equal((await grant({ removeEnvironment: { projectName: 'granted', envName: 'env' } })).status, 204);
    assert.equal((await team.get(`${base()}/granted/env`)).status, 404);
  });
});
