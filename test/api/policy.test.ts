// Policy as code over HTTP: publishing packs through signed URLs, policy groups, the packs an
// update is told to run, and the violations its engine events report.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { ManualClock } from '../helpers/clock.js';
import { createStack, createUser, deploymentWithResources } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, program, withLease } from '../helpers/updates.js';

let server: TestServer;
let admin: ApiClient;
let member: ApiClient;
let org: string;
const clock = new ManualClock();

before(async () => {
  server = await startTestServer({ overrides: { clock } });
  admin = new ApiClient(server.url, server.adminToken);
  org = server.org;
  member = admin.withToken(await createUser(server, 'policy-member', { org }));
});
after(() => server.close());

/** An audit row as `auditAfter` reads it: policy changes need the admin role, triage does not. */
const audited = (event: string, description: string, orgAdmin = true) => ({
  event,
  description,
  user_login: 'admin',
  token_name: null,
  req_org_admin: orgAdmin ? 1 : 0,
  req_stack_admin: 0,
  auth_failure: 0,
});

const packs = () => `/api/orgs/${org}/policypacks`;
const groups = () => `/api/orgs/${org}/policygroups`;
const archive = (text: string) => zlib.gzipSync(Buffer.from(text));

const policies = [
  {
    name: 'no-forbidden-name',
    displayName: '',
    description: 'Resources must not be named forbidden.',
    enforcementLevel: 'mandatory',
    message: '',
    configSchema: { type: 'object', properties: { enforcementLevel: { type: 'string', enum: ['advisory', 'mandatory', 'remediate', 'disabled'] }, maxLength: { type: 'integer', minimum: 1 } } },
  },
  { name: 'advisory-note', displayName: '', description: 'Advisory check.', enforcementLevel: 'advisory', message: '' },
];

/** `PUT` as the CLI sends it: the URL alone, no Authorization, no Content-Type. */
const upload = (uri: string, bytes: Buffer, method = 'PUT') => fetch(uri, { method, body: method === 'PUT' ? new Uint8Array(bytes) : undefined });

/** `pulumi policy publish`'s three calls; returns the archive's bytes. */
async function publish(name: string, versionTag: string, extra: Record<string, unknown> = {}): Promise<Buffer> {
  const created = await admin.post(packs(), { name, displayName: `${name} pack`, versionTag, policies, runtime: 'nodejs', ...extra });
  assert.equal(created.status, 201, created.text);
  const bytes = archive(`${name}@${versionTag}`);
  assert.equal((await upload(created.body.uploadURI, bytes)).status, 200);
  const completed = await admin.post(`${packs()}/${name}/versions/${versionTag}/complete`);
  assert.equal(completed.status, 204, completed.text);
  return bytes;
}

describe('publishing a policy pack', () => {
  it('creates a version, takes its archive at the signed URL without credentials, and lists it once complete', async () => {
    const created = await admin.post(packs(), { name: 'pub', displayName: 'Pub', versionTag: '0.0.1', policies, runtime: 'nodejs', description: 'd', metadata: { 'git.head': 'abc' } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(Object.keys(created.body).sort(), ['requiredHeaders', 'uploadURI', 'version']);
    assert.equal(created.body.version, 1);
    assert.ok(created.body.uploadURI.startsWith(`${server.url}/api/policypacks/archives/`), created.body.uploadURI);
    // Invisible until complete: not listed, and its GET is a 400.
    assert.deepEqual((await admin.get(`${packs()}?policypack=pub`)).body, { policyPacks: [] });
    assert.equal((await admin.get(`${packs()}/pub/versions/0.0.1`)).status, 400);
    // Completing before the archive arrived is refused: the CLI ignores the PUT's status.
    const early = await admin.post(`${packs()}/pub/versions/0.0.1/complete`);
    assert.equal(early.status, 400);
    assert.match(early.body.message, /has not been uploaded/);

    const bytes = archive('package/index.js');
    assert.equal((await upload(created.body.uploadURI, bytes)).status, 200);
    assert.equal((await admin.post(`${packs()}/pub/versions/0.0.1/complete`)).status, 204);
    assert.equal((await admin.post(`${packs()}/pub/versions/0.0.1/complete`)).body.message, 'Bad Request: Policy Pack is already complete');
    // The URL was for one upload: a complete version's archive never changes.
    assert.equal((await upload(created.body.uploadURI, archive('other'))).status, 409);

    assert.deepEqual((await admin.get(`${packs()}?policypack=pub`)).body, { policyPacks: [{ name: 'pub', displayName: 'Pub', versions: [1], versionTags: ['0.0.1'] }] });
    const got = await member.get(`${packs()}/pub/versions/0.0.1`);
    assert.deepEqual(got.body, { name: 'pub', displayName: 'Pub', version: 1, versionTag: '0.0.1', policies, applied: false });
    assert.deepEqual((await member.get(`${packs()}/pub/versions/1`)).body.versionTag, '0.0.1', 'by number too');
    assert.deepEqual((await member.get(`${packs()}/pub/latest`)).body.version, 1);
    const schema = await member.get(`${packs()}/pub/versions/0.0.1/schema`);
    assert.deepEqual(Object.keys(schema.body.configSchema).sort(), ['advisory-note', 'all', 'no-forbidden-name']);
    assert.deepEqual(schema.body.configSchema['no-forbidden-name'].properties.maxLength, { type: 'integer', minimum: 1 });
    assert.deepEqual(schema.body.configSchema['advisory-note'].properties.enforcementLevel.enum, ['advisory', 'mandatory', 'remediate', 'disabled']);
  });

  it('numbers versions, lists them newest first, and never publishes a tag twice', async () => {
    await publish('multi', '1.0.0');
    await publish('multi', '1.1.0');
    const again = await admin.post(packs(), { name: 'multi', displayName: '', versionTag: '1.1.0', policies });
    assert.equal(again.status, 409);
    assert.match(again.body.message, /already published/);
    assert.deepEqual((await admin.get(`${packs()}?policypack=multi`)).body.policyPacks, [{ name: 'multi', displayName: 'multi pack', versions: [2, 1], versionTags: ['1.1.0', '1.0.0'] }]);
    const otherRuntime = await admin.post(packs(), { name: 'multi', displayName: '', versionTag: '2.0.0', policies, runtime: 'python' });
    assert.equal(otherRuntime.status, 400);
    assert.match(otherRuntime.body.message, /runtime 'nodejs'/);
  });

  it('replaces an unfinished publish of the same tag', async () => {
    const first = await admin.post(packs(), { name: 'retry', displayName: '', versionTag: '0.1.0', policies });
    const second = await admin.post(packs(), { name: 'retry', displayName: '', versionTag: '0.1.0', policies });
    assert.equal(second.status, 201, second.text);
    assert.equal((await upload(first.body.uploadURI, archive('x'))).status, 404);
    assert.equal((await upload(second.body.uploadURI, archive('x'))).status, 200);
    assert.equal((await admin.post(`${packs()}/retry/versions/0.1.0/complete`)).status, 204);
  });

  it('refuses bad requests with a 400 that names the problem', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'bad name', displayName: '', policies }, /policy pack name 'bad name' is invalid/],
      [{ name: 'ok', displayName: '', versionTag: 'v/1', policies }, /version tag 'v\/1' is invalid/],
      [{ name: 'ok', displayName: '', policies: [] }, /^Bad Request: Policy Pack must have at least one policy\.$/],
      [{ name: 'ok', displayName: '', policies: [policies[0], policies[0]] }, /used by another policy/],
      [{ name: 'ok', displayName: '', policies: [{ ...policies[1], enforcementLevel: 'loud' }] }, /enforcementLevel must be one of/],
      [{ name: 'ok', displayName: '', policies: [{ ...policies[1], configSchema: { type: 'object', properties: { a: { type: 'no-such-type' } } } }] }, /config schema of policy 'advisory-note' is not a valid JSON schema/],
      [{ name: 'ok', policies }, /displayName/],
    ];
    for (const [body, message] of cases) {
      const reply = await admin.post(packs(), body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.match(reply.body.message, message);
    }
    assert.deepEqual((await admin.get(`${packs()}?policypack=ok`)).body, { policyPacks: [] });
  });

  it('is for organization admins; members read', async () => {
    const denied = await member.post(packs(), { name: 'mine', displayName: '', policies });
    assert.equal(denied.status, 403);
    assert.match(denied.body.message, /publishing a policy pack needs the 'admin' role/);
    assert.equal((await member.get(packs())).status, 200);
  });
});

describe('signed archive URLs', () => {
  it('refuse a changed signature, path or method, a missing signature, and expire', async () => {
    const created = await admin.post(packs(), { name: 'signed', displayName: '', versionTag: '1', policies });
    const uri = new URL(created.body.uploadURI);
    const tampered = new URL(uri);
    tampered.searchParams.set('signature', `${uri.searchParams.get('signature')!.slice(0, -2)}AA`);
    const later = new URL(uri);
    later.searchParams.set('expires', String(Number(uri.searchParams.get('expires')) + 3600));
    const elsewhere = new URL(uri);
    elsewhere.pathname = elsewhere.pathname.replace(/[0-9a-f]$/, (c) => (c === '0' ? '1' : '0'));
    const unsigned = new URL(uri);
    unsigned.search = '';
    for (const [url, method, message] of [
      [tampered, 'PUT', /signature of this URL does not match/],
      [later, 'PUT', /signature of this URL does not match/],
      [elsewhere, 'PUT', /signature of this URL does not match/],
      [uri, 'GET', /signature of this URL does not match/],
      [unsigned, 'PUT', /not signed/],
    ] as const) {
      const reply = await upload(url.toString(), archive('x'), method);
      assert.equal(reply.status, 403, `${method} ${url}`);
      assert.match(((await reply.json()) as { message: string }).message, message);
    }
    const notGzip = await upload(uri.toString(), Buffer.from('plain text'));
    assert.equal(notGzip.status, 400);
    clock.advance(61 * 60_000);
    const expired = await upload(uri.toString(), archive('x'));
    assert.equal(expired.status, 403);
    assert.match(((await expired.json()) as { message: string }).message, /this URL expired at/);
    assert.equal((await admin.post(`${packs()}/signed/versions/1/complete`)).status, 400, 'nothing was stored');
  });
});

describe('policy groups', () => {
  it('has a default group holding every stack, new ones included, from which stacks can be removed', async () => {
    await createStack(admin, org, 'grp', 'a');
    await createStack(admin, org, 'grp', 'b');
    const listed = await member.get(groups());
    const summary = listed.body.policyGroups.find((g: { name: string }) => g.name === 'default-policy-group');
    assert.deepEqual(Object.keys(summary).sort(), ['entityType', 'isOrgDefault', 'mode', 'name', 'numAccounts', 'numEnabledPolicyPacks', 'numStacks']);
    assert.deepEqual([summary.isOrgDefault, summary.entityType, summary.mode], [true, 'stacks', 'preventative']);
    const before = (await member.get(`${groups()}/default-policy-group`)).body;
    assert.ok(before.stacks.some((s: { name: string; routingProject: string }) => s.name === 'a' && s.routingProject === 'grp'));
    assert.equal(before.stacks.length, summary.numStacks);
    await createStack(admin, org, 'grp', 'c');
    const withC = (await member.get(`${groups()}/default-policy-group`)).body.stacks;
    assert.ok(withC.some((s: { name: string }) => s.name === 'c'), 'a new stack joins');

    assert.equal((await admin.patch(`${groups()}/default-policy-group`, { removeStack: { name: 'c', routingProject: 'grp' } })).status, 204);
    const stackGroups = await member.get(`/api/stacks/${org}/grp/c/policygroups`);
    assert.deepEqual(stackGroups.body, { policyGroups: [] });
    assert.equal((await admin.patch(`${groups()}/default-policy-group`, { addStack: { name: 'c', routingProject: 'grp' } })).status, 204);
    assert.deepEqual((await member.get(`/api/stacks/${org}/grp/c/policygroups`)).body.policyGroups.map((g: { name: string }) => g.name), ['default-policy-group']);

    for (const [body, status, message] of [
      [{ newName: 'renamed' }, 400, /default Policy Group cannot be renamed/],
      [{ addStack: { name: 'nope', routingProject: 'grp' } }, 404, /stack '.*\/grp\/nope' not found/],
      [{ addInsightsAccount: { name: 'acct' } }, 400, /Insights cloud accounts are not supported/],
    ] as const) {
      const reply = await admin.patch(`${groups()}/default-policy-group`, body);
      assert.equal(reply.status, status, reply.text);
      assert.match(reply.body.message, message);
    }
    assert.equal((await admin.delete(`${groups()}/default-policy-group`)).body.message, 'Bad Request: Cannot delete the default Policy Group');
  });

  it('creates, edits as `pulumi policy group edit` does (lists, then a rename), and deletes groups', async () => {
    await createStack(admin, org, 'grp', 'edit1');
    await createStack(admin, org, 'grp', 'edit2');
    await publish('grp-pack', '1.0.0');
    assert.equal((await admin.post(groups(), { name: 'prod', entityType: 'stacks' })).status, 204);
    assert.equal((await admin.post(groups(), { name: 'prod', entityType: 'stacks' })).status, 409);
    assert.equal((await admin.post(groups(), { name: 'acc', entityType: 'accounts' })).status, 400);
    assert.equal((await admin.post(groups(), { name: 'x', entityType: 'stacks', mode: 'loud' })).status, 400);
    assert.equal((await member.post(groups(), { name: 'mine', entityType: 'stacks' })).status, 403);

    const edit = {
      newName: 'production',
      stacks: [{ name: 'edit1', routingProject: 'grp' }, { name: 'edit2', routingProject: 'grp' }],
      policyPacks: [{ name: 'grp-pack', versionTag: '1.0.0', config: { 'no-forbidden-name': { enforcementLevel: 'advisory', maxLength: 3 } } }],
      insightsAccounts: [],
    };
    assert.equal((await admin.patch(`${groups()}/prod`, edit)).status, 204);
    assert.equal((await admin.get(`${groups()}/prod`)).status, 404);
    const group = (await member.get(`${groups()}/production`)).body;
    assert.deepEqual(group, {
      name: 'production',
      isOrgDefault: false,
      entityType: 'stacks',
      mode: 'preventative',
      stacks: [{ name: 'edit1', routingProject: 'grp' }, { name: 'edit2', routingProject: 'grp' }],
      appliedPolicyPacks: [{ name: 'grp-pack', displayName: 'grp-pack pack', version: 1, versionTag: '1.0.0', config: { 'no-forbidden-name': { enforcementLevel: 'advisory', maxLength: 3 } } }],
      accounts: [],
    });
    const summary = (await member.get(groups())).body.policyGroups.find((g: { name: string }) => g.name === 'production');
    assert.deepEqual([summary.numStacks, summary.numEnabledPolicyPacks, summary.isOrgDefault], [2, 1, false]);
    assert.equal((await member.get(`${packs()}/grp-pack/versions/1.0.0`)).body.applied, true);

    const batch = await admin.patch(`${groups()}/production/batch`, [{ removeStack: { name: 'edit1', routingProject: 'grp' } }, { removePolicyPack: { name: 'grp-pack' } }]);
    assert.equal(batch.status, 204, batch.text);
    const edited = (await member.get(`${groups()}/production`)).body;
    assert.deepEqual([edited.stacks, edited.appliedPolicyPacks], [[{ name: 'edit2', routingProject: 'grp' }], []]);
    assert.equal((await admin.delete(`${groups()}/production`)).status, 204);
    assert.equal((await member.get(`${groups()}/production`)).status, 404);
  });

  it('checks config against the pack version it applies, naming the failing property, and changes nothing on a 400', async () => {
    await publish('cfg-pack', '1.0.0');
    assert.equal((await admin.post(groups(), { name: 'cfg', entityType: 'stacks' })).status, 204);
    const cases: Array<[unknown, RegExp]> = [
      [{ 'no-forbidden-name': { maxLength: 'long' } }, /config of policy 'no-forbidden-name' is invalid: property 'maxLength' must be integer/],
      [{ 'no-forbidden-name': { maxLength: 0 } }, /property 'maxLength' must be >= 1/],
      [{ 'no-forbidden-name': { enforcementLevel: 'loud' } }, /property 'enforcementLevel' must be equal to one of the allowed values/],
      [{ 'no-such-policy': {} }, /config names policy 'no-such-policy', which policy pack 'cfg-pack' does not have/],
      [{ all: 'mandatory' }, /config of policy 'all' must be an object/],
      [{ all: { enforcementLevel: 'mandatory', extra: 1 } }, /config of policy 'all' is invalid/],
    ];
    for (const [config, message] of cases) {
      const reply = await admin.patch(`${groups()}/cfg`, { addStack: { name: 'a', routingProject: 'grp' }, addPolicyPack: { name: 'cfg-pack', config } });
      assert.equal(reply.status, 400, JSON.stringify(config));
      assert.match(reply.body.message, message);
    }
    const unchanged = (await admin.get(`${groups()}/cfg`)).body;
    assert.deepEqual([unchanged.stacks, unchanged.appliedPolicyPacks], [[], []], 'the stack added in the same request was not kept');
    assert.equal((await admin.patch(`${groups()}/cfg`, { addPolicyPack: { name: 'cfg-pack', versionTag: '9.9.9' } })).status, 404);
    assert.equal((await admin.patch(`${groups()}/cfg`, { addPolicyPack: { name: 'cfg-pack', config: { all: { enforcementLevel: 'mandatory' } } } })).status, 204);
    assert.deepEqual((await admin.get(`${groups()}/cfg`)).body.appliedPolicyPacks[0].config, { all: { enforcementLevel: 'mandatory' } });
  });
});

describe('audit events', () => {
  it('records each change to packs and groups in its transaction, and nothing for a refused one', async () => {
    await createStack(admin, org, 'aud', 'one');
    await createStack(admin, org, 'aud', 'two');
    let mark = await auditMark(server);
    // A publish is recorded once, when it completes.
    await publish('aud-pack', '1.0.0');
    await publish('aud-pack', '1.1.0');
    assert.equal((await admin.post(groups(), { name: 'aud', entityType: 'stacks' })).status, 204);
    assert.deepEqual(await auditAfter(server, org, mark), [
      audited('policy-pack-created', 'Published policy pack "aud-pack" version "1.0.0"'),
      audited('policy-pack-created', 'Published policy pack "aud-pack" version "1.1.0"'),
      audited('policy-group-created', 'Created preventative policy group "aud"'),
    ]);

    // `pulumi policy group edit`: lists, then the rename; a pack is enabled, then reconfigured, moved and disabled.
    mark = await auditMark(server);
    const one = { name: 'one', routingProject: 'aud' };
    const two = { name: 'two', routingProject: 'aud' };
    const edit = { newName: 'audited', stacks: [one, two], policyPacks: [{ name: 'aud-pack', versionTag: '1.0.0' }], insightsAccounts: [] };
    assert.equal((await admin.patch(`${groups()}/aud`, edit)).status, 204);
    const config = { 'no-forbidden-name': { maxLength: 3 } };
    assert.equal((await admin.patch(`${groups()}/audited`, { addPolicyPack: { name: 'aud-pack', versionTag: '1.0.0', config } })).status, 204);
    assert.equal((await admin.patch(`${groups()}/audited`, { addPolicyPack: { name: 'aud-pack', versionTag: '1.0.0', config } })).status, 204);
    assert.equal((await admin.patch(`${groups()}/audited/batch`, [{ removeStack: one }, { addPolicyPack: { name: 'aud-pack', versionTag: '1.1.0' } }])).status, 204);
    assert.equal((await admin.patch(`${groups()}/audited`, { removePolicyPack: { name: 'aud-pack' } })).status, 204);
    assert.deepEqual(await auditAfter(server, org, mark), [
      audited('policy-group-updated', 'Set the stacks of policy group "aud" to "aud/one", "aud/two"'),
      audited('policy-group-updated', 'Renamed policy group "aud" to "audited"'),
      audited('policy-pack-enabled', 'Enabled policy pack "aud-pack" version "1.0.0" in policy group "audited"'),
      audited('policy-pack-enabled', 'Changed the configuration of policy pack "aud-pack" version "1.0.0" in policy group "audited"'),
      // The same request again changes nothing, and records nothing.
      audited('policy-group-updated', 'Removed stack "aud/one" from policy group "audited"'),
      audited('policy-pack-enabled', 'Enabled policy pack "aud-pack" version "1.1.0" in policy group "audited"'),
      audited('policy-pack-disabled', 'Disabled policy pack "aud-pack" in policy group "audited"'),
    ]);

    // Refused requests roll back with their events: a bad config after a stack change, a member's create.
    mark = await auditMark(server);
    assert.equal((await admin.patch(`${groups()}/audited`, { addStack: one, addPolicyPack: { name: 'aud-pack', config: { 'no-forbidden-name': { maxLength: 'x' } } } })).status, 400);
    assert.equal((await member.post(groups(), { name: 'mine', entityType: 'stacks' })).status, 403);
    assert.equal((await admin.delete(`${packs()}/aud-pack/versions/1.0.0`)).status, 200);
    assert.equal((await admin.post(`${packs()}/aud-pack/latest`)).status, 204);
    assert.equal((await admin.delete(`${packs()}/aud-pack`)).status, 400, 'applied through the default group');
    assert.equal((await admin.patch(`${groups()}/default-policy-group`, { removePolicyPack: { name: 'aud-pack' } })).status, 204);
    assert.equal((await admin.delete(`${packs()}/aud-pack`)).status, 200);
    assert.equal((await admin.delete(`${groups()}/audited`)).status, 204);
    const events = await auditAfter(server, org, mark);
    assert.deepEqual(events.filter((e) => e.event !== 'auth-failure-organization-role'), [
      audited('policy-pack-deleted', 'Deleted version "1.0.0" of policy pack "aud-pack"'),
      audited('policy-pack-enabled', 'Enabled policy pack "aud-pack" version "1.1.0" in policy group "default-policy-group"'),
      audited('policy-pack-disabled', 'Disabled policy pack "aud-pack" in policy group "default-policy-group"'),
      audited('policy-pack-deleted', 'Deleted policy pack "aud-pack" with all its versions'),
      audited('policy-group-deleted', 'Deleted policy group "audited"'),
    ]);
    assert.equal(events.length, 6, 'the member\'s refused create is recorded as an auth failure, and nothing else is');
  });
});

describe('the packs an update runs', () => {
  it('come with preview and update creation for the stack\'s groups, downloadable without credentials', async () => {
    await createStack(admin, org, 'enf', 'dev');
    await createStack(admin, org, 'enf', 'prod');
    const bytes = await publish('enforced', '0.0.1');
    const v2 = await publish('enforced', '0.0.2');
    // The default group applies the newest version (POST …/latest); group `enf-prod` pins 0.0.1 with config.
    assert.equal((await admin.post(`${packs()}/enforced/latest`)).status, 204);
    assert.equal((await admin.post(groups(), { name: 'enf-prod', entityType: 'stacks' })).status, 204);
    const config = { 'no-forbidden-name': { enforcementLevel: 'advisory' } };
    await admin.patch(`${groups()}/enf-prod`, { addStack: { name: 'prod', routingProject: 'enf' }, addPolicyPack: { name: 'enforced', versionTag: '0.0.1', config } });

    const dev = await admin.post(`/api/stacks/${org}/enf/dev/preview`, program(true));
    assert.deepEqual(
      dev.body.requiredPolicies.map((p: any) => [p.name, p.version, p.versionTag, p.displayName, p.config]),
      [['enforced', 2, '0.0.2', 'enforced pack', undefined]],
    );
    const prod = await admin.post(`/api/stacks/${org}/enf/prod/update`, program(false));
    assert.deepEqual(prod.body.requiredPolicies.map((p: any) => [p.versionTag, p.config]), [['0.0.1', config], ['0.0.2', undefined]]);
    const download = await fetch(prod.body.requiredPolicies[0].packLocation);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);
    assert.deepEqual(Buffer.from(await (await fetch(prod.body.requiredPolicies[1].packLocation)).arrayBuffer()), v2);

    const refresh = await admin.post(`/api/stacks/${org}/enf/dev/refresh`, program(false));
    assert.equal(refresh.body.requiredPolicies, undefined, 'refresh runs no packs');
    const stackPacks = await member.get(`/api/stacks/${org}/enf/prod/policypacks`);
    assert.deepEqual(stackPacks.body.requiredPolicies.map((p: any) => p.versionTag), ['0.0.1', '0.0.2']);
    assert.deepEqual((await member.get(`/api/stacks/${org}/enf/prod/policypacks?mode=audit`)).body, { requiredPolicies: [] });
    assert.equal((await member.get(`/api/stacks/${org}/enf/prod/policypacks?mode=loud`)).status, 400);
    assert.ok((await admin.get('/api/capabilities')).body.capabilities.some((c: { capability: string }) => c.capability === 'stack-policy-packs'));

    // A pack in use cannot be deleted, nor its applied version; once disabled it can, and its URL is gone.
    const inUse = await admin.delete(`${packs()}/enforced`);
    assert.equal(inUse.status, 400);
    assert.match(inUse.body.message, /Cannot delete an enabled Policy Pack: 'enforced' is applied to policy groups default-policy-group, enf-prod/);
    assert.equal((await admin.delete(`${packs()}/enforced/versions/0.0.1`)).status, 409);
    await admin.patch(`${groups()}/enf-prod`, { removePolicyPack: { name: 'enforced', versionTag: '0.0.1' } });
    assert.equal((await admin.delete(`${packs()}/enforced/versions/0.0.1`)).status, 200);
    assert.equal((await fetch(prod.body.requiredPolicies[0].packLocation)).status, 404);
    assert.equal((await admin.patch(`${groups()}/default-policy-group`, { removePolicyPack: { name: 'enforced' } })).status, 204);
    assert.equal((await admin.delete(`${packs()}/enforced`)).status, 200);
    assert.equal((await admin.get(`${packs()}/enforced/latest`)).status, 404);
    assert.equal((await admin.post(`/api/stacks/${org}/enf/dev/preview`, program(true))).body.requiredPolicies, undefined);
  });

  it('follow a stack transferred to another organization into that organization\'s default group', async () => {
    await server.server.ctx.services.admin.createOrganization('policy-elsewhere', 'admin');
    await createStack(admin, org, 'xfer', 'moving');
    assert.equal((await admin.post(groups(), { name: 'xfer', entityType: 'stacks' })).status, 204);
    await admin.patch(`${groups()}/xfer`, { addStack: { name: 'moving', routingProject: 'xfer' } });
    assert.equal((await admin.post(`/api/stacks/${org}/xfer/moving/transfer`, { toOrg: 'policy-elsewhere' })).status, 204);
    assert.deepEqual((await admin.get(`${groups()}/xfer`)).body.stacks, []);
    assert.deepEqual((await admin.get('/api/stacks/policy-elsewhere/xfer/moving/policygroups')).body.policyGroups.map((g: { name: string }) => g.name), ['default-policy-group']);
  });
});

const violationEvent = (sequence: number, urn: string, policyName: string, level = 'mandatory') => ({
  sequence,
  timestamp: 1_700_000_000 + sequence,
  policyEvent: {
    resourceUrn: urn,
    message: `<{%reset%}>Resources must not be named forbidden.\n${policyName} failed.<{%reset%}>\n`,
    color: 'raw',
    policyName,
    policyPackName: 'stackyard-test-policies',
    policyPackVersion: '0.0.1',
    policyPackVersionTag: '0.0.1',
    enforcementLevel: level,
    severity: 'high',
  },
});

describe('violations', () => {
  it('are recorded from engine events, listed newest first with continuation, filtered, exported, and fixed by a later update', async () => {
    await createStack(admin, org, 'vio', 'dev');
    const path = `/api/stacks/${org}/vio/dev`;
    const urn = (name: string) => `urn:pulumi:dev::vio::pulumi-nodejs:dynamic:Resource::${name}`;
    const { updateId, token, version } = await beginUpdate(admin, path);
    const events = [violationEvent(1, urn('forbidden'), 'no-forbidden-name'), ...Array.from({ length: 4 }, (_, i) => violationEvent(2 + i, urn(`r${i}`), 'advisory-note', 'advisory'))];
    const posted = await admin.post(`${path}/update/${updateId}/events/batch`, { events }, withLease(token));
    assert.equal(posted.status, 200, posted.text);
    // A retried batch records nothing twice.
    await admin.post(`${path}/update/${updateId}/events/batch`, { events }, withLease(token));
    await admin.post(`${path}/update/${updateId}/complete`, { status: 'failed' }, withLease(token));

    const listed = await member.get(`/api/orgs/${org}/policyresults/violations?project=vio`);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.continuationToken, '');
    assert.equal(listed.body.policyViolations.length, 5);
    assert.deepEqual(listed.body.policyViolations[4], {
      level: 'mandatory',
      message: 'Resources must not be named forbidden.\nno-forbidden-name failed.\n',
      observedAt: new Date(1_700_000_001_000).toISOString().replace('.000Z', 'Z'),
      policyName: 'no-forbidden-name',
      policyPack: 'stackyard-test-policies',
      policyPackTag: '0.0.1',
      projectName: 'vio',
      resourceName: 'forbidden',
      resourceType: 'pulumi-nodejs:dynamic:Resource',
      resourceURN: urn('forbidden'),
      stackName: 'dev',
      updateVersion: version,
    });

    const seen: string[] = [];
    let continuationToken = '';
    do {
      const page = await member.get(`/api/orgs/${org}/policyresults/violationsv2?project=vio&pageSize=2${continuationToken ? `&continuationToken=${continuationToken}` : ''}`);
      assert.ok(page.body.policyViolations.length <= 2);
      for (const v of page.body.policyViolations) {
        assert.deepEqual([v.kind, v.stackName, v.stackVersion], ['preventative', 'dev', version]);
        seen.push(v.resourceName);
      }
      continuationToken = page.body.continuationToken;
    } while (continuationToken);
    assert.deepEqual(seen, ['r3', 'r2', 'r1', 'r0', 'forbidden']);
    assert.deepEqual((await member.get(`/api/orgs/${org}/policyresults/violations?project=vio&level=mandatory`)).body.policyViolations.map((v: any) => v.resourceName), ['forbidden']);
    assert.equal((await member.get(`/api/orgs/${org}/policyresults/violations?continuationToken=garbage`)).status, 400);

    const vio = { colId: 'entityProject', filterType: 'text', type: 'equals', filter: 'vio' };
    const csv = await member.post(`/api/orgs/${org}/policyresults/issues/export`, { filterModel: vio });
    assert.equal(csv.status, 200);
    const [header, ...rows] = csv.text.trimEnd().split('\n');
    assert.equal(header, 'id,status,priority,level,severity,policyPack,policyPackTag,policyName,entityType,entityProject,entityId,stackVersion,resourceURN,resourceType,resourceName,resourceProvider,message,observedAt,lastModified,assignedTo');
    // Each message holds two line breaks, so each of the 5 rows spans three lines.
    assert.equal(rows.length, 15);
    assert.match(rows[0]!, /^[0-9a-f-]{36},open,p1,advisory,high,stackyard-test-policies,0\.0\.1,advisory-note,stack,vio,dev,\d+,urn:pulumi:dev::vio::pulumi-nodejs:dynamic:Resource::r3,pulumi-nodejs:dynamic:Resource,r3,pulumi-nodejs,"Resources/);

    // A preview that passes changes nothing; an update whose summary lists the policy as passed fixes it.
    const passed = (sequence: number, name: string) => ({ sequence, timestamp: 1_700_000_100, policyAnalyzeSummaryEvent: { resourceUrn: urn(name), policyPackName: 'stackyard-test-policies', policyPackVersion: '0.0.1', policyPackVersionTag: '0.0.1', passed: ['advisory-note', 'no-forbidden-name'] } });
    const preview = await beginUpdate(admin, path, 'preview');
    await admin.post(`${path}/update/${preview.updateId}/events/batch`, { events: [passed(1, 'r0')] }, withLease(preview.token));
    assert.equal((await member.get(`/api/orgs/${org}/policyresults/violations?project=vio`)).body.policyViolations.length, 5);
    const next = await beginUpdate(admin, path);
    await admin.post(`${path}/update/${next.updateId}/events/batch`, { events: [passed(1, 'r0'), passed(2, 'forbidden')] }, withLease(next.token));
    assert.deepEqual((await member.get(`/api/orgs/${org}/policyresults/violations?project=vio`)).body.policyViolations.map((v: any) => v.resourceName), ['r3', 'r2', 'r1']);
  });

  it('are policy issues: a grid with a row count, sorted, filtered, triaged, closed when fixed and opened again when seen again', async () => {
    await createStack(admin, org, 'iss', 'dev');
    const path = `/api/stacks/${org}/iss/dev`;
    // The resources exist, so the updates below leave their issues alone.
    assert.equal((await admin.post(`${path}/import`, deploymentWithResources('iss', 'dev', 5))).status, 200);
    const urn = (name: string) => `urn:pulumi:dev::iss::pulumi-nodejs:dynamic:Resource::${name.replace('b', 'thing-')}`;
    const report = async (names: string[], passed: string[] = []) => {
      const { updateId, token } = await beginUpdate(admin, path);
      const events: Array<Record<string, unknown>> = names.map((name, i) => violationEvent(i + 1, urn(name), 'no-forbidden-name'));
      passed.forEach((name, i) => events.push({ sequence: 100 + i, timestamp: 1, policyAnalyzeSummaryEvent: { resourceUrn: urn(name), policyPackName: 'stackyard-test-policies', passed: ['no-forbidden-name'] } }));
      assert.equal((await admin.post(`${path}/update/${updateId}/events/batch`, { events }, withLease(token))).status, 200);
      await admin.post(`${path}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token));
    };
    await report(['b0', 'b1', 'b2', 'b3', 'b4']);
    const iss = { filterModel: { colId: 'entityProject', filterType: 'text', type: 'equals', filter: 'iss' } };
    const issues = (body: Record<string, unknown>, closed = false) => member.post(`/api/orgs/${org}/policyresults/issues${closed ? '?closed=true' : ''}`, { ...iss, ...body });

    // The CLI's filters: joins of AND and OR over `equals` leaves.
    const either = { filterType: 'join', type: 'AND', conditions: [iss.filterModel, { colId: 'entityType', filterType: 'text', type: 'equals', filter: 'stack' }, { filterType: 'join', type: 'OR', conditions: ['b0', 'b4'].map((name) => ({ colId: 'resourceURN', filterType: 'text', type: 'equals', filter: urn(name) })) }] };
    assert.deepEqual((await issues({ filterModel: either, sortModel: [{ colId: 'resourceURN', sort: 'desc' }] })).body.policyIssues.map((i: any) => i.resourceName), ['thing-4', 'thing-0']);
    const page = await issues({ startRow: 1, endRow: 3, sortModel: [{ colId: 'resourceURN', sort: 'asc' }] });
    assert.equal(page.status, 200, page.text);
    assert.deepEqual([page.body.rowCount, page.body.groupData, page.body.policyIssues.map((i: any) => i.resourceName)], [5, null, ['thing-1', 'thing-2']]);
    const issue = page.body.policyIssues[0];
    assert.deepEqual(
      [issue.entityType, issue.entityProject, issue.entityId, issue.resourceType, issue.resourceProvider, issue.status, issue.kind, issue.priority, issue.severity],
      ['stack', 'iss', 'dev', 'pulumi-nodejs:dynamic:Resource', 'pulumi-nodejs', 'open', 'preventative', 'p1', 'high'],
    );
    for (const [body, message] of [
      [{ sortModel: [{ colId: 'nope', sort: 'asc' }] }, /colId 'nope' is not a column/],
      [{ filterModel: { colId: 'level', type: 'contains', filter: 'x' } }, /only 'equals' conditions on text are supported, not 'contains' on 'level'/],
      [{ filterModel: { colId: 'policyGroupName', type: 'equals', filter: 'x' } }, /not filtered by 'policyGroupName'/],
      [{ startRow: 5, endRow: 2 }, /startRow and endRow/],
    ] as const) {
      const refused = await member.post(`/api/orgs/${org}/policyresults/issues`, body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.match(refused.body.message, message);
    }

    // Triage: the server's own states cannot be set; an assignee must be a member.
    const url = `/api/orgs/${org}/policyresults/issues/${issue.id}`;
    const mark = await auditMark(server);
    assert.equal((await admin.patch(url, { status: 'fixed' })).status, 400);
    assert.equal((await admin.patch(url, { assignedTo: 'nobody-here' })).status, 400);
    const triaged = await admin.patch(url, { status: 'ignored', priority: 'p4', assignedTo: 'policy-member' });
    assert.equal(triaged.status, 200, triaged.text);
    assert.deepEqual([triaged.body.policyIssue.status, triaged.body.policyIssue.priority, triaged.body.policyIssue.assignedTo.githubLogin], ['ignored', 'p4', 'policy-member']);
    assert.equal(triaged.body.policy, null, 'no pack of that name and tag is published');
    assert.deepEqual(await auditAfter(server, org, mark), [
      audited(
        'policy-issue-updated',
        `Set policy issue ${issue.id} (policy "no-forbidden-name" of pack "stackyard-test-policies" on stack "iss/dev") to status ignored, priority p4, assigned to policy-member`,
        false,
      ),
    ], 'one event, and none for the refused changes');
    const got = await member.get(url);
    assert.deepEqual(got.body.policyIssue, triaged.body.policyIssue);
    assert.equal((await member.get(`/api/orgs/${org}/policyresults/issues/no-such-id`)).status, 404);

    // Seen again, an ignored issue stays ignored; passed, issues are fixed (closed); seen again, a fixed one opens.
    await report(['b1'], ['b2', 'b3']);
    assert.deepEqual((await issues({}, true)).body.policyIssues.map((i: any) => [i.resourceName, i.status]).sort(), [['thing-1', 'ignored'], ['thing-2', 'fixed'], ['thing-3', 'fixed']]);
    assert.deepEqual((await issues({})).body.policyIssues.map((i: any) => i.resourceName).sort(), ['thing-0', 'thing-4']);
    await report(['b2']);
    assert.deepEqual((await issues({})).body.policyIssues.map((i: any) => [i.resourceName, i.status]).sort(), [['thing-0', 'open'], ['thing-2', 'open'], ['thing-4', 'open']]);

    const metadata = (await member.get(`${groups()}/metadata`)).body;
    assert.deepEqual(Object.keys(metadata).sort(), ['AuditStackResources', 'AuditStacks', 'PreventativeStackResources', 'PreventativeStacks', 'ProtectedAccountResources', 'ProtectedAccounts', 'ProtectedStackResources', 'ProtectedStacks', 'TotalAccountResources', 'TotalAccounts', 'TotalStackResources', 'TotalStacks']);
    assert.ok(metadata.TotalStacks > 0 && metadata.PreventativeStacks <= metadata.TotalStacks && metadata.AuditStacks === 0);
  });

  it('are fixed when a later update leaves their resource out, and follow a renamed stack', async () => {
    await createStack(admin, org, 'gone', 'dev');
    assert.equal((await admin.post(`/api/stacks/${org}/gone/dev/import`, deploymentWithResources('gone', 'dev', 2))).status, 200);
    const run = async (stack: string, names: string[]) => {
      const path = `/api/stacks/${org}/gone/${stack}`;
      const { updateId, token } = await beginUpdate(admin, path);
      const urn = (name: string) => `urn:pulumi:${stack}::gone::pulumi-nodejs:dynamic:Resource::${name}`;
      const events = names.map((name, i) => violationEvent(i + 1, urn(name), 'no-forbidden-name'));
      if (events.length > 0) assert.equal((await admin.post(`${path}/update/${updateId}/events/batch`, { events }, withLease(token))).status, 200);
      assert.equal((await admin.post(`${path}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
    };
    const open = async () =>
      ((await member.get(`/api/orgs/${org}/policyresults/violations?project=gone`)).body.policyViolations as any[]).map((v) => `${v.stackName} ${v.resourceURN}`).sort();
    // `ghost`, which the update kept from being created, stays while that update is the newest.
    await run('dev', ['thing-0', 'thing-1', 'ghost']);
    assert.equal((await open()).length, 3);
    await run('dev', []);
    assert.deepEqual(await open(), ['dev urn:pulumi:dev::gone::pulumi-nodejs:dynamic:Resource::thing-0', 'dev urn:pulumi:dev::gone::pulumi-nodejs:dynamic:Resource::thing-1']);

    assert.equal((await admin.post(`/api/stacks/${org}/gone/dev/rename`, { newName: 'renamed' })).status, 200);
    const renamed = ['renamed urn:pulumi:renamed::gone::pulumi-nodejs:dynamic:Resource::thing-0', 'renamed urn:pulumi:renamed::gone::pulumi-nodejs:dynamic:Resource::thing-1'];
    assert.deepEqual(await open(), renamed);
    await run('renamed', []);
    assert.deepEqual(await open(), renamed, 'the renamed state still holds them');
    const onlyFirst = deploymentWithResources('gone', 'renamed', 1);
    assert.equal((await admin.post(`/api/stacks/${org}/gone/renamed/import`, onlyFirst)).status, 200);
    await run('renamed', []);
    assert.deepEqual(await open(), [renamed[0]]);
  });

  it('are shown only to callers who may read their stack', async () => {
    const privateOrg = 'policy-private';
    await server.server.ctx.services.admin.createOrganization(privateOrg, 'admin');
    assert.equal((await admin.patch(`/api/orgs/${privateOrg}`, { setDefaultStackPermission: 0 })).status, 200);
    const reader = admin.withToken(await createUser(server, 'policy-reader', { org: privateOrg }));
    await createStack(admin, privateOrg, 'hidden', 'dev');
    const { updateId, token } = await beginUpdate(admin, `/api/stacks/${privateOrg}/hidden/dev`);
    await admin.post(`/api/stacks/${privateOrg}/hidden/dev/update/${updateId}/events/batch`, { events: [violationEvent(1, 'urn:pulumi:dev::hidden::a:b:C::x', 'p')] }, withLease(token));
    assert.equal((await admin.get(`/api/orgs/${privateOrg}/policyresults/violations`)).body.policyViolations.length, 1);
    assert.deepEqual((await reader.get(`/api/orgs/${privateOrg}/policyresults/violations`)).body, { policyViolations: [], continuationToken: '' });
    assert.equal((await member.get(`/api/orgs/${privateOrg}/policyresults/violations`)).status, 404, 'an outsider');
  });
});
