// The console's pages of the later areas in headless Chromium: ESC environments (list, definition,
// edit refused with diagnostics and saved, open with secrets hidden), runner pools (token shown once,
// online/offline), organization webhooks (create, ping, deliveries), and a stack's deployments and
// schedules tabs. Everything is made and checked through the API the console speaks to.
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newSession, screenshot } from '../helpers/browser.js';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let page: Page;
/** A receiver for webhook deliveries, answering 200 to everything. */
let receiver: http.Server;
let receiverUrl: string;
const received: string[] = [];

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  admin = new ApiClient(server.url, server.adminToken);
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(body);
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  ({ page } = await newSession(browser, server.url, server.adminToken));
});

after(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const yaml = (text: string) => ({ rawBody: text, headers: { 'Content-Type': 'application/x-yaml' } });

describe('console area pages', () => {
  it('lists an environment made through the API, shows its definition, refuses a bad edit with the diagnostic and saves a good one', async () => {
    const org = server.org;
    const env = `/api/esc/environments/${org}/app/dev`;
    assert.equal((await admin.post(`/api/esc/environments/${org}`, { project: 'app', name: 'dev' })).status, 200);
    const first = await admin.request('PATCH', env, yaml('values:\n  greeting: hello\n  password:\n    fn::secret: hunter2\n'));
    assert.equal(first.status, 200, first.text);

    await page.goto(`/${org}/esc`);
    await page.getByRole('heading', { name: 'Environments' }).waitFor();
    await page.getByRole('link', { name: 'app/dev' }).waitFor();
    await screenshot(page, 'esc-list');
    await page.getByRole('link', { name: 'app/dev' }).click();
    await page.getByRole('heading', { name: 'dev', level: 1 }).waitFor();
    const editor = page.getByLabel('YAML definition');
    await page.getByText('Revision 2', { exact: true }).waitFor();
    assert.match(await editor.inputValue(), /greeting: hello/);

    // Open: values evaluated, the secret hidden until revealed.
    await page.getByRole('button', { name: 'Open' }).click();
    const values = page.getByRole('table', { name: 'Opened values' });
    await values.getByRole('row').filter({ hasText: 'greeting' }).filter({ hasText: 'hello' }).waitFor();
    assert.doesNotMatch(await values.innerText(), /hunter2/);
    await page.getByRole('button', { name: 'Reveal secrets' }).click();
    await values.getByText('hunter2').waitFor();
    await page.getByRole('button', { name: 'Hide secrets' }).click();
    await screenshot(page, 'esc-environment');

    await editor.fill('values:\n  greeting: ${nowhere.to.be.found}\n');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await alert.getByRole('list', { name: 'Diagnostics' }).waitFor();
    assert.match(await alert.innerText(), /nowhere/);
    assert.match((await admin.get(env)).text, /greeting: hello/, 'a refused edit changes nothing');

    await editor.fill('values:\n  greeting: goodbye\n');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved revision 3' }).waitFor();
    const saved = await admin.get(env);
    assert.match(saved.text, /greeting: goodbye/);
    assert.equal(saved.headers.get('pulumi-esc-revision'), '3');
    await page.getByRole('row').filter({ hasText: 'latest' }).filter({ hasText: /^\s*3/ }).first().waitFor();

    // A save over a revision someone else replaced meanwhile is refused, not lost.
    assert.equal((await admin.request('PATCH', env, yaml('values:\n  greeting: from the CLI\n'))).status, 200);
    await editor.fill('values:\n  greeting: stale\n');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: /changed since it was read/ }).waitFor();
    assert.match((await admin.get(env)).text, /from the CLI/);
  });

  it('creates a runner pool, shows its token once, and lists pools online and offline', async () => {
    const org = server.org;
    assert.equal((await admin.post(`/api/orgs/${org}/agent-pools`, { name: 'idle-pool' })).status, 200);
    await page.goto(`/${org}/deployments`);
    await page.getByRole('heading', { name: 'Runner pools' }).waitFor();
    await page.getByLabel('Pool name').fill('busy-pool');
    await page.getByRole('button', { name: 'Create pool' }).click();
    const shown = page.getByRole('status', { name: 'New pool token' });
    await shown.waitFor();
    assert.match(await shown.innerText(), /not shown again/);
    const token = (await shown.getByLabel('Pool token').innerText()).trim();
    assert.ok(token.length > 10);

    // A runner polls with the token: its pool is online; the other has never been seen.
    const poll = await fetch(`${server.url}/api/deployments/poll`, { headers: { Authorization: `token ${token}` } });
    assert.equal(poll.status, 204, await poll.text());
    await page.reload();
    const pools = page.getByRole('table', { name: 'Runner pools' });
    await pools.getByRole('row').filter({ hasText: 'busy-pool' }).getByText('online').waitFor();
    await pools.getByRole('row').filter({ hasText: 'idle-pool' }).getByText('offline').waitFor();
    assert.equal(await page.getByRole('status', { name: 'New pool token' }).count(), 0, 'the token is shown once only');
    await screenshot(page, 'agent-pools');

    await pools.getByRole('row').filter({ hasText: 'idle-pool' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete pool' }).click();
    await pools.getByRole('row').filter({ hasText: 'idle-pool' }).waitFor({ state: 'detached' });
    const listed = await admin.get(`/api/orgs/${org}/agent-pools`);
    assert.deepEqual(
      listed.body.agentPools.map((p: { name: string }) => p.name),
      ['busy-pool'],
    );
  });

  it('creates an organization webhook that exists through the API, pings it and shows the delivery', async () => {
    const org = server.org;
    await page.goto(`/${org}/settings/webhooks`);
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByLabel('Display name').fill('Ops channel');
    await page.getByLabel('Payload URL').fill(receiverUrl);
    await page.getByLabel('Format').selectOption('raw');
    await page.getByRole('checkbox', { name: 'stacks' }).check();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('status').filter({ hasText: 'Created webhook “Ops channel”' }).waitFor();
    const hooks = await admin.get(`/api/orgs/${org}/hooks`);
    assert.equal(hooks.status, 200);
    assert.equal(hooks.body.length, 1);
    assert.equal(hooks.body[0].displayName, 'Ops channel');
    assert.equal(hooks.body[0].payloadUrl, receiverUrl);
    assert.deepEqual(hooks.body[0].groups, ['stacks']);

    const row = page.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: 'Ops channel' });
    await row.getByRole('button', { name: /Ping/ }).click();
    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    await deliveries.getByRole('row').filter({ hasText: 'ping' }).filter({ hasText: '200' }).waitFor();
    assert.ok(received.length >= 1, 'the receiver got the ping');
    await screenshot(page, 'webhooks');
  });

  it("lists a stack's schedule on its Schedules tab, pauses it through the page, and runs an update from the Deployments tab", async () => {
    const org = server.org;
    await createStack(admin, org, 'proj', 'dev');
    const stack = `/api/stacks/${org}/proj/dev`;
    const pool = await admin.post(`/api/orgs/${org}/agent-pools`, { name: 'stack-runner' });
    const settings = await admin.post(`${stack}/deployments/settings`, {
      sourceContext: { git: { repoUrl: 'https://example.invalid/r.git', branch: 'main' } },
      agentPoolID: pool.body.id,
    });
    assert.equal(settings.status, 200, settings.text);
    const created = await admin.post(`${stack}/deployments/schedules`, { scheduleCron: '0 3 * * *', request: { operation: 'update' } });
    assert.equal(created.status, 200, created.text);

    await page.goto(`/${org}/proj/dev/schedules`);
    const table = page.getByRole('table', { name: 'Schedules' });
    const row = table.getByRole('row').filter({ hasText: '0 3 * * *' });
    await row.getByText('active').waitFor();
    await row.getByRole('button', { name: /Pause/ }).click();
    await page.getByRole('status').filter({ hasText: 'Schedule paused.' }).waitFor();
    await row.getByText('paused').waitFor();
    const listed = await admin.get(`${stack}/deployments/schedules`);
    assert.equal(listed.body.schedules[0].paused, true);
    await page.getByLabel('Kind').selectOption({ label: 'Drift detection' });
    await page.getByLabel('Cron (UTC)').fill('30 4 * * 1');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await table.getByRole('row').filter({ hasText: '30 4 * * 1' }).filter({ hasText: 'Drift detection' }).waitFor();
    const both = (await admin.get(`${stack}/deployments/schedules`)).body.schedules as Array<{ scheduleCron: string; definition: { request: { operation: string } } }>;
    assert.deepEqual(both.map((x) => [x.scheduleCron, x.definition.request.operation]).sort(), [['0 3 * * *', 'update'], ['30 4 * * 1', 'detect-drift']]);
    await row.getByRole('button', { name: /History/ }).click();
    await page.getByRole('heading', { name: 'Schedule history' }).waitFor();
    await screenshot(page, 'stack-schedules');

    await page.goto(`/${org}/proj/dev/deployments`);
    await page.getByText('https://example.invalid/r.git').waitFor();
    await page.getByRole('button', { name: 'Run update' }).click();
    await page.getByRole('status').filter({ hasText: 'Queued a deployment (update).' }).waitFor();
    const deployments = await admin.get(`${stack}/deployments`);
    assert.equal(deployments.body.deployments.length, 1);
    assert.equal(deployments.body.deployments[0].pulumiOperation, 'update');

    // A runner of the pool takes it and reports a step's log, then the outcome: the tab shows both.
    const poll = await fetch(`${server.url}/api/deployments/poll`, { headers: { Authorization: `token ${pool.body.tokenValue}` } });
    assert.equal(poll.status, 200);
    const { deploymentID, jobToken } = (await poll.json()) as { deploymentID: string; jobToken: string };
    const runner = admin.withToken(jobToken);
    assert.equal((await runner.post(`/api/deployments/${deploymentID}/steps/0`, { status: 'running' })).status, 204);
    const logged = await runner.post(`/api/deployments/${deploymentID}/logs`, { step: 0, lines: [{ line: 'Cloning https://example.invalid/r.git' }] });
    assert.equal(logged.status, 204, logged.text);
    assert.equal((await runner.post(`/api/deployments/${deploymentID}/steps/0`, { status: 'succeeded' })).status, 204);
    const completed = await runner.post(`/api/deployments/${deploymentID}/complete`, { status: 'succeeded' });
    assert.equal(completed.status, 204, completed.text);
    await page.getByRole('row').filter({ hasText: '#1' }).getByText('succeeded').waitFor();
    await page.getByRole('button', { name: /#1/ }).click();
    await page.getByRole('heading', { name: 'Logs of deployment #1' }).waitFor();
    const log = page.getByLabel('Deployment log');
    await log.getByText(/Cloning https:\/\/example\.invalid\/r\.git/).waitFor();
    await screenshot(page, 'stack-deployments');

    await page.goto(`/${org}/proj/dev/webhooks`);
    await page.getByLabel('Display name').fill('Stack hook');
    await page.getByLabel('Payload URL').fill(receiverUrl);
    await page.getByLabel('Event filters').fill('update_failed, deployment_failed');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: 'Stack hook' }).waitFor();
    const stackHooks = await admin.get(`${stack}/hooks`);
    assert.deepEqual(stackHooks.body.map((h: { displayName: string; filters: string[] }) => [h.displayName, h.filters]), [['Stack hook', ['update_failed', 'deployment_failed']]]);

    await page.goto(`/${org}/deployments`);
    await page.getByRole('link', { name: 'proj/dev' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'proj/dev' }).getByText('succeeded').waitFor();
    await screenshot(page, 'deployments');
  });
  it('lists a published policy pack with its policies, enables and disables it in the default group', async () => {
    const org = server.org;
    const packs = `/api/orgs/${org}/policypacks`;
    const policies = [
      { name: 'no-public-buckets', displayName: '', description: 'Buckets must be private.', enforcementLevel: 'mandatory', message: '' },
      { name: 'tagging', displayName: '', description: 'Resources should be tagged.', enforcementLevel: 'advisory', message: '' },
    ];
    const created = await admin.post(packs, { name: 'security', displayName: 'Security', versionTag: '1.0.0', policies, runtime: 'nodejs' });
    assert.equal(created.status, 201, created.text);
    assert.equal((await fetch(created.body.uploadURI, { method: 'PUT', body: new Uint8Array(zlib.gzipSync('pack')) })).status, 200);
    assert.equal((await admin.post(`${packs}/security/versions/1.0.0/complete`)).status, 204);

    await page.goto(`/${org}/policies`);
    const table = page.getByRole('table', { name: 'Policy packs' });
    await table.getByRole('row').filter({ hasText: 'Security' }).getByRole('button', { name: /1\.0\.0/ }).click();
    await page.getByRole('row').filter({ hasText: 'no-public-buckets' }).getByText('mandatory').waitFor();
    await page.getByRole('row').filter({ hasText: 'tagging' }).getByText('advisory').waitFor();

    await page.getByRole('table', { name: 'Policy groups' }).getByRole('button', { name: 'default-policy-group' }).click();
    await page.getByLabel('Pack version').selectOption({ label: 'security 1.0.0' });
    await page.getByRole('button', { name: 'Enable pack' }).click();
    await page.getByRole('status').filter({ hasText: 'Enabled security' }).waitFor();
    const group = `/api/orgs/${org}/policygroups/default-policy-group`;
    assert.deepEqual((await admin.get(group)).body.appliedPolicyPacks.map((p: { name: string }) => p.name), ['security']);
    await page.getByRole('heading', { name: 'Violations' }).waitFor();
    await screenshot(page, 'policies');

    await page.getByRole('button', { name: 'Disable security' }).click();
    await page.getByRole('status').filter({ hasText: 'Disabled security' }).waitFor();
    assert.deepEqual((await admin.get(group)).body.appliedPolicyPacks, []);
  });
});
