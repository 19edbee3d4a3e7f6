import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

// Webhooks (issue 16): the three scopes' CRUD, validation, ping, deliveries and redelivery, and
// the events of stacks and updates delivered to a receiver on loopback, signed.

let server: TestServer;
let api: ApiClient;
let receiver: Receiver;
let org: string;
let sequence = 0;
const fresh = (prefix: string) => `${prefix}${++sequence}`;

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

const orgHooks = () => `/api/orgs/${org}/hooks`;
const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** A receiver URL whose path names the test, so each test reads only its own deliveries. */
const target = (label: string) => `${receiver.url}/${label}`;
const to = (label: string) => (r: { path: string }) => r.path === `/hook/${label}`;

async function freshStack(): Promise<{ name: string; path: string }> {
  const name = fresh('s');
  await createStack(api, org, 'proj', name);
  return { name, path: `/api/stacks/${org}/proj/${name}` };
}

async function runUpdate(stackPath: string, kind: string, status: 'succeeded' | 'failed', changes?: Record<string, number>) {
  const { updateId, token, version } = await beginUpdate(api, stackPath, kind);
  if (changes) {
    const summary = { sequence: 1, timestamp: 1, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: changes, PolicyPacks: {}, isPreview: kind === 'preview', result: status } };
    const sent = await api.post(`${stackPath}/update/${updateId}/events/batch`, { events: [summary] }, withLease(token));
    assert.ok(sent.status < 300, sent.text);
  }
  const done = await api.post(`${stackPath}/update/${updateId}/complete`, { status }, withLease(token));
  assert.ok(done.status < 300, done.text);
  return { updateId, version };
}

describe('organization webhooks: create, read, update, delete', () => {
  it('creates a hook as the CLI sends it (name "", display name, echoed response fields): 201 with a generated name and the secret never returned', async () => {
    const created = await api.post(orgHooks(), {
      organizationName: org,
      name: '',
      displayName: 'CLI hook',
      payloadUrl: 'https://example.com/hook',
      active: true,
      hasSecret: false,
      secretCiphertext: '',
      secret: 'shh',
      groups: ['stacks'],
    });
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.name, /^[0-9a-f]{8}$/);
    assert.deepEqual(created.body, {
      organizationName: org,
      name: created.body.name,
      displayName: 'CLI hook',
      payloadUrl: 'https://example.com/hook',
      active: true,
      format: 'raw',
      groups: ['stacks'],
      hasSecret: true,
      secretCiphertext: createHash('sha256').update('shh').digest('hex'),
    });
    assert.doesNotMatch(created.text, /"secret"|shh/);
    const read = await api.get(`${orgHooks()}/${created.body.name}`);
    assert.deepEqual(read.body, created.body);
    const listed = await api.get(orgHooks());
    assert.ok(listed.body.some((h: { name: string }) => h.name === created.body.name));
    await api.delete(`${orgHooks()}/${created.body.name}`);
  });

  it('PATCH replaces display name, active, filters and groups; keeps the URL, format and secret unless given; __remove-secret clears it', async () => {
    const name = fresh('patch');
    const created = await api.post(orgHooks(), {
      organizationName: org,
      name,
      displayName: 'before',
      payloadUrl: 'https://example.com/a',
      active: true,
      format: 'ms_teams',
      filters: ['stack_created'],
      secret: 'one',
    });
    assert.equal(created.status, 201, created.text);
    // As the docs' example: only some fields.
    const partial = await api.patch(`${orgHooks()}/${name}`, { organizationName: org, displayName: 'after', active: false });
    assert.equal(partial.status, 200, partial.text);
    assert.equal(partial.body.displayName, 'after');
    assert.equal(partial.body.active, false);
    assert.equal(partial.body.payloadUrl, 'https://example.com/a');
    assert.equal(partial.body.format, 'ms_teams');
    assert.equal(partial.body.filters, undefined, 'filters absent from the body are cleared, as the CLIs rely on');
    assert.equal(partial.body.hasSecret, true);
    // As the CLI's `edit`: the whole object read back, response fields included, secret "".
    const edited = await api.patch(`${orgHooks()}/${name}`, { ...partial.body, secret: '', groups: ['environments'] });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual(edited.body.groups, ['environments']);
    assert.equal(edited.body.secretCiphertext, createHash('sha256').update('one').digest('hex'));
    const rekeyed = await api.patch(`${orgHooks()}/${name}`, { organizationName: org, displayName: 'after', active: true, secret: 'two' });
    assert.equal(rekeyed.body.secretCiphertext, createHash('sha256').update('two').digest('hex'));
    const cleared = await api.patch(`${orgHooks()}/${name}`, { organizationName: org, displayName: 'after', active: true, secret: '__remove-secret' });
    assert.equal(cleared.body.hasSecret, false);
    assert.equal(cleared.body.secretCiphertext, '');
    assert.equal((await api.delete(`${orgHooks()}/${name}`)).status, 204);
    assert.equal((await api.get(`${orgHooks()}/${name}`)).status, 404);
    assert.equal((await api.delete(`${orgHooks()}/${name}`)).status, 404);
  });

  it('PATCH as `pulumi env webhook edit` sends it, with no organizationName: the path names the organization; creation still requires it', async () => {
    const envName = fresh('hooked');
    assert.equal((await api.post(`/api/esc/environments/${org}`, { project: 'app', name: envName })).status, 200);
    const hooks = `/api/esc/environments/${org}/app/${envName}/hooks`;
    const missing = await api.post(hooks, { displayName: 'env', payloadUrl: 'https://example.com/env', active: true });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /organizationName/);
    const created = await api.post(hooks, { organizationName: org, name: '', projectName: 'app', envName, displayName: 'env', payloadUrl: 'https://example.com/env', active: true, secret: 's' });
    assert.equal(created.status, 201, created.text);
    // The ESC CLI's UpdateEnvironmentWebhookRequest: these fields and no others.
    const edited = await api.patch(`${hooks}/${created.body.name}`, { active: true, displayName: 'env 2', payloadUrl: 'https://example.com/env', filters: ['environment_revision_created'] });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual(edited.body, { ...created.body, displayName: 'env 2', filters: ['environment_revision_created'] });
    const elsewhere = await api.patch(`${hooks}/${created.body.name}`, { organizationName: 'elsewhere', active: true, displayName: 'env 3', payloadUrl: 'https://example.com/env' });
    assert.equal(elsewhere.status, 400);
    assert.match(elsewhere.body.message, /Organization name from request body doesn't match URL/);
  });

  it('refuses bad input with a 400 or 409 naming the problem, and stores nothing', async () => {
    const stack = await freshStack();
    const base = { organizationName: org, displayName: 'bad', payloadUrl: 'https://example.com/x', active: true };
    const taken = fresh('taken');
    assert.equal((await api.post(orgHooks(), { ...base, name: taken })).status, 201);
    const before = (await api.get(orgHooks())).body.length;
    const cases: Array<[string, unknown, number, RegExp]> = [
      [orgHooks(), { ...base, format: 'email' }, 400, /invalid webhook format 'email'/],
      [orgHooks(), { ...base, filters: ['stack_exploded'] }, 400, /unknown webhook filter 'stack_exploded'/],
      [orgHooks(), { ...base, groups: ['teams'] }, 400, /unknown webhook group 'teams'/],
      [orgHooks(), { ...base, payloadUrl: 'ftp://example.com/x' }, 400, /scheme must be http or https/],
      [orgHooks(), { ...base, payloadUrl: 'not a url' }, 400, /is not a URL/],
      [orgHooks(), { ...base, payloadUrl: '' }, 400, /payload URL: it must not be empty/],
      [orgHooks(), { ...base, format: 'slack', payloadUrl: 'https://example.com/slack' }, 400, /hooks\.slack\.com/],
      [orgHooks(), { ...base, format: 'pulumi_deployments', payloadUrl: 'proj/other' }, 400, /can only be used on stack or environment webhooks/],
      [orgHooks(), { ...base, name: 'has space' }, 400, /invalid webhook name/],
      [orgHooks(), { ...base, name: 'x'.repeat(33) }, 400, /invalid webhook name/],
      [orgHooks(), { ...base, displayName: '' }, 400, /display name/],
      [orgHooks(), { ...base, organizationName: 'elsewhere' }, 400, /Organization name from request body doesn't match URL/],
      [orgHooks(), { ...base, active: 'yes' }, 400, /active/],
      [orgHooks(), { organizationName: org, displayName: 'x', active: true }, 400, /payloadUrl/],
      [orgHooks(), { ...base, name: taken }, 409, new RegExp(`Webhook with name ${taken} already exists`)],
      [`${stack.path}/hooks`, { ...base, filters: ['stack_created'] }, 400, /'stack_created' is for organization webhooks only/],
      [`${stack.path}/hooks`, { ...base, groups: ['environments'] }, 400, /unknown webhook group 'environments' for stack webhooks/],
      [`${stack.path}/hooks`, { ...base, stackName: 'other' }, 400, /Stack name from request body doesn't match URL/],
      [`${stack.path}/hooks`, { ...base, format: 'pulumi_deployments', payloadUrl: 'not-a-stack' }, 400, /'<project>\/<stack>'/],
    ];
    for (const [path, body, status, message] of cases) {
      const reply = await api.post(path, body);
      assert.equal(reply.status, status, `${JSON.stringify(body)}: ${reply.text}`);
      assert.equal(reply.body.code, status);
      assert.match(reply.body.message, message);
    }
    const badPatch = await api.patch(`${orgHooks()}/${taken}`, { ...base, format: 'carrier-pigeon' });
    assert.equal(badPatch.status, 400);
    assert.equal((await api.get(`${orgHooks()}/${taken}`)).body.format, 'raw', 'a refused PATCH changes nothing');
    assert.equal((await api.get(orgHooks())).body.length, before);
    assert.deepEqual((await api.get(`${stack.path}/hooks`)).body, []);
  });

  it('audits each change once, in the organization, and nothing for reads, pings or refused changes', async () => {
    const stack = await freshStack();
    const mark = await auditMark(server);
    const name = fresh('audited');
    const body = { organizationName: org, name, displayName: name, payloadUrl: 'http://127.0.0.1:1/x', active: false };
    await api.post(`${stack.path}/hooks`, body);
    await api.post(`${stack.path}/hooks`, body);
    await api.get(`${stack.path}/hooks/${name}`);
    await api.post(`${stack.path}/hooks/${name}/ping`);
    await api.patch(`${stack.path}/hooks/${name}`, { ...body, displayName: 'renamed' });
    await api.patch(`${stack.path}/hooks/${name}`, { ...body, format: 'fax' });
    await api.delete(`${stack.path}/hooks/${name}`);
    const events = await auditAfter(server, org, mark);
    assert.deepEqual(
      events.map((e) => [e.event, e.description, e.user_login]),
      [
        ['webhook-created', `Created stack webhook "${name}" of stack "proj/${stack.name}"`, 'admin'],
        ['webhook-updated', `Changed stack webhook "${name}" of stack "proj/${stack.name}"`, 'admin'],
        ['webhook-deleted', `Deleted stack webhook "${name}" of stack "proj/${stack.name}"`, 'admin'],
      ],
    );
  });

  it('only organization admins manage organization hooks; only stack admins manage stack hooks', async () => {
    const memberToken = await createUser(server, fresh('member'), { org, role: 'member' });
    const member = api.withToken(memberToken);
    const body = { organizationName: org, displayName: 'x', payloadUrl: 'https://example.com', active: true };
    const refused = await member.post(orgHooks(), body);
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /admin/);
    assert.equal((await member.get(orgHooks())).status, 403);
    const outsider = api.withToken(await createUser(server, fresh('outsider')));
    assert.equal((await outsider.get(orgHooks())).status, 404);
    assert.equal((await api.get(orgHooks(), { token: null })).status, 401);
  });
});

describe('deliveries', () => {
  it('ping: delivers now, signed, and returns the delivery record; the deliveries list has it', async () => {
    const name = fresh('ping');
    await api.post(orgHooks(), { organizationName: org, name, displayName: 'ping', payloadUrl: target(name), active: false, secret: 'pingsecret' });
    const ping = await api.post(`${orgHooks()}/${name}/ping`);
    assert.equal(ping.status, 200, ping.text);
    const [got] = await receiver.waitFor(1, to(name));
    assert.deepEqual(Object.keys(got!.json), ['timestamp', 'message']);
    assert.equal(got!.json.message, '🍹 Just a friendly ping from Pulumi 🍹');
    assert.equal(got!.headers['pulumi-webhook-kind'], 'ping');
    assert.equal(got!.headers['content-type'], 'application/json');
    assert.equal(got!.headers['pulumi-webhook-signature'], sign('pingsecret', got!.body));
    assert.equal(got!.headers['pulumi-webhook-id'], ping.body.id);
    assert.deepEqual(Object.keys(ping.body).sort(), ['duration', 'id', 'kind', 'payload', 'requestHeaders', 'requestUrl', 'responseBody', 'responseCode', 'responseHeaders', 'timestamp']);
    assert.equal(ping.body.kind, 'ping');
    assert.equal(ping.body.payload, got!.body);
    assert.equal(ping.body.requestUrl, target(name));
    assert.equal(ping.body.responseCode, 200);
    assert.equal(ping.body.responseBody, 'thanks');
    assert.match(ping.body.responseHeaders, /X-Receiver: test\r\n/);
    assert.equal(
      ping.body.requestHeaders,
      `Accept: */*\r\nContent-Type: application/json\r\nPulumi-Webhook-Id: ${ping.body.id}\r\nPulumi-Webhook-Kind: ping\r\nPulumi-Webhook-Signature: ${sign('pingsecret', got!.body)}\r\n`,
    );
    assert.ok(Math.abs(ping.body.timestamp - Date.now() / 1000) < 60);
    const deliveries = await api.get(`${orgHooks()}/${name}/deliveries`);
    assert.deepEqual(deliveries.body, [ping.body]);
  });

  it('a ping to a URL nobody answers is still a 200, with response code 0 and the reason', async () => {
    const name = fresh('dead');
    await api.post(orgHooks(), { organizationName: org, name, displayName: 'dead', payloadUrl: 'http://127.0.0.1:1/nothing', active: true });
    const ping = await api.post(`${orgHooks()}/${name}/ping`);
    assert.equal(ping.status, 200);
    assert.equal(ping.body.responseCode, 0);
    assert.equal(ping.body.responseHeaders, '');
    assert.match(ping.body.responseBody, /URL error with webhook: .*ECONNREFUSED/);
  });

  it('stack created and deleted reach organization hooks, with the documented payload', async () => {
    const name = fresh('stacks');
    await api.post(orgHooks(), { organizationName: org, name, displayName: 'stacks', payloadUrl: target(name), active: true, filters: ['stack_created', 'stack_deleted'], secret: 'k' });
    const stack = await freshStack();
    const [created] = await receiver.waitFor(1, to(name));
    assert.equal(created!.headers['pulumi-webhook-kind'], 'stack');
    assert.equal(created!.headers['pulumi-webhook-signature'], sign('k', created!.body));
    assert.deepEqual(created!.json, {
      user: { name: 'admin', githubLogin: 'admin', avatarUrl: created!.json.user.avatarUrl },
      organization: { name: created!.json.organization.name, githubLogin: org, avatarUrl: '' },
      action: 'created',
      projectName: 'proj',
      stackName: stack.name,
    });
    assert.ok(!created!.body.includes('\n'), 'compact JSON');
    assert.equal((await api.delete(stack.path)).status, 204);
    const [, deleted] = await receiver.waitFor(2, to(name));
    assert.equal(deleted!.json.action, 'deleted');
    assert.notEqual(deleted!.headers['pulumi-webhook-id'], created!.headers['pulumi-webhook-id']);
  });

  it('update, preview, refresh and destroy results reach stack hooks by their filters; inactive hooks get nothing', async () => {
    const stack = await freshStack();
    const hooks = `${stack.path}/hooks`;
    const all = fresh('all');
    const failures = fresh('failures');
    const off = fresh('off');
    for (const [name, extra] of [
      [all, {}],
      [failures, { filters: ['update_failed', 'preview_failed'] }],
      [off, { active: false }],
    ] as const) {
      const reply = await api.post(hooks, { organizationName: org, projectName: 'proj', stackName: stack.name, name, displayName: name, payloadUrl: target(name), active: true, ...extra });
      assert.equal(reply.status, 201, reply.text);
    }
    const updated = await runUpdate(stack.path, 'update', 'succeeded', { create: 3, same: 0, update: 1 });
    const previewed = await runUpdate(stack.path, 'preview', 'failed');
    await runUpdate(stack.path, 'refresh', 'succeeded');
    const failed = await runUpdate(stack.path, 'update', 'failed');
    await runUpdate(stack.path, 'destroy', 'succeeded');
    const got = await receiver.waitFor(5, to(all));
    const byKind = got.map((r) => [r.headers['pulumi-webhook-kind'], r.json.kind, r.json.result, r.json.isPreview]);
    assert.deepEqual(byKind, [
      ['stack_update', 'update', 'succeeded', false],
      ['stack_preview', 'update', 'failed', true],
      ['stack_update', 'refresh', 'succeeded', false],
      ['stack_update', 'update', 'failed', false],
      ['stack_update', 'destroy', 'succeeded', false],
    ]);
    assert.deepEqual(got[0]!.json, {
      user: got[0]!.json.user,
      organization: got[0]!.json.organization,
      projectName: 'proj',
      stackName: stack.name,
      updateUrl: `${server.url}/${org}/proj/${stack.name}/updates/${updated.version}`,
      kind: 'update',
      result: 'succeeded',
      resourceChanges: { create: 3, update: 1 },
      isPreview: false,
    });
    assert.equal(got[1]!.json.updateUrl, `${server.url}/${org}/proj/${stack.name}/previews/${previewed.updateId}`);
    const onlyFailures = await receiver.waitFor(2, to(failures));
    assert.deepEqual(
      onlyFailures.map((r) => [r.json.isPreview, r.json.result]),
      [
        [true, 'failed'],
        [false, 'failed'],
      ],
    );
    assert.equal(onlyFailures[1]!.json.updateUrl.endsWith(`/updates/${failed.version}`), true);
    // A later event to the active hooks has been delivered: the inactive one would have had its turn.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(receiver.received.filter(to(off)).length, 0);
    assert.equal(receiver.received.filter(to(failures)).length, 2);
    const listed = await api.get(`${hooks}/${all}/deliveries`);
    assert.equal(listed.body.length, 5);
    assert.equal(listed.body[0].kind, 'stack_update', 'newest first');
    assert.equal(JSON.parse(listed.body[0].payload).kind, 'destroy');
  });

  it('a 500 is retried with backoff and the retry succeeds; every attempt is recorded under the same event id; redeliver resends it', async () => {
    const stack = await freshStack();
    const name = fresh('retry');
    await api.post(`${stack.path}/hooks`, { organizationName: org, name, displayName: name, payloadUrl: target(name), active: true });
    receiver.respondWith(`/hook/${name}`, 500);
    await runUpdate(stack.path, 'update', 'succeeded');
    const [first, second] = await receiver.waitFor(2, to(name));
    assert.equal(second!.headers['pulumi-webhook-id'], first!.headers['pulumi-webhook-id']);
    assert.equal(second!.body, first!.body);
    const deliveries = (await api.get(`${stack.path}/hooks/${name}/deliveries`)).body;
    assert.deepEqual(
      deliveries.map((d: { responseCode: number; id: string }) => [d.responseCode, d.id]),
      [
        [200, first!.headers['pulumi-webhook-id']],
        [500, first!.headers['pulumi-webhook-id']],
      ],
    );
    assert.equal(deliveries[1].responseBody, 'receiver failure');
    const again = await api.post(`${stack.path}/hooks/${name}/deliveries/${deliveries[0].id}/redeliver`);
    assert.equal(again.status, 200, again.text);
    const [, , third] = await receiver.waitFor(3, to(name));
    assert.equal(third!.headers['pulumi-webhook-id'], first!.headers['pulumi-webhook-id']);
    assert.equal(third!.body, first!.body);
    assert.equal(again.body.id, deliveries[0].id);
    assert.equal((await api.post(`${stack.path}/hooks/${name}/deliveries/no-such-event/redeliver`)).status, 404);
  });

  it('a 4xx is not retried', async () => {
    const stack = await freshStack();
    const name = fresh('gone');
    await api.post(`${stack.path}/hooks`, { organizationName: org, name, displayName: name, payloadUrl: target(name), active: true });
    receiver.respondWith(`/hook/${name}`, 410);
    await runUpdate(stack.path, 'update', 'succeeded');
    await receiver.waitFor(1, to(name));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(receiver.received.filter(to(name)).length, 1);
    assert.equal((await api.get(`${stack.path}/hooks/${name}/deliveries`)).body[0].responseCode, 410);
  });

  it('Microsoft Teams hooks get an Adaptive Card; pulumi_deployments hooks start an update of the stack they name, once', async () => {
    const stack = await freshStack();
    const downstream = await freshStack();
    const bare = await freshStack();
    await api.post(`${downstream.path}/deployments/settings`, { sourceContext: { git: { repoUrl: 'https://example.com/acme/infra.git', branch: 'main' } } });
    const teams = fresh('teams');
    const deploy = fresh('deploy');
    const nowhere = fresh('deploy');
    await api.post(`${stack.path}/hooks`, { organizationName: org, name: teams, displayName: teams, payloadUrl: target(teams), active: true, format: 'ms_teams' });
    const created = await api.post(`${stack.path}/hooks`, { organizationName: org, name: deploy, displayName: deploy, payloadUrl: `proj/${downstream.name}`, active: true, format: 'pulumi_deployments' });
    assert.equal(created.status, 201, created.text);
    await api.post(`${stack.path}/hooks`, { organizationName: org, name: nowhere, displayName: nowhere, payloadUrl: `proj/${bare.name}`, active: true, format: 'pulumi_deployments' });

    // A ping says whether an event would start one, and starts none.
    const ping = await api.post(`${stack.path}/hooks/${deploy}/ping`);
    assert.equal(ping.body.responseCode, 200, ping.text);
    assert.equal((await api.post(`${stack.path}/hooks/${nowhere}/ping`)).body.responseCode, 400);
    assert.equal((await api.get(`${downstream.path}/deployments`)).body.total, 0);

    await runUpdate(stack.path, 'update', 'failed');
    const [card] = await receiver.waitFor(1, to(teams));
    assert.equal(card!.json.type, 'message');
    const content = card!.json.attachments[0].content;
    assert.equal(card!.json.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(content.type, 'AdaptiveCard');
    assert.match(content.body[0].text, new RegExp(`Update failed on ${org}/proj/${stack.name}`));
    assert.equal(content.actions[0].type, 'Action.OpenUrl');
    const recordedOf = async (name: string) => {
      let recorded: any[] = [];
      for (let i = 0; i < 100 && recorded.filter((r) => r.kind !== 'ping').length === 0; i++) {
        recorded = (await api.get(`${stack.path}/hooks/${name}/deliveries`)).body;
        await new Promise((r) => setTimeout(r, 50));
      }
      return recorded.filter((r) => r.kind !== 'ping');
    };
    const [started] = await recordedOf(deploy);
    assert.equal(started.responseCode, 202, started.responseBody);
    const listed = (await api.get(`${downstream.path}/deployments`)).body;
    assert.equal(listed.total, 1);
    const [deployment] = listed.deployments;
    assert.equal(JSON.parse(started.responseBody).id, deployment.id);
    assert.deepEqual([deployment.pulumiOperation, deployment.initiator, deployment.requestedBy.githubLogin, deployment.status], ['update', 'webhook', (await api.get('/api/user')).body.githubLogin, 'not-started']);
    assert.equal(deployment.configuration.source.git.repoURL, 'https://example.com/acme/infra.git', 'the target stack\'s own settings');

    const [refused] = await recordedOf(nowhere);
    assert.equal(refused.responseCode, 400);
    assert.match(refused.responseBody, /has no deployment settings/);
    assert.equal((await api.get(`${bare.path}/deployments`)).body.total, 0);
  });

  it("deleting a stack removes its hooks and their deliveries", async () => {
    const stack = await freshStack();
    const name = fresh('doomed');
    await api.post(`${stack.path}/hooks`, { organizationName: org, name, displayName: name, payloadUrl: target(name), active: true });
    await api.post(`${stack.path}/hooks/${name}/ping`);
    const deleted = await api.delete(stack.path);
    assert.equal(deleted.status, 204, deleted.text);
    const db = server.server.ctx.database.db;
    const left = await db.selectFrom('webhooks').select('id').where('name', '=', name).execute();
    assert.deepEqual(left, []);
    await createStack(api, org, 'proj', stack.name);
    assert.deepEqual((await api.get(`${stack.path}/hooks`)).body, []);
    assert.equal((await api.get(`${stack.path}/hooks/${name}`)).status, 404);
  });
});

describe('refusing private targets', () => {
  it('with --webhook-refuse-private-targets on, loopback and private addresses get no request', async () => {
    const guarded = await startTestServer({ args: ['--webhook-refuse-private-targets', 'on'] });
    try {
      const admin = new ApiClient(guarded.url, guarded.adminToken);
      const hooks = `/api/orgs/${guarded.org}/hooks`;
      for (const [name, url] of [
        ['loop', target('guarded')],
        ['local', 'http://localhost:9/x'],
        ['private', 'http://10.1.2.3/x'],
        ['mapped', 'http://[::ffff:127.0.0.1]/x'],
      ] as const) {
        assert.equal((await admin.post(hooks, { organizationName: guarded.org, name, displayName: name, payloadUrl: url, active: true })).status, 201);
        const ping = await admin.post(`${hooks}/${name}/ping`);
        assert.equal(ping.body.responseCode, 0, name);
        assert.match(ping.body.responseBody, /private address this server does not deliver to/, name);
      }
      assert.equal(receiver.received.filter(to('guarded')).length, 0);
    } finally {
      await guarded.close();
    }
  });
});
