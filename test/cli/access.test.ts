import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inlineStack } from '../helpers/automation.js';
import { PulumiCli } from '../helpers/cli.js';
import { createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// One organization with its default stack permission set to none, so that only teams and
// authorship open stacks to members:
//   team `platform` (alice is a member): proj/granted read, other/granted-edit edit
//   team `ops` (no members): proj/ops-only admin
//   proj/hidden: no grant; proj/alice-own: created by alice
let server: TestServer;
let admin: ApiClient;
let org: string;
let orgToken: string;
let teamToken: string;
let aliceToken: string;
const clis: PulumiCli[] = [];

function cliFor(token: string): PulumiCli {
  const cli = new PulumiCli(server.url, token);
  clis.push(cli);
  return cli;
}

/**
 * `whoami -v` prints the console's URL, which the CLI derives only from an `api.` host name (or
 * PULUMI_CONSOLE_DOMAIN), so for a loopback address it is empty.
 */
const consoleUrlLine = 'Backend URL: ';

async function ok(reply: Promise<{ status: number; text: string }>, status = 200): Promise<void> {
  const { status: got, text } = await reply;
  assert.equal(got, status, text);
}

/** `stack ls --all` as the CLI prints it, fully qualified (`-Q`), sorted. */
async function listedStacks(cli: PulumiCli): Promise<string[]> {
  const { stdout } = await cli.ok(['stack', 'ls', '--all', '--json', '--fully-qualify-stack-names']);
  return (JSON.parse(stdout) as Array<{ name: string }>).map((s) => s.name).sort();
}

before(async () => {
  server = await startTestServer();
  org = server.org;
  admin = new ApiClient(server.url, server.adminToken);
  aliceToken = await createUser(server, 'alice', { org, role: 'member' });
  await ok(admin.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 0 }));

  for (const [project, stack] of [['proj', 'granted'], ['other', 'granted-edit'], ['proj', 'ops-only'], ['proj', 'hidden']] as const) {
    await createStack(admin, org, project, stack);
  }
  await createStack(admin.withToken(aliceToken), org, 'proj', 'alice-own');

  for (const name of ['platform', 'ops']) {
    await ok(admin.post(`/api/orgs/${org}/teams/pulumi`, { name, displayName: name, description: `the ${name} team` }), 201);
  }
  const grant = (team: string, projectName: string, stackName: string, permission: number) =>
    ok(admin.patch(`/api/orgs/${org}/teams/${team}`, { addStackPermission: { projectName, stackName, permission } }), 204);
  await ok(admin.patch(`/api/orgs/${org}/teams/platform`, { memberAction: 'add', member: 'alice' }), 204);
  await grant('platform', 'proj', 'granted', 101);
  await grant('platform', 'other', 'granted-edit', 102);
  await grant('ops', 'proj', 'ops-only', 103);

  const team = await admin.post(`/api/orgs/${org}/teams/platform/tokens`, { name: 'platform-ci', description: 'CI of the platform team' });
  assert.equal(team.status, 200, team.text);
  teamToken = team.body.tokenValue;
  const organization = await admin.post(`/api/orgs/${org}/tokens`, { name: 'org-ci', description: 'CI of the organization', admin: true });
  assert.equal(organization.status, 200, organization.text);
  orgToken = organization.body.tokenValue;
});
after(async () => {
  for (const cli of clis) cli.cleanup();
  await server.close();
});

/** `whoami -v` without the line the CLI writes from its own environment (older CLIs leave it out). */
const serverLines = (stdout: string) => stdout.replace(/^Access token source: .*\n/m, '');

describe('logging in to Stackyard with machine tokens', () => {
  it('an organization token logs in as the organization, and `whoami -v` names the token', async () => {
    const cli = cliFor(orgToken);
    const login = await cli.ok(['login', server.url]);
    assert.match(login.stdout, new RegExp(`Logged in to ${server.url} as ${org} `));
    const whoami = await cli.ok(['whoami', '-v']);
    assert.equal(
      serverLines(whoami.stdout),
      [
        `User: ${org}`,
        `Organizations: ${org}`,
        consoleUrlLine,
        `Token type: organization: ${org}`,
        'Token name: org-ci',
        '',
      ].join('\n'),
    );
    // An admin organization token reads every stack of its organization.
    assert.deepEqual(await listedStacks(cli), [
      `${org}/other/granted-edit`,
      `${org}/proj/alice-own`,
      `${org}/proj/granted`,
      `${org}/proj/hidden`,
      `${org}/proj/ops-only`,
    ]);
  });

  it('a team token logs in as the team, and `whoami -v` names the team and the token', async () => {
    const cli = cliFor(teamToken);
    const login = await cli.ok(['login', server.url]);
    assert.match(login.stdout, new RegExp(`Logged in to ${server.url} as platform `));
    const whoami = await cli.ok(['whoami', '-v']);
    assert.equal(
      serverLines(whoami.stdout),
      [
        'User: platform',
        `Organizations: ${org}`,
        consoleUrlLine,
        'Token type: team: platform',
        'Token name: platform-ci',
        '',
      ].join('\n'),
    );
  });
});

describe('`pulumi stack ls --all` when the organization grants members no stacks by default', () => {
  it('shows a member the stacks their teams grant and the stacks they created, and no other', async () => {
    const cli = cliFor(aliceToken);
    await cli.ok(['login', server.url]);
    assert.deepEqual(await listedStacks(cli), [`${org}/other/granted-edit`, `${org}/proj/alice-own`, `${org}/proj/granted`]);
  });

  it('shows a team token exactly its team’s stacks, not those its members created', async () => {
    const cli = cliFor(teamToken);
    await cli.ok(['login', server.url]);
    assert.deepEqual(await listedStacks(cli), [`${org}/other/granted-edit`, `${org}/proj/granted`]);
  });
});

describe('`pulumi up` with read-only access', () => {
  it('fails with the CLI’s permission error and leaves the history and the state as they were', async (t) => {
    const stackName = `${org}/proj/granted`;
    const adminCli = cliFor(server.adminToken);
    await adminCli.ok(['login', server.url]);
    const first = await (await inlineStack(adminCli, stackName, async () => ({ greeting: 'hello' }))).up();
    assert.equal(first.summary.result, 'succeeded');
    const snapshot = async () => ({
      history: JSON.parse((await adminCli.ok(['stack', 'history', '--json', '--stack', stackName])).stdout),
      state: JSON.parse((await adminCli.ok(['stack', 'export', '--stack', stackName])).stdout),
    });
    const before = await snapshot();
    assert.deepEqual(
      before.history.map((h: Record<string, unknown>) => [h.kind, h.result, h.version]),
      [['update', 'succeeded', 1]],
    );
    assert.deepEqual(before.state.deployment.resources.at(-1).outputs, { greeting: 'hello' });

    const reader = cliFor(teamToken);
    await reader.ok(['login', server.url]);
    const stack = await inlineStack(reader, stackName, async () => ({ greeting: 'changed' }));
    await assert.rejects(stack.up(), (error: Error) => {
      const refusal = new RegExp(`^.*\\[403\\] Forbidden: edit permission on stack '${stackName}' is required.*$`, 'm');
      assert.match(error.message, refusal);
      t.diagnostic(refusal.exec(error.message)![0].trim());
      return true;
    });

    assert.deepEqual(await snapshot(), before);
    const updates = await admin.get(`/api/stacks/${stackName}/updates`);
    assert.equal(updates.status, 200);
    assert.equal(updates.body.updates.length, 1);
  });
});
