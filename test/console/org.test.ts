// The console's organization and user pages in headless Chromium: access tokens (personal,
// organization, team) shown once and revoked, members and roles, teams with members and stack
// grants, the audit log with its filter and export, settings, and what a non-admin sees.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newSession, screenshot } from '../helpers/browser.js';
import { createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let browser: Browser;
let admin: ApiClient;
let memberToken: string;
let page: Page;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  admin = new ApiClient(server.url, server.adminToken);
  memberToken = await createUser(server, 'bob', { org: server.org, role: 'member' });
  await createUser(server, 'dave');
  await createStack(admin, server.org, 'proj', 'dev');
  ({ page } = await newSession(browser, server.url, server.adminToken));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Fills the create form, returns the value shown once, after checking the warning that goes with it. */
async function createToken(fields: { name?: string; description: string }): Promise<string> {
  if (fields.name) await page.getByLabel('Name', { exact: true }).fill(fields.name);
  await page.getByLabel('Description').fill(fields.description);
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('status', { name: 'New token' });
  await shown.waitFor();
  assert.match(await shown.innerText(), /not shown again/);
  assert.ok(await shown.getByRole('button', { name: 'Copy' }).isVisible());
  return (await shown.getByLabel('Token value').innerText()).trim();
}

async function revoke(label: string): Promise<void> {
  await page.getByRole('row').filter({ hasText: label }).getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('button', { name: 'Revoke token' }).click();
  await page.getByRole('status').filter({ hasText: `Revoked “${label}”` }).waitFor();
  await page.getByRole('row').filter({ hasText: label }).waitFor({ state: 'detached' });
}

const statusOf = async (path: string, token: string) => (await new ApiClient(server.url, token).get(path)).status;

describe('console organization pages', () => {
  it('creates a personal token on /user/settings/tokens, shows it once, and revokes it', async () => {
    await page.goto('/user/settings/tokens');
    await page.getByRole('heading', { name: 'Personal access tokens' }).waitFor();
    const token = await createToken({ description: 'laptop from the console' });
    assert.match(token, /^pul-/);
    await page.getByRole('row').filter({ hasText: 'laptop from the console' }).waitFor();
    await screenshot(page, 'user-tokens');
    const me = await new ApiClient(server.url, token).get('/api/user');
    assert.equal(me.status, 200);
    assert.equal(me.body.githubLogin, 'admin');
    // The value is gone once the page is left: only the list remains.
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'laptop from the console' }).waitFor();
    assert.equal(await page.getByText(token).count(), 0);

    await revoke('laptop from the console');
    assert.equal(await statusOf('/api/user', token), 401);
  });

  it('creates an organization token that acts for the organization, lists it, and revokes it', async () => {
    await page.goto(`/${server.org}/settings/tokens`);
    await page.getByRole('heading', { name: `Access tokens of ${server.org}` }).waitFor();
    const token = await createToken({ name: 'ci', description: 'the CI pipeline' });
    const row = page.getByRole('row').filter({ hasText: 'the CI pipeline' });
    await row.waitFor();
    assert.match(await row.innerText(), /ci/);
    assert.match(await row.innerText(), /Never/, 'never used, never expires');
    await screenshot(page, 'org-tokens');
    assert.equal(await statusOf(`/api/stacks/${server.org}/proj/dev`, token), 200);
    const listed = (await admin.get(`/api/orgs/${server.org}/tokens`)).body.tokens;
    assert.deepEqual(listed.map((t: any) => [t.name, t.description]), [['ci', 'the CI pipeline']]);

    await revoke('ci');
    assert.equal(await statusOf(`/api/stacks/${server.org}/proj/dev`, token), 401);
  });

  it("changes a member's role, adds and removes a member (with confirmation)", async () => {
    await page.goto(`/${server.org}/settings/members`);
    const bobRole = page.getByRole('combobox', { name: 'Role of bob' });
    await bobRole.selectOption('admin');
    await page.getByRole('status').filter({ hasText: 'bob is now an admin' }).waitFor();
    const roleOf = async (login: string) =>
      (await admin.get(`/api/orgs/${server.org}/members`)).body.members.find((m: any) => m.user.githubLogin === login)?.role;
    assert.equal(await roleOf('bob'), 'admin');
    assert.equal(await bobRole.inputValue(), 'admin');

    await page.getByLabel('User login').fill('dave');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('status').filter({ hasText: 'Added dave as member' }).waitFor();
    await page.getByRole('combobox', { name: 'Role of dave' }).waitFor();
    await screenshot(page, 'org-members');
    const daveRemove = page.getByRole('row').filter({ hasText: 'dave' }).getByRole('button', { name: 'Remove', exact: true });
    await daveRemove.click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await daveRemove.evaluate((button) => button === document.activeElement), true, 'focus is back on Remove');
    await daveRemove.click();
    await page.getByRole('button', { name: 'Remove dave' }).click();
    await page.getByRole('combobox', { name: 'Role of dave' }).waitFor({ state: 'detached' });
    assert.equal(await roleOf('dave'), undefined);

    await bobRole.selectOption('member');
    await page.getByRole('status').filter({ hasText: 'bob is now a member' }).waitFor();
    assert.equal(await roleOf('bob'), 'member');
  });

  it('creates a team, adds a member, grants a stack permission and makes a team token', async () => {
    await page.goto(`/${server.org}/settings/teams`);
    await page.getByLabel('Team name').fill('platform');
    await page.getByLabel('Description').fill('Runs the platform');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('link', { name: 'platform' }).waitFor();
    await screenshot(page, 'org-teams');
    await page.getByRole('link', { name: 'platform' }).click();
    await page.getByRole('heading', { name: 'Team platform' }).waitFor();

    await page.getByLabel('Member login').fill('bob');
    await page.getByRole('button', { name: 'Add to team' }).click();
    await page.getByRole('combobox', { name: 'Team role of bob' }).waitFor();
    await page.getByRole('combobox', { name: 'Stack', exact: true }).selectOption('proj/dev');
    await page.getByRole('combobox', { name: 'Permission', exact: true }).selectOption({ label: 'Edit' });
    await page.getByRole('button', { name: 'Grant' }).click();
    await page.getByRole('combobox', { name: 'Permission on proj/dev' }).waitFor();
    const team = (await admin.get(`/api/orgs/${server.org}/teams/platform`)).body;
    assert.deepEqual(team.members.map((m: any) => [m.githubLogin, m.role]).sort(), [['admin', 'admin'], ['bob', 'member']]);
    assert.deepEqual(team.stacks, [{ projectName: 'proj', stackName: 'dev', permission: 102 }]);

    await page.getByRole('combobox', { name: 'Permission on proj/dev' }).selectOption({ label: 'Read' });
    await page.getByRole('status').filter({ hasText: 'proj/dev: Read' }).waitFor();
    assert.equal((await admin.get(`/api/orgs/${server.org}/teams/platform`)).body.stacks[0].permission, 101);

    const token = await createToken({ name: 'platform-ci', description: 'the platform team pipeline' });
    await page.getByRole('row').filter({ hasText: 'platform-ci' }).waitFor();
    await screenshot(page, 'org-team');
    assert.equal(await statusOf(`/api/stacks/${server.org}/proj/dev`, token), 200, 'the team reads the stack it was granted');
    const listed = (await admin.get(`/api/orgs/${server.org}/teams/platform/tokens`)).body.tokens;
    assert.deepEqual(listed.map((t: any) => t.name), ['platform-ci']);
    await revoke('platform-ci');
    assert.equal(await statusOf(`/api/stacks/${server.org}/proj/dev`, token), 401);
  });

  it('changes the default stack permission in the settings', async () => {
    await page.goto(`/${server.org}/settings`);
    const select = page.getByRole('combobox', { name: 'Default stack permission' });
    await page.getByRole('button', { name: 'Save' }).waitFor();
    assert.equal(await select.inputValue(), '102');
    await select.selectOption({ label: 'Read' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Members now hold Read on every stack' }).waitFor();
    assert.equal((await admin.get(`/api/orgs/${server.org}`)).body.defaultStackPermission, 101);
    await screenshot(page, 'org-settings');
  });

  it('lists what the test did in the audit log, narrows it by event type, and exports it', async () => {
    await page.goto(`/${server.org}/settings/audit-logs`);
    const events = page.getByRole('table', { name: 'Audit log events' });
    await events.getByRole('row').filter({ hasText: 'Created team "platform"' }).waitFor();
    const text = await events.innerText();
    for (const what of ['Member Role Changed', 'Organization Token Created', 'Team Updated', 'Organization Settings Changed']) assert.match(text, new RegExp(what));
    await screenshot(page, 'org-audit-log');

    await page.getByLabel('Event type').selectOption({ label: 'Member Role Changed' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await events.getByRole('row').filter({ hasText: 'Created team' }).waitFor({ state: 'detached' });
    await events.getByRole('row').filter({ hasText: 'Changed organization role for "bob" to member' }).waitFor();
    const rows = events.getByRole('row');
    assert.equal(await rows.count(), 3, 'the header and the two role changes');
    assert.match(await rows.nth(1).innerText(), /Changed organization role for "bob" to member/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    // The API sends it gzip-compressed; the browser has already undone that.
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.equal(download.suggestedFilename(), `${server.org}-audit-log.csv`);
    const lines = csv.trim().split('\n');
    assert.match(lines[0]!, /^Timestamp,Name,Login,Event/);
    assert.equal(lines.length, 3, csv);
  });

  it('shows a non-admin member the API refusals as messages, with nothing to change', async () => {
    const { context, page: bobPage } = await newSession(browser, server.url, memberToken);
    await bobPage.goto(`/${server.org}/settings/members`);
    await bobPage.getByRole('alert').filter({ hasText: /admin/ }).waitFor();
    assert.equal(await bobPage.getByRole('combobox', { name: /^Role of/ }).count(), 0);
    for (const path of ['settings/tokens', 'settings/audit-logs']) {
      await bobPage.goto(`/${server.org}/${path}`);
      await bobPage.getByRole('alert').filter({ hasText: /needs the 'admin' role/ }).waitFor();
    }
    await bobPage.goto(`/${server.org}/settings`);
    await bobPage.getByText("Only the organization's admins can change its settings.").waitFor();
    assert.equal(await bobPage.getByRole('combobox', { name: 'Default stack permission' }).isDisabled(), true);
    // Teams are readable by every member; changing them is for admins, so nothing to change is offered.
    await bobPage.goto(`/${server.org}/settings/teams`);
    await bobPage.getByRole('link', { name: 'platform' }).waitFor();
    await bobPage.getByText("Only the organization's admins can create and delete teams.").waitFor();
    assert.equal(await bobPage.getByRole('button', { name: /Create team|Delete/ }).count(), 0);
    await bobPage.getByRole('link', { name: 'platform' }).click();
    const bobInTeam = bobPage.getByRole('combobox', { name: 'Team role of bob' });
    await bobInTeam.waitFor();
    assert.equal(await bobInTeam.isDisabled(), true);
    assert.equal(await bobPage.getByRole('combobox', { name: 'Permission on proj/dev' }).isDisabled(), true);
    assert.equal(await bobPage.getByRole('button', { name: /Add to team|Grant|Remove|Create token/ }).count(), 0);
    await bobPage.getByText("Only the organization's admins manage the team's access tokens.").waitFor();
    await context.close();
  });

  it('fits every organization page on a phone: no page is wider than the screen', async () => {
    const phone = await newSession(browser, server.url, server.adminToken, { width: 390, height: 844 });
    const org = server.org;
    const pages: [string, string][] = [
      ['settings/members', `Members of ${org}`], ['settings/teams', `Teams of ${org}`], ['settings/tokens', `Access tokens of ${org}`],
      ['settings/audit-logs', `Audit log of ${org}`], ['settings', `Settings of ${org}`], ['esc', 'Environments'],
      ['deployments', 'Deployments'], ['policies', 'Policies'], ['settings/webhooks', 'Webhooks'],
    ];
    for (const [path, heading] of pages) {
      await phone.page.goto(`/${org}/${path}`);
      await phone.page.getByRole('heading', { level: 1, name: heading }).waitFor();
      const [width, screen] = await phone.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(width! <= screen!, `/${org}/${path} is ${width} px wide on a ${screen} px screen`);
    }
    await phone.context.close();
  });
});
