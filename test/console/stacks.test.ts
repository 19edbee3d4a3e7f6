// The console's stack pages in headless Chromium, after a real `pulumi up` (the YAML program and
// the file-writing test provider the deployment tests use): the list with search, filters and
// paging over many stacks; a stack's outputs (a secret revealed and audited), resources tree,
// updates and an update's timeline; settings (rename, transfer, delete as `pulumi stack rm` asks);
// and a member who may not see a stack.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseDocument } from 'yaml';
import { launchBrowser, newSession, screenshot } from '../helpers/browser.js';
import { PulumiCli, pulumiBinDir, yamlLanguageHostDir } from '../helpers/cli.js';
import { createOrganization, createStack, createUser, deploymentWithResources } from '../helpers/factories.js';
import { programRepo, providerBinDir } from '../helpers/git-fixture.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

let server: TestServer;
let browser: Browser;
let api: ApiClient;
let cli: PulumiCli;
let org: string;
/** What `pulumi up` and a `pulumi preview` after it printed. */
let upOutput = '';
let previewOutput = '';
const cleanups: string[] = [];
const fleetSize = 60;
const secretValue = 'hunter2-from-yaml';

/** The file program in a fresh repository, with one secret output added, deployed by `pulumi up`. */
async function deployFileStack(): Promise<void> {
  const dir = tempDir('files-console');
  const repo = await programRepo({ dir, project: 'files' });
  cleanups.push(dir, repo.path);
  const file = path.join(repo.path, 'Pulumi.yaml');
  const program = parseDocument(fs.readFileSync(file, 'utf8'));
  program.setIn(['outputs', 'token'], { 'fn::secret': secretValue });
  fs.writeFileSync(file, program.toString());
  const env = {
    PATH: [pulumiBinDir(), yamlLanguageHostDir(), providerBinDir(), process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    // The console is served by the server itself: the CLI links to it there.
    PULUMI_CONSOLE_DOMAIN: new URL(server.url).host,
  };
  await cli.ok(['stack', 'init', `${org}/files/dev`], { cwd: repo.path, env });
  upOutput = (await cli.ok(['up', '--yes', '--stack', `${org}/files/dev`], { cwd: repo.path, env })).stdout;
  previewOutput = (await cli.ok(['preview', '--stack', `${org}/files/dev`], { cwd: repo.path, env })).stdout;
}

before(async () => {
  server = await startTestServer();
  org = server.org;
  api = new ApiClient(server.url, server.adminToken);
  cli = new PulumiCli(server.url, server.adminToken, 'files');
  await cli.ok(['login', server.url]);
  browser = await launchBrowser();
  await deployFileStack();
  for (let i = 0; i < fleetSize; i++) {
    await createStack(api, org, 'fleet', `s${String(i).padStart(2, '0')}`, { team: i % 2 === 0 ? 'red' : 'blue' });
  }
});

after(async () => {
  await browser?.close();
  cli?.cleanup();
  await server?.close();
  for (const dir of cleanups) fs.rmSync(dir, { recursive: true, force: true });
});

const stackUrl = () => `/${org}/files/dev`;
const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Stack pages' }).getByRole('link', { name });

describe('console stack pages', () => {
  it('shows a deployed stack: its outputs, its resources as a tree, its updates and the timeline of the update `pulumi up` links to', async () => {
    const { context, page } = await newSession(browser, server.url, server.adminToken);
    await page.goto(stackUrl());
    await page.getByRole('heading', { level: 1, name: 'dev' }).waitFor();
    const outputs = page.getByRole('region', { name: 'Outputs' });
    await outputs.getByRole('rowheader', { name: 'a', exact: true }).waitFor();
    assert.match(await outputs.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'a', exact: true }) }).innerText(), /"alpha"/);
    assert.ok(await outputs.getByRole('rowheader', { name: 'files' }).isVisible());
    assert.match(await outputs.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'token' }) }).innerText(), /\[secret\]/);
    assert.doesNotMatch(await outputs.innerText(), new RegExp(secretValue));
    const last = page.getByRole('region', { name: 'Last update' });
    await last.getByRole('link', { name: 'update #1' }).waitFor();
    assert.match(await last.innerText(), /succeeded/);
    assert.match(await last.innerText(), /3 created/);
    await screenshot(page, 'stack-overview');

    await tab(page, 'Resources').click();
    await page.getByRole('status').filter({ hasText: '4 resources' }).waitFor();
    const tree = page.getByRole('region', { name: 'Resources' });
    for (const name of ['files-dev', 'a', 'b']) await tree.getByRole('button', { name: new RegExp(`^\\W*${name}$`) }).waitFor();
    const rowOf = (name: string) => tree.getByRole('row').filter({ has: page.getByRole('button', { name: new RegExp(`^\\W*${name}$`) }) });
    assert.match(await rowOf('a').innerText(), /stackyardfile:index:File/);
    assert.match(await rowOf('a').innerText(), /stackyardfile \(default/);
    assert.match(await rowOf('files-dev').innerText(), /pulumi:pulumi:Stack/);
    assert.match(await rowOf('files-dev').innerText(), /\(2\)/, 'the stack holds both files');
    // The default provider has no parent: it is a root of its own.
    await tree.getByRole('row').filter({ hasText: 'pulumi:providers:stackyardfile' }).waitFor();
    await tree.getByRole('button', { name: /^\W*a$/ }).click();
    await tree.getByRole('heading', { name: 'Inputs' }).waitFor();
    assert.match(await tree.innerText(), /content\s+"alpha"/);
    await page.getByLabel('Filter resources').fill('File::b');
    await page.getByRole('status').filter({ hasText: '2 of 4 resources' }).waitFor();
    await screenshot(page, 'stack-resources');

    await tab(page, 'Updates').click();
    const history = page.getByRole('region', { name: 'Updates' });
    await history.getByRole('link', { name: '#1 update' }).waitFor();
    const row = history.getByRole('row').filter({ hasText: '#1 update' });
    assert.match(await row.innerText(), /succeeded/);
    assert.match(await row.innerText(), /admin/);
    assert.match(await row.innerText(), /3 created/);
    await screenshot(page, 'stack-updates');

    // The URL the CLI printed, opened as a person would from the terminal.
    const printed = /(http:\/\/\S+\/updates\/1)\b/.exec(upOutput)?.[1];
    assert.ok(printed, upOutput);
    assert.equal(new URL(printed).pathname, `${stackUrl()}/updates/1`);
    await page.goto(new URL(printed).pathname);
    await page.getByRole('heading', { name: 'Update #1 (update)' }).waitFor();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByRole('listitem').filter({ hasText: /create\s+a\s+stackyardfile:index:File/ }).waitFor();
    const createA = timeline.getByRole('listitem').filter({ hasText: /create\s+a\s+stackyardfile:index:File/ }).first();
    assert.match(await createA.innerText(), /content.*"alpha"/);
    assert.ok(await timeline.getByRole('listitem').filter({ hasText: /create\s+b\s+stackyardfile:index:File/ }).first().isVisible());
    assert.ok(await timeline.getByRole('listitem').filter({ hasText: /create\s+files-dev/ }).first().isVisible());
    await screenshot(page, 'update-timeline');

    // The preview after it changes nothing: its page says so.
    const previewUrl = /(http:\/\/\S+\/previews\/[\w-]+)/.exec(previewOutput)?.[1];
    assert.ok(previewUrl, previewOutput);
    await page.goto(new URL(previewUrl).pathname);
    await page.getByRole('heading', { name: 'Preview' }).waitFor();
    await page.getByRole('region', { name: 'Timeline' }).getByText(/^\d+ resources? unchanged\.$/).waitFor();
    await context.close();

    const phone = await newSession(browser, server.url, server.adminToken, { width: 390, height: 844 });
    await phone.page.goto(stackUrl());
    await phone.page.getByRole('region', { name: 'Outputs' }).getByRole('rowheader', { name: 'a', exact: true }).waitFor();
    await screenshot(phone.page, 'stack-overview-phone');
    // Readable on a phone: no page is wider than the screen (wide tables scroll inside themselves).
    for (const [pathname, heading] of [[stackUrl(), 'dev'], [`${stackUrl()}/resources`, 'dev'], [`${stackUrl()}/updates/1`, 'Update #1 (update)'], [`/${org}`, 'Stacks']] as const) {
      await phone.page.goto(pathname);
      await phone.page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      const widths = await phone.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(widths[0]! <= widths[1]!, `${pathname} is ${widths[0]} px wide on a ${widths[1]} px screen`);
    }
    await phone.context.close();
  });

  it('lists the organization’s stacks a page at a time, searched by name and filtered by project and tag in the URL', async () => {
    const { context, page } = await newSession(browser, server.url, server.adminToken);
    await page.goto(`/${org}`);
    await page.getByRole('heading', { name: 'Stacks' }).waitFor();
    // 61 stacks, 50 to a page: files/dev first (sorted by project), then fleet.
    await page.getByRole('status').filter({ hasText: '50 stacks shown; more to load' }).waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByRole('status').filter({ hasText: `${fleetSize + 1} stacks.` }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
    // Only the rows in view are drawn: back at the top for the first one.
    await page.evaluate(() => window.scrollTo(0, 0));
    const devRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'dev', exact: true }) });
    assert.match(await devRow.innerText(), /files/);
    assert.match(await devRow.innerText(), /succeeded/);
    assert.match(await devRow.innerText(), /\b4$/);

    await page.getByLabel('Search').fill('fleet/s1');
    await page.getByRole('status').filter({ hasText: '10 stacks.' }).waitFor();
    assert.match(page.url(), /\?q=fleet%2Fs1$/);

    await page.getByLabel('Search').fill('');
    await page.getByLabel('Project', { exact: true }).fill('fleet');
    await page.getByLabel('Tag name').fill('team');
    await page.getByLabel('Tag value').fill('red');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '30 stacks.' }).waitFor();
    const query = new URL(page.url()).searchParams;
    assert.deepEqual([query.get('project'), query.get('tagName'), query.get('tagValue')], ['fleet', 'team', 'red']);
    await page.evaluate(() => window.scrollTo(0, 0));
    assert.equal(await page.getByRole('link', { name: 's01', exact: true }).count(), 0, 'blue stacks are filtered out');
    await page.getByRole('link', { name: 's02', exact: true }).waitFor();
    await screenshot(page, 'stacks-list');

    // The filters live in the URL: a reload (or a shared link) shows the same list.
    await page.reload();
    await page.getByRole('status').filter({ hasText: '30 stacks.' }).waitFor();
    assert.equal(await page.getByLabel('Tag value').inputValue(), 'red');
    await page.getByRole('link', { name: 's02', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 's02' }).waitFor();
    await context.close();
  });

  it('draws only the rows in view of a stack with 10,000 resources, and filters them', async () => {
    const big = await api.post(`/api/stacks/${org}/big`, { stackName: 'many', state: deploymentWithResources('big', 'many', 10_000) });
    assert.equal(big.status, 200, big.text);
    const { context, page } = await newSession(browser, server.url, server.adminToken);
    await page.goto(`/${org}/big/many/resources`);
    await page.getByRole('status').filter({ hasText: '10002 resources' }).waitFor();
    const tree = page.getByRole('region', { name: 'Resources' });
    await tree.getByRole('button', { name: /^\W*thing-0$/ }).waitFor();
    assert.ok((await tree.getByRole('row').count()) < 100, 'a virtual list draws a screenful, not 10,000 rows');
    await tree.getByLabel('Resources of the stack').evaluate((node) => node.scrollTo(0, node.scrollHeight));
    await tree.getByRole('button', { name: /^\W*thing-9999$/ }).waitFor();
    await page.getByLabel('Filter resources').fill('thing-4242');
    await page.getByRole('status').filter({ hasText: '2 of 10002 resources' }).waitFor();
    await tree.getByRole('button', { name: /^\W*thing-4242$/ }).click();
    assert.match(await tree.innerText(), /label\s+"thing 4242"/);
    await context.close();
  });

  it('pages through a long history, newest first, each update linking to its page', async () => {
    await createStack(api, org, 'history', 'busy');
    for (let i = 0; i < 25; i++) {
      const imported = await api.post(`/api/stacks/${org}/history/busy/import`, deploymentWithResources('history', 'busy', i % 3));
      assert.equal(imported.status, 200, imported.text);
    }
    const { context, page } = await newSession(browser, server.url, server.adminToken);
    await page.goto(`/${org}/history/busy/updates`);
    const history = page.getByRole('region', { name: 'Updates' });
    await history.getByRole('link', { name: '#25 import' }).waitFor();
    assert.equal(await history.getByRole('link', { name: /^#\d+ import$/ }).count(), 20);
    await page.getByText('Page 1 of 2').waitFor();
    await page.getByRole('button', { name: 'Older' }).click();
    await history.getByRole('link', { name: '#1 import', exact: true }).waitFor();
    assert.equal(await history.getByRole('link', { name: /^#\d+ import$/ }).count(), 5);
    assert.match(page.url(), /\?page=2$/);
    await history.getByRole('link', { name: '#3 import', exact: true }).click();
    await page.getByRole('heading', { name: 'Update #3 (import)' }).waitFor();
    await context.close();
  });

  it('reveals a secret output on request, and the reveal is in the audit log', async () => {
    const { context, page } = await newSession(browser, server.url, server.adminToken);
    await page.goto(stackUrl());
    const outputs = page.getByRole('region', { name: 'Outputs' });
    await outputs.getByRole('button', { name: 'Reveal token' }).click();
    await outputs.getByText(`"${secretValue}"`).waitFor();
    await outputs.getByRole('button', { name: 'Hide token' }).click();
    await outputs.getByRole('button', { name: 'Reveal token' }).waitFor();
    await context.close();

    const audit = await api.get(`/api/orgs/${org}/auditlogs/v2?eventFilter=secret-decrypted`);
    assert.equal(audit.status, 200, audit.text);
    const reveals = audit.body.auditLogEvents.filter((e: any) => e.event === 'secret-decrypted');
    assert.equal(reveals.length, 1, JSON.stringify(audit.body));
    assert.match(reveals[0].description, /files\/dev/);
    assert.equal(reveals[0].user.githubLogin, 'admin');
  });

  it('adds and removes tags on the overview', async () => {
    const { context, page } = await newSession(browser, server.url, server.adminToken);
    await page.goto(`/${org}/fleet/s03`);
    const tags = page.getByRole('region', { name: 'Tags' });
    await tags.getByRole('cell', { name: 'team', exact: true }).waitFor();
    await tags.getByLabel('Tag name').fill('owner');
    await tags.getByLabel('Tag value').fill('platform');
    await tags.getByRole('button', { name: 'Add tag' }).click();
    await tags.getByRole('status').filter({ hasText: 'Tag owner added.' }).waitFor();
    await tags.getByRole('cell', { name: 'platform' }).waitFor();
    await tags.getByRole('button', { name: 'Remove tag team' }).click();
    await tags.getByRole('status').filter({ hasText: 'Tag team removed.' }).waitFor();
    assert.deepEqual((await api.get(`/api/stacks/${org}/fleet/s03`)).body.tags, { owner: 'platform' });
    await context.close();
  });

  it('renames, transfers and deletes a stack from its settings, asking what `pulumi stack rm` asks', async () => {
    await createOrganization(server, 'elsewhere', 'admin');
    const withState = await api.post(`/api/stacks/${org}/fleet`, { stackName: 'doomed', state: deploymentWithResources('fleet', 'doomed', 2) });
    assert.equal(withState.status, 200, withState.text);
    const { context, page } = await newSession(browser, server.url, server.adminToken);

    await page.goto(`/${org}/fleet/s04/settings`);
    await page.getByLabel('Stack name', { exact: true }).fill('s04-renamed');
    await page.getByRole('button', { name: 'Rename stack' }).click();
    await page.waitForURL(new RegExp(`/${org}/fleet/s04-renamed/settings$`));
    await page.getByRole('heading', { level: 1, name: 's04-renamed' }).waitFor();
    assert.equal((await api.get(`/api/stacks/${org}/fleet/s04`)).status, 404);

    await page.getByLabel('Destination organization').selectOption('elsewhere');
    await page.getByRole('button', { name: 'Transfer stack' }).click();
    await page.waitForURL(/\/elsewhere\/fleet\/s04-renamed$/);
    await page.getByRole('heading', { level: 1, name: 's04-renamed' }).waitFor();
    assert.equal((await api.get('/api/stacks/elsewhere/fleet/s04-renamed')).status, 200);

    await page.goto(`/${org}/fleet/doomed/settings`);
    const confirm = page.getByLabel(/Type the stack name/);
    const remove = page.getByRole('button', { name: 'Delete stack' });
    await page.getByText(/still holds \d+ resources/).waitFor();
    await screenshot(page, 'stack-settings');
    await confirm.fill('wrong');
    assert.equal(await remove.isDisabled(), true);
    await confirm.fill('doomed');
    assert.equal(await remove.isDisabled(), true, 'resources remain: force must be confirmed too');
    await page.getByLabel(/force/).check();
    await remove.click();
    await page.waitForURL(new RegExp(`/${org}$`));
    assert.equal((await api.get(`/api/stacks/${org}/fleet/doomed`)).status, 404);
    await context.close();
  });

  it('shows a member no stack of the organization they have no access to, and its page as not found', async () => {
    await createOrganization(server, 'hidden-org', 'admin');
    const settings = await api.patch('/api/orgs/hidden-org', { setDefaultStackPermission: 0 });
    assert.equal(settings.status, 200, settings.text);
    await createStack(api, 'hidden-org', 'vault', 'prod');
    const memberToken = await createUser(server, 'plain-member', { org: 'hidden-org', role: 'member' });
    assert.deepEqual((await api.withToken(memberToken).get('/api/user/stacks?organization=hidden-org')).body.stacks, []);

    const { context, page } = await newSession(browser, server.url, memberToken);
    await page.goto('/hidden-org');
    await page.getByRole('status').filter({ hasText: 'No stacks match.' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'prod' }).count(), 0);
    await page.goto('/hidden-org/vault/prod');
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /Outputs|Resources/);
    await context.close();
  });
});
