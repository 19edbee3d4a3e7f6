// Webhooks with the real Pulumi CLI: what a receiver on loopback gets for a real `pulumi up` and
// `pulumi preview` of a YAML program, and the CLI's own `org webhook`, `stack webhook` and
// `env webhook` commands against what the server stores.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { PulumiCli } from '../helpers/cli.js';
import { ApiClient } from '../helpers/http.js';
import { startReceiver, type Received, type Receiver } from '../helpers/receiver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
let receiver: Receiver;
let cli: PulumiCli;
let org: string;
/** The webhook command groups this CLI has (they arrived in later CLI versions than some the matrix runs). */
const commands = { org: false, stack: false, env: false };
/** `pulumi env webhook remove`, named `rm` by CLIs before v3.259. */
let envRemove = 'remove';

const project = 'hookproj';
const stack = () => `${org}/${project}/dev`;
const stackPath = () => `/api/stacks/${org}/${project}/dev`;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  receiver = await startReceiver();
  cli = new PulumiCli(server.url, server.adminToken, project);
  await cli.ok(['login', server.url]);
  await cli.ok(['stack', 'init', stack()]);
  // An older CLI answers `--help` of a command it lacks with its parent's help, and exit code 0.
  for (const group of ['org', 'stack', 'env'] as const) {
    const help = await cli.run([group, 'webhook', '--help']);
    commands[group] = help.code === 0 && help.stdout.includes(`pulumi ${group} webhook [command]`);
    if (group === 'env') envRemove = /^ {2}rm /m.test(help.stdout) ? 'rm' : 'remove';
  }
});
after(async () => {
  cli.cleanup();
  await receiver.close();
  await server.close();
});

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** A receiver URL whose path names the hook, so each test reads only its own deliveries. */
const target = (label: string) => `${receiver.url}/${label}`;
const to = (label: string) => (r: Received) => r.path === `/hook/${label}`;
const json = (result: { stdout: string }) => JSON.parse(result.stdout);

/** The project's program: a YAML program with one output, or one whose evaluation fails once the update runs. */
function writeProgram(kind: 'ok' | 'failing', greeting = 'hello'): void {
  const outputs =
    kind === 'ok' ? `outputs:\n  greeting: ${greeting}\n` : `outputs:\n  greeting: ${greeting}\n  missing:\n    fn::readFile: ./no-such-file.txt\n`;
  fs.writeFileSync(path.join(cli.projectDir, 'Pulumi.yaml'), `name: ${project}\nruntime: yaml\n${outputs}`);
}

async function createStackHook(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const created = await api.post(`${stackPath()}/hooks`, { organizationName: org, name, displayName: name, payloadUrl: target(name), active: true, ...extra });
  assert.equal(created.status, 201, created.text);
}

/** The engine's resource changes, as a webhook payload carries them: zero counts left out. */
const nonZero = (changes: Record<string, number>) => Object.fromEntries(Object.entries(changes).filter(([, count]) => count !== 0));

function assertSigned(got: Received, secret: string, kind: string): void {
  assert.equal(got.headers['content-type'], 'application/json');
  assert.equal(got.headers['pulumi-webhook-kind'], kind);
  assert.match(String(got.headers['pulumi-webhook-id']), /^[0-9a-f-]{36}$/);
  assert.equal(got.headers['pulumi-webhook-signature'], sign(secret, got.body), 'hex HMAC-SHA256 of the exact body');
}

/** Skips a test when this CLI version has no such command group. */
function requireCommands(t: TestContext, group: keyof typeof commands): boolean {
  if (!commands[group]) t.skip(`this CLI has no \`pulumi ${group} webhook\``);
  return commands[group];
}

describe('deliveries of real updates', () => {
  it('a `pulumi up` that succeeds: a signed stack_update whose resource changes are the engine’s and whose URL names the update’s version', async () => {
    await createStackHook('up', { secret: 'up-secret' });
    writeProgram('ok');
    await cli.ok(['up', '--yes', '--skip-preview']);
    const [got] = await receiver.waitFor(1, to('up'));
    assertSigned(got!, 'up-secret', 'stack_update');
    const [latest] = json(await cli.ok(['stack', 'history', '--json']));
    assert.equal(latest.result, 'succeeded');
    assert.deepEqual(got!.json, {
      user: { name: 'admin', githubLogin: 'admin', avatarUrl: got!.json.user.avatarUrl },
      organization: { name: got!.json.organization.name, githubLogin: org, avatarUrl: '' },
      projectName: project,
      stackName: 'dev',
      updateUrl: `${server.url}/${org}/${project}/dev/updates/${latest.version}`,
      kind: 'update',
      result: 'succeeded',
      resourceChanges: nonZero(latest.resourceChanges),
      isPreview: false,
    });
    assert.deepEqual(got!.json.resourceChanges, { create: 1 }, 'the first update creates the stack resource');
    assert.ok(!got!.body.includes('\n'), 'compact JSON');
    const [delivery] = (await api.get(`${stackPath()}/hooks/up/deliveries`)).body;
    assert.equal(delivery.id, got!.headers['pulumi-webhook-id']);
    assert.equal(delivery.payload, got!.body);
    assert.equal(delivery.responseCode, 200);
  });

  it('a `pulumi up` whose program fails after the update started: update_failed, to the hooks that asked for failures only, with the failed update’s URL', async () => {
    await createStackHook('failures', { filters: ['update_failed', 'preview_failed'], secret: 'f' });
    const orgHook = await api.post(`/api/orgs/${org}/hooks`, {
      organizationName: org,
      name: 'org-failures',
      displayName: 'org failures',
      payloadUrl: target('org-failures'),
      active: true,
      filters: ['update_failed'],
    });
    assert.equal(orgHook.status, 201, orgHook.text);
    writeProgram('ok', 'again');
    await cli.ok(['up', '--yes', '--skip-preview']);
    writeProgram('failing');
    const failed = await cli.run(['up', '--yes', '--skip-preview']);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stdout + failed.stderr, /no-such-file\.txt/);
    const [latest, previous] = json(await cli.ok(['stack', 'history', '--json']));
    assert.equal(latest.result, 'failed');
    assert.equal(previous.result, 'succeeded');

    const [got] = await receiver.waitFor(1, to('failures'));
    assertSigned(got!, 'f', 'stack_update');
    assert.equal(got!.json.kind, 'update');
    assert.equal(got!.json.result, 'failed');
    assert.equal(got!.json.isPreview, false);
    assert.equal(got!.json.updateUrl, `${server.url}/${org}/${project}/dev/updates/${latest.version}`);
    assert.deepEqual(got!.json.resourceChanges, nonZero(latest.resourceChanges));
    const [atOrg] = await receiver.waitFor(1, to('org-failures'));
    assert.equal(atOrg!.headers['pulumi-webhook-signature'], undefined, 'a hook without a secret sends no signature');
    assert.deepEqual(atOrg!.json, got!.json);
    assert.notEqual(atOrg!.headers['pulumi-webhook-id'], got!.headers['pulumi-webhook-id'], 'each hook’s delivery is an event of its own');

    // The hook for every event has had both updates: the success was not held back, only filtered.
    const all = await receiver.waitFor(3, to('up'));
    assert.deepEqual(
      all.map((r) => [r.json.result, r.json.updateUrl.split('/').pop()]),
      [
        ['succeeded', String(previous.version - 1)],
        ['succeeded', String(previous.version)],
        ['failed', String(latest.version)],
      ],
    );
    assert.equal(receiver.received.filter(to('failures')).length, 1);
    assert.equal(receiver.received.filter(to('org-failures')).length, 1);
    assert.equal((await api.delete(`/api/orgs/${org}/hooks/org-failures`)).status, 204);
  });

  it('`pulumi preview`: stack_preview with isPreview, the preview’s own URL and the changes its summary reports; a failing preview is preview_failed', async () => {
    await createStackHook('preview', { groups: ['stacks'], secret: 'p' });
    writeProgram('ok', 'previewed');
    await cli.ok(['preview']);
    const [got] = await receiver.waitFor(1, to('preview'));
    assertSigned(got!, 'p', 'stack_preview');
    const previews = (await api.get(`${stackPath()}/updates/latest/previews`)).body.updates as Array<{ updateID: string; info: { result: string; resourceChanges: Record<string, number> } }>;
    const preview = previews.find((p) => got!.json.updateUrl === `${server.url}/${org}/${project}/dev/previews/${p.updateID}`);
    assert.ok(preview, `${got!.json.updateUrl} names a preview of the stack`);
    assert.deepEqual(got!.json, {
      user: got!.json.user,
      organization: got!.json.organization,
      projectName: project,
      stackName: 'dev',
      updateUrl: got!.json.updateUrl,
      kind: 'update',
      result: 'succeeded',
      resourceChanges: nonZero(preview.info.resourceChanges),
      isPreview: true,
    });

    writeProgram('failing');
    assert.notEqual((await cli.run(['preview'])).code, 0);
    const [, failed] = await receiver.waitFor(2, to('preview'));
    assertSigned(failed!, 'p', 'stack_preview');
    assert.equal(failed!.json.result, 'failed');
    assert.equal(failed!.json.isPreview, true);
    const [updateFailure, previewFailure] = await receiver.waitFor(2, to('failures'));
    assert.equal(updateFailure!.json.isPreview, false);
    assert.equal(previewFailure!.json.isPreview, true, 'preview_failed reached the hook that filters on it');
    assert.equal(previewFailure!.json.updateUrl, failed!.json.updateUrl);
  });
});

describe('pulumi org webhook', () => {
  it('new, list, edit, ping, delivery list and remove: what the CLI prints is what the server stores', async (t) => {
    if (!requireCommands(t, 'org')) return;
    const created = json(
      await cli.ok(['org', 'webhook', 'new', '--org', org, '--name', 'Org hook', '--url', target('org'), '--secret', 'org-secret', '--group', 'stacks', '--yes', '--output', 'json']),
    );
    assert.match(created.id, /^[0-9a-f]{8}$/, 'the server generates the name; --name is the display name');
    const stored = (await api.get(`/api/orgs/${org}/hooks/${created.id}`)).body;
    assert.deepEqual(stored, {
      organizationName: org,
      name: created.id,
      displayName: 'Org hook',
      payloadUrl: target('org'),
      active: true,
      format: 'raw',
      groups: ['stacks'],
      hasSecret: true,
      secretCiphertext: sha256('org-secret'),
    });
    assert.deepEqual(created, { id: created.id, name: 'Org hook', url: target('org'), format: 'raw', active: true, eventGroups: ['stacks'], events: [] });

    const listed = json(await cli.ok(['org', 'webhook', 'list', '--org', org, '--output', 'json']));
    assert.deepEqual(listed, { webhooks: [created], count: 1 });
    const table = await cli.ok(['org', 'webhook', 'list', '--org', org]);
    assert.match(table.stdout, new RegExp(`│ ${created.id} +│ Org hook +│`));
    assert.match(table.stdout, /1 webhook\(s\)/);

    const edited = json(
      await cli.ok(['org', 'webhook', 'edit', created.id, '--org', org, '--display-name', 'Renamed', '--add-event', 'environment_created', '--active=false', '--output', 'json']),
    );
    assert.deepEqual(edited, { ...created, name: 'Renamed', active: false, events: ['environment_created'] });
    const afterEdit = (await api.get(`/api/orgs/${org}/hooks/${created.id}`)).body;
    assert.equal(afterEdit.displayName, 'Renamed');
    assert.equal(afterEdit.active, false);
    assert.deepEqual(afterEdit.filters, ['environment_created']);
    assert.deepEqual(afterEdit.groups, ['stacks'], 'the groups the edit did not touch are kept');
    assert.equal(afterEdit.secretCiphertext, sha256('org-secret'), 'the secret the edit did not touch is kept');

    // A ping goes out even to an inactive hook, signed; the CLI shows the server's delivery record.
    const ping = json(await cli.ok(['org', 'webhook', 'ping', created.id, '--org', org, '--output', 'json']));
    const [pinged] = await receiver.waitFor(1, to('org'));
    assertSigned(pinged!, 'org-secret', 'ping');
    assert.equal(ping.id, pinged!.headers['pulumi-webhook-id']);
    assert.equal(ping.kind, 'ping');
    assert.equal(ping.payload, pinged!.body);
    assert.equal(ping.requestUrl, target('org'));
    assert.equal(ping.responseCode, 200);
    assert.equal(ping.responseBody, 'thanks');
    const pingText = await cli.ok(['org', 'webhook', 'ping', created.id, '--org', org]);
    assert.match(pingText.stdout, /^Kind: +ping$/m);
    assert.match(pingText.stdout, /^Response code: +200$/m);
    assert.match(pingText.stdout, /^ {2}Pulumi-Webhook-Signature: [0-9a-f]{64}$/m);

    const deliveries = json(await cli.ok(['org', 'webhook', 'delivery', 'list', created.id, '--org', org, '--output', 'json']));
    assert.equal(deliveries.count, 2);
    assert.deepEqual(deliveries.deliveries, (await api.get(`/api/orgs/${org}/hooks/${created.id}/deliveries`)).body);
    assert.deepEqual(deliveries.deliveries[1], ping, 'newest first; the record listed is the one ping returned');

    // `--secret ""` clears the secret: later pings are unsigned.
    await cli.ok(['org', 'webhook', 'edit', created.id, '--org', org, '--secret', '']);
    const cleared = (await api.get(`/api/orgs/${org}/hooks/${created.id}`)).body;
    assert.equal(cleared.hasSecret, false);
    assert.equal(cleared.secretCiphertext, '');

    const removed = await cli.ok(['org', 'webhook', 'remove', created.id, '--org', org, '--yes']);
    assert.match(removed.stdout, new RegExp(`Webhook '${created.id}' has been removed`));
    assert.equal((await api.get(`/api/orgs/${org}/hooks/${created.id}`)).status, 404);
    const again = await cli.run(['org', 'webhook', 'remove', created.id, '--org', org, '--yes']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /\[404\] Not Found: webhook '[0-9a-f]{8}' not found/);
  });
});

describe('pulumi stack webhook', () => {
  it('new, list, get, edit, ping, delivery list, redeliver and remove: what the CLI prints is what the server stores', async (t) => {
    if (!requireCommands(t, 'stack')) return;
    const created = json(
      await cli.ok([
        ...['stack', 'webhook', 'new', '--stack', stack(), '--name', 'Stack hook', '--url', target('stack'), '--secret', 'stack-secret'],
        ...['--event', 'update_succeeded', '--event', 'update_failed', '--yes', '--output', 'json'],
      ]),
    );
    const hooks = `${stackPath()}/hooks`;
    const stored = (await api.get(`${hooks}/${created.id}`)).body;
    assert.deepEqual(stored, {
      organizationName: org,
      projectName: project,
      stackName: 'dev',
      name: created.id,
      displayName: 'Stack hook',
      payloadUrl: target('stack'),
      active: true,
      format: 'raw',
      filters: ['update_succeeded', 'update_failed'],
      hasSecret: true,
      secretCiphertext: sha256('stack-secret'),
    });
    assert.deepEqual(created, {
      organizationName: org,
      projectName: project,
      stackName: 'dev',
      envName: '',
      id: created.id,
      name: 'Stack hook',
      url: target('stack'),
      format: 'raw',
      active: true,
      eventGroups: [],
      events: ['update_succeeded', 'update_failed'],
      hasSecret: true,
      secretCiphertext: sha256('stack-secret'),
    });
    assert.deepEqual(json(await cli.ok(['stack', 'webhook', 'get', created.id, '--stack', stack(), '--output', 'json'])), created);
    const text = await cli.ok(['stack', 'webhook', 'get', created.id, '--stack', stack()]);
    assert.match(text.stdout, /^Events: +update_succeeded, update_failed$/m);
    assert.match(text.stdout, /^Has secret: +yes$/m);

    const listed = json(await cli.ok(['stack', 'webhook', 'list', '--stack', stack(), '--output', 'json']));
    const serverNames = (await api.get(hooks)).body.map((h: { name: string }) => h.name);
    assert.deepEqual(
      listed.webhooks.map((h: { id: string }) => h.id),
      serverNames,
    );
    assert.equal(listed.count, serverNames.length);
    assert.deepEqual(
      listed.webhooks.find((h: { id: string }) => h.id === created.id),
      { id: created.id, name: 'Stack hook', url: target('stack'), format: 'raw', active: true, eventGroups: [], events: ['update_succeeded', 'update_failed'] },
    );

    const edited = json(
      await cli.ok([
        ...['stack', 'webhook', 'edit', created.id, '--stack', stack(), '--remove-event', 'update_failed', '--add-group', 'policies'],
        ...['--hook-format', 'ms_teams', '--url', target('stack-teams'), '--output', 'json'],
      ]),
    );
    assert.deepEqual(edited, { ...created, format: 'ms_teams', url: target('stack-teams'), eventGroups: ['policies'], events: ['update_succeeded'] });
    assert.deepEqual(json(await cli.ok(['stack', 'webhook', 'get', created.id, '--stack', stack(), '--output', 'json'])), edited);
    const unsigned = json(await cli.ok(['stack', 'webhook', 'edit', created.id, '--stack', stack(), '--secret', '', '--hook-format', 'raw', '--url', target('stack'), '--output', 'json']));
    assert.equal(unsigned.hasSecret, false);
    assert.equal(unsigned.secretCiphertext, '');
    await cli.ok(['stack', 'webhook', 'edit', created.id, '--stack', stack(), '--secret', 'rotated']);
    assert.equal((await api.get(`${hooks}/${created.id}`)).body.secretCiphertext, sha256('rotated'));

    // An update to deliver, then its delivery listed and redelivered through the CLI.
    writeProgram('ok', 'for the stack hook');
    await cli.ok(['up', '--yes', '--skip-preview']);
    const [event] = await receiver.waitFor(1, to('stack'));
    assertSigned(event!, 'rotated', 'stack_update');
    const ping = json(await cli.ok(['stack', 'webhook', 'ping', created.id, '--stack', stack(), '--output', 'json']));
    const [, pinged] = await receiver.waitFor(2, to('stack'));
    assertSigned(pinged!, 'rotated', 'ping');
    assert.equal(ping.id, pinged!.headers['pulumi-webhook-id']);

    const deliveries = json(await cli.ok(['stack', 'webhook', 'delivery', 'list', created.id, '--stack', stack(), '--output', 'json']));
    assert.deepEqual(deliveries.deliveries, (await api.get(`${hooks}/${created.id}/deliveries`)).body);
    assert.deepEqual(
      deliveries.deliveries.map((d: { id: string; kind: string; responseCode: number }) => [d.id, d.kind, d.responseCode]),
      [
        [ping.id, 'ping', 200],
        [event!.headers['pulumi-webhook-id'], 'stack_update', 200],
      ],
    );
    const newest = json(await cli.ok(['stack', 'webhook', 'delivery', 'list', created.id, '--stack', stack(), '--count', '1', '--output', 'json']));
    assert.deepEqual(newest.deliveries, [deliveries.deliveries[0]]);

    const eventId = String(event!.headers['pulumi-webhook-id']);
    const redelivered = json(await cli.ok(['stack', 'webhook', 'delivery', 'redeliver', created.id, eventId, '--stack', stack(), '--output', 'json']));
    const [, , again] = await receiver.waitFor(3, to('stack'));
    assert.equal(again!.headers['pulumi-webhook-id'], eventId, 'a redelivery keeps the event id');
    assert.equal(again!.body, event!.body, 'and sends the original payload unchanged');
    assertSigned(again!, 'rotated', 'stack_update');
    assert.equal(redelivered.id, eventId);
    assert.equal(redelivered.kind, 'stack_update');
    assert.equal(redelivered.payload, event!.body);
    assert.equal(redelivered.responseCode, 200);
    const unknown = await cli.run(['stack', 'webhook', 'delivery', 'redeliver', created.id, 'no-such-event', '--stack', stack()]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /\[404\] Not Found/);

    const removed = await cli.ok(['stack', 'webhook', 'remove', created.id, '--stack', stack(), '--yes']);
    assert.match(removed.stdout, new RegExp(created.id));
    assert.equal((await api.get(`${hooks}/${created.id}`)).status, 404);
    const gone = await cli.run(['stack', 'webhook', 'get', created.id, '--stack', stack()]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /\[404\] Not Found: webhook '[0-9a-f]{8}' not found/);
  });
});

describe('pulumi env webhook', () => {
  it('new, list, get, edit (a PATCH without organizationName), ping, delivery list and remove: what the CLI prints is what the server stores', async (t) => {
    if (!requireCommands(t, 'env')) return;
    const env = `${org}/app/hooked`;
    const hooks = `/api/esc/environments/${org}/app/hooked/hooks`;
    await cli.ok(['env', 'init', env]);
    const created = await cli.ok(['env', 'webhook', 'new', env, 'Env hook', '--url', target('env'), '--secret', 'env-secret', '--group', 'environments']);
    const name = /Created webhook "([0-9a-f]{8})" for /.exec(created.stdout)?.[1];
    assert.ok(name, created.stdout);
    const stored = (await api.get(`${hooks}/${name}`)).body;
    assert.deepEqual(stored, {
      organizationName: org,
      projectName: 'app',
      envName: 'hooked',
      name,
      displayName: 'Env hook',
      payloadUrl: target('env'),
      active: true,
      format: 'raw',
      groups: ['environments'],
      hasSecret: true,
      secretCiphertext: sha256('env-secret'),
    });
    const listed = json(await cli.ok(['env', 'webhook', 'list', env, '--output', 'json']));
    assert.deepEqual(listed, { webhooks: [{ name, displayName: 'Env hook', payloadUrl: target('env'), active: true, format: 'raw' }] });
    const got = json(await cli.ok(['env', 'webhook', 'get', env, name, '--output', 'json']));
    assert.deepEqual(got, { name, displayName: 'Env hook', payloadUrl: target('env'), active: true, format: 'raw', eventGroups: ['environments'], hasSecret: true });

    // The ESC CLI's PATCH carries no organizationName: the path names the organization.
    const edited = await cli.ok(['env', 'webhook', 'edit', env, name, '--display-name', 'Env hook 2', '--add-event', 'environment_revision_created', '--remove-group', 'environments']);
    assert.match(edited.stdout, new RegExp(`Updated webhook ${name} for ${env}`));
    const afterEdit = (await api.get(`${hooks}/${name}`)).body;
    assert.equal(afterEdit.displayName, 'Env hook 2');
    assert.deepEqual(afterEdit.filters, ['environment_revision_created']);
    assert.equal(afterEdit.groups, undefined, 'the removed group is gone');
    assert.equal(afterEdit.secretCiphertext, sha256('env-secret'), 'the secret the edit did not touch is kept');
    assert.deepEqual(json(await cli.ok(['env', 'webhook', 'get', env, name, '--output', 'json'])), {
      name,
      displayName: 'Env hook 2',
      payloadUrl: target('env'),
      active: true,
      format: 'raw',
      events: ['environment_revision_created'],
      hasSecret: true,
    });

    const ping = await cli.ok(['env', 'webhook', 'ping', env, name]);
    const [pinged] = await receiver.waitFor(1, (r) => to('env')(r) && r.headers['pulumi-webhook-kind'] === 'ping');
    assertSigned(pinged!, 'env-secret', 'ping');
    assert.match(ping.stdout, new RegExp(`^ID: ${pinged!.headers['pulumi-webhook-id']}$`, 'm'));
    assert.match(ping.stdout, /^Kind: ping$/m);
    assert.match(ping.stdout, /^Response code: 200$/m);

    const deliveries = json(await cli.ok(['env', 'webhook', 'delivery', 'list', env, name, '--utc', '--output', 'json']));
    const serverDeliveries = (await api.get(`${hooks}/${name}/deliveries`)).body as Array<{ id: string; kind: string; timestamp: number; responseCode: number; duration: number }>;
    assert.deepEqual(
      deliveries.deliveries,
      serverDeliveries.map((d) => ({ id: d.id, kind: d.kind, timestamp: new Date(d.timestamp * 1000).toISOString().replace('.000Z', 'Z'), responseCode: d.responseCode, duration: d.duration })),
    );
    assert.ok(deliveries.deliveries.some((d: { id: string }) => d.id === pinged!.headers['pulumi-webhook-id']));

    await cli.ok(['env', 'webhook', 'edit', env, name, '--remove-secret']);
    const cleared = (await api.get(`${hooks}/${name}`)).body;
    assert.equal(cleared.hasSecret, false);
    assert.equal(cleared.displayName, 'Env hook 2', 'an edit of the secret alone keeps the rest');

    const removed = await cli.ok(['env', 'webhook', envRemove, env, name]);
    assert.match(removed.stdout, new RegExp(`Removed webhook ${name} from ${env}`));
    assert.equal((await api.get(`${hooks}/${name}`)).status, 404);
    assert.deepEqual(json(await cli.ok(['env', 'webhook', 'list', env, '--output', 'json'])), { webhooks: [] });
  });
});
