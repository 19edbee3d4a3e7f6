import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStack, deploymentWithResources } from '../helpers/factories.js';
import { PulumiCli } from '../helpers/cli.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
let cli: PulumiCli;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  cli = new PulumiCli(server.url, server.adminToken);
});
after(async () => {
  cli.cleanup();
  await server.close();
});

describe('the real Pulumi CLI', () => {
  it('logs in and knows who it is', async () => {
    const login = await cli.ok(['login', server.url]);
    assert.match(login.stdout, new RegExp(`Logged in to ${server.url} as admin`));
    const whoami = await cli.ok(['whoami', '-v']);
    assert.match(whoami.stdout, /^User: admin$/m);
    assert.match(whoami.stdout, /^Organizations: stackyard$/m);
    assert.match(whoami.stdout, /^Token type: personal$/m);
  });

  it('creates a stack with `stack init`, with the CLI’s automatic tags', async () => {
    // The server's answer, not the CLI's words (which differ between CLI versions), is checked.
    await cli.ok(['stack', 'init', 'stackyard/proj/dev']);
    const stack = await api.get('/api/stacks/stackyard/proj/dev');
    assert.equal(stack.status, 200);
    assert.equal(stack.body.tags['pulumi:project'], 'proj');
    assert.equal(stack.body.tags['pulumi:runtime'], 'nodejs');
    assert.equal(stack.body.tags['pulumi:description'], 'a test project');
    const again = await cli.run(['stack', 'init', 'stackyard/proj/dev']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /stack 'stackyard\/proj\/dev' already exists/);
  });

  it('refuses a stack name the CLI itself rejects, before the server sees it', async () => {
    const bad = await cli.run(['stack', 'init', 'stackyard/proj/bad name']);
    assert.notEqual(bad.code, 0);
    assert.equal((await api.get('/api/stacks/stackyard/proj/bad%20name')).status, 404);
  });

  it('lists more stacks than fit on one page with `stack ls`', async () => {
    for (let i = 0; i < 105; i++) await createStack(api, 'stackyard', 'proj', `page-${String(i).padStart(3, '0')}`);
    await createStack(api, 'stackyard', 'other-project', 'not-listed');
    const listed = JSON.parse((await cli.ok(['stack', 'ls', '--json'])).stdout) as Array<{ name: string; current: boolean }>;
    const names = listed.map((s) => s.name).sort();
    assert.equal(names.length, 106);
    assert.deepEqual(names.slice(0, 3), ['dev', 'page-000', 'page-001']);
    assert.equal(names.at(-1), 'page-104');
    assert.equal(listed.find((s) => s.name === 'dev')?.current, true);
    const all = JSON.parse((await cli.ok(['stack', 'ls', '--all', '--json'])).stdout) as Array<{ name: string }>;
    assert.equal(all.length, 107);
    assert.ok(all.some((s) => s.name === 'stackyard/other-project/not-listed'));
  });

  it('sets, gets, lists and removes tags with `stack tag`', async () => {
    await cli.ok(['stack', 'select', 'stackyard/proj/dev']);
    await cli.ok(['stack', 'tag', 'set', 'owner', 'platform-team']);
    assert.equal((await cli.ok(['stack', 'tag', 'get', 'owner'])).stdout.trim(), 'platform-team');
    const tags = JSON.parse((await cli.ok(['stack', 'tag', 'ls', '--json'])).stdout) as Record<string, string>;
    assert.equal(tags.owner, 'platform-team');
    assert.equal(tags['pulumi:project'], 'proj');
    assert.equal(tags['pulumi:runtime'], 'nodejs');
    await cli.ok(['stack', 'tag', 'rm', 'owner']);
    const after = (await api.get('/api/stacks/stackyard/proj/dev')).body.tags;
    assert.equal('owner' in after, false);
    assert.equal(after['pulumi:project'], 'proj');
    const missing = await cli.run(['stack', 'tag', 'get', 'owner']);
    assert.notEqual(missing.code, 0);
  });

  it('imports a state with resources, exports it back unchanged, and imports the export again', async () => {
    const statePath = path.join(cli.projectDir, 'state.json');
    const state = deploymentWithResources('proj', 'dev', 4);
    fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
    await cli.ok(['stack', 'import', '--file', statePath]);
    const exportPath = path.join(cli.projectDir, 'export.json');
    await cli.ok(['stack', 'export', '--file', exportPath]);
    const exported = JSON.parse(fs.readFileSync(exportPath, 'utf8'));
    assert.deepEqual(exported.deployment.resources, state.deployment.resources);
    assert.equal(exported.version, 3);

    await cli.ok(['stack', 'import', '--file', exportPath]);
    const stack = (await api.get('/api/stacks/stackyard/proj/dev')).body;
    assert.equal(stack.version, 2);
    const listed = JSON.parse((await cli.ok(['stack', 'ls', '--json'])).stdout) as Array<{ name: string; resourceCount?: number }>;
    assert.equal(listed.find((s) => s.name === 'dev')?.resourceCount, 6);
    const atVersion = JSON.parse((await cli.ok(['stack', 'export', '--version', '1'])).stdout);
    assert.deepEqual(atVersion.deployment.resources, state.deployment.resources);
  });

  it('renames a stack with `stack rename`, rewriting the URNs in its state', async () => {
    const rename = await cli.ok(['stack', 'rename', 'stackyard/proj/prod']);
    assert.match(rename.stdout, /Renamed dev to prod/);
    assert.equal((await api.get('/api/stacks/stackyard/proj/dev')).status, 404);
    const exported = JSON.parse((await cli.ok(['stack', 'export'])).stdout);
    const urns = exported.deployment.resources.map((r: { urn: string }) => r.urn);
    assert.equal(urns.length, 6);
    assert.ok(urns.every((urn: string) => urn.startsWith('urn:pulumi:prod::proj::')), urns.join('\n'));
    const tags = JSON.parse((await cli.ok(['stack', 'tag', 'ls', '--json'])).stdout) as Record<string, string>;
    assert.equal(tags['pulumi:project'], 'proj');
  });

  it('refuses `stack rm` while resources exist and removes the stack with --force', async () => {
    const refused = await cli.run(['stack', 'rm', '--yes', 'stackyard/proj/prod']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /'prod' still has resources; removal rejected/);
    assert.equal((await api.get('/api/stacks/stackyard/proj/prod')).status, 200);
    const removed = await cli.ok(['stack', 'rm', '--yes', '--force', 'stackyard/proj/prod']);
    assert.match(removed.stdout, /Stack 'prod' has been removed!/);
    assert.equal((await api.get('/api/stacks/stackyard/proj/prod')).status, 404);
  });

  it('removes an empty stack with plain `stack rm`', async () => {
    await cli.ok(['stack', 'init', 'stackyard/proj/scratch']);
    await cli.ok(['stack', 'rm', '--yes', 'stackyard/proj/scratch']);
    assert.equal((await api.get('/api/stacks/stackyard/proj/scratch')).status, 404);
  });

  it('fails to log in with a token the server does not know', async () => {
    const stranger = new PulumiCli(server.url, 'pul-0000000000000000000000000000000000000000');
    try {
      const login = await stranger.run(['login', server.url]);
      assert.notEqual(login.code, 0);
      assert.match(login.stderr, /401|[Uu]nauthorized|invalid/);
    } finally {
      stranger.cleanup();
    }
  });
});
