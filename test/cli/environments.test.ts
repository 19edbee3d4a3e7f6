// `pulumi env …` (the ESC client built into the CLI) and stack `environment:` imports, against
// the server over HTTP.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PulumiCli } from '../helpers/cli.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
let cli: PulumiCli;
let org: string;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  cli = new PulumiCli(server.url, server.adminToken);
  await cli.ok(['login', server.url]);
});
after(async () => {
  cli.cleanup();
  await server.close();
});

describe('pulumi env', () => {
  it('init, set (plain and --secret), get, and the stored definition holds no plaintext', async () => {
    await cli.ok(['env', 'init', `${org}/app/dev`]);
    await cli.ok(['env', 'set', `${org}/app/dev`, 'environmentVariables.GREETING', 'hello']);
    await cli.ok(['env', 'set', `${org}/app/dev`, 'environmentVariables.PASSWORD', 'hunter2', '--secret']);
    const get = await cli.ok(['env', 'get', `${org}/app/dev`]);
    assert.match(get.stdout, /GREETING/);
    assert.match(get.stdout, /hello/);
    assert.doesNotMatch(get.stdout, /hunter2/);
    const shown = await cli.ok(['env', 'get', `${org}/app/dev`, '--show-secrets']);
    assert.match(shown.stdout, /hunter2/);
    const stored = await api.get(`/api/esc/environments/${org}/app/dev`);
    assert.doesNotMatch(stored.text, /hunter2/);
    assert.match(stored.text, /ciphertext/);
  });

  it('open in JSON, dotenv and shell formats, and run a command with the variables', async () => {
    const json = await cli.ok(['env', 'open', `${org}/app/dev`]);
    assert.deepEqual(JSON.parse(json.stdout), { environmentVariables: { GREETING: 'hello', PASSWORD: 'hunter2' } });
    const dotenv = await cli.ok(['env', 'open', `${org}/app/dev`, '--format', 'dotenv']);
    assert.match(dotenv.stdout, /^GREETING="hello"$/m);
    const shell = await cli.ok(['env', 'open', `${org}/app/dev`, '--format', 'shell']);
    assert.match(shell.stdout, /^export GREETING="hello"$/m);
    const run = await cli.ok(['env', 'run', `${org}/app/dev`, '--', 'printenv', 'GREETING']);
    assert.equal(run.stdout.trim(), 'hello');
  });

  it('edit from a file, version history, tag and rollback', async () => {
    const file = path.join(cli.projectDir, 'env.yaml');
    fs.writeFileSync(file, 'values:\n  color: blue\n');
    await cli.ok(['env', 'edit', `${org}/app/versions`, '--file', file].filter(Boolean)).catch(async () => {
      await cli.ok(['env', 'init', `${org}/app/versions`]);
      await cli.ok(['env', 'edit', `${org}/app/versions`, '--file', file]);
    });
    fs.writeFileSync(file, 'values:\n  color: red\n');
    await cli.ok(['env', 'edit', `${org}/app/versions`, '--file', file]);
    const history = await cli.ok(['env', 'version', 'history', `${org}/app/versions`]);
    assert.match(history.stdout, /revision 3/);
    assert.match(history.stdout, /revision 2/);
    await cli.ok(['env', 'version', 'tag', `${org}/app/versions@stable`, '2']);
    const revision = await cli.ok(['env', 'version', `${org}/app/versions@2`]);
    assert.match(revision.stdout, /revision 2/);
    const tag = await cli.ok(['env', 'version', `${org}/app/versions@stable`]);
    assert.match(tag.stdout, /stable/);
    assert.match(tag.stdout, /Revision 2|revision 2/);
    const tagged = await cli.ok(['env', 'get', `${org}/app/versions@stable`, '--value', 'json']);
    assert.match(tagged.stdout, /blue/);
    await cli.ok(['env', 'version', 'rollback', `${org}/app/versions@2`]);
    const latest = await cli.ok(['env', 'open', `${org}/app/versions`]);
    assert.deepEqual(JSON.parse(latest.stdout), { color: 'blue' });
    const diff = await cli.ok(['env', 'diff', `${org}/app/versions@3`, `@2`]);
    assert.match(diff.stdout, /red|blue/);
  });

  it('tags, clones, lists and removes environments', async () => {
    await cli.ok(['env', 'tag', `${org}/app/dev`, 'team', 'core']);
    const tags = await cli.ok(['env', 'tag', 'ls', `${org}/app/dev`]);
    assert.match(tags.stdout, /team/);
    await cli.ok(['env', 'clone', `${org}/app/dev`, 'app/copy']);
    const copied = await cli.ok(['env', 'open', `${org}/app/copy`]);
    assert.deepEqual(JSON.parse(copied.stdout), { environmentVariables: { GREETING: 'hello', PASSWORD: 'hunter2' } });
    const listed = await cli.ok(['env', 'ls']);
    assert.match(listed.stdout, new RegExp(`${org}/app/copy`));
    await cli.ok(['env', 'rm', `${org}/app/copy`, '--yes']);
    assert.equal((await api.get(`/api/esc/environments/${org}/app/copy`)).status, 404);
  });
});

/** A project of the YAML runtime whose program returns its `greeting` config as an output. */
function yamlProject(project: string): PulumiCli {
  const yamlCli = new PulumiCli(server.url, server.adminToken, project);
  const program = `name: ${project}\nruntime: yaml\nconfig:\n  greeting:\n    type: string\noutputs:\n  greeting: \${greeting}\n`;
  fs.writeFileSync(path.join(yamlCli.projectDir, 'Pulumi.yaml'), program);
  return yamlCli;
}

describe('stack configuration from environments', () => {
  it('a stack importing an environment in Pulumi.<stack>.yaml: `pulumi config` shows its values and `pulumi up` sees them', async () => {
    await cli.ok(['env', 'init', `${org}/shared/settings`]);
    await cli.ok(['env', 'set', `${org}/shared/settings`, 'pulumiConfig.greeting', 'from-the-environment']);
    const yamlCli = yamlProject('envproj');
    try {
      await yamlCli.ok(['login', server.url]);
      await yamlCli.ok(['stack', 'init', `${org}/envproj/dev`]);
      fs.writeFileSync(path.join(yamlCli.projectDir, 'Pulumi.dev.yaml'), 'environment:\n  - shared/settings\n');
      const config = await yamlCli.ok(['config', '--json']);
      assert.equal(JSON.parse(config.stdout)['envproj:greeting'].value, 'from-the-environment');
      await yamlCli.ok(['up', '--yes', '--skip-preview']);
      const output = await yamlCli.ok(['stack', 'output', 'greeting']);
      assert.equal(output.stdout.trim(), 'from-the-environment');
    } finally {
      yamlCli.cleanup();
    }
  });

  it('`stack init --remote-config` keeps the configuration in an environment the server creates', async () => {
    const yamlCli = yamlProject('remoteproj');
    try {
      await yamlCli.ok(['login', server.url]);
      await yamlCli.ok(['stack', 'init', `${org}/remoteproj/dev`, '--remote-config']);
      const stack = await api.get(`/api/stacks/${org}/remoteproj/dev`);
      assert.deepEqual(stack.body.config, { environment: 'remoteproj/dev' });
      assert.equal((await api.get(`/api/esc/environments/${org}/remoteproj/dev`)).status, 200);
      assert.equal(fs.existsSync(path.join(yamlCli.projectDir, 'Pulumi.dev.yaml')), false, 'no local stack file');

      await yamlCli.ok(['env', 'set', `${org}/remoteproj/dev`, 'pulumiConfig.greeting', 'held-by-the-service']);
      const config = await yamlCli.ok(['config', '--json']);
      assert.equal(JSON.parse(config.stdout)['remoteproj:greeting'].value, 'held-by-the-service');
      const set = await yamlCli.run(['config', 'set', 'greeting', 'local']);
      assert.notEqual(set.code, 0);
      assert.match(set.stderr, /pulumi env set remoteproj\/dev pulumiConfig\.remoteproj:greeting local/);
      await yamlCli.ok(['up', '--yes', '--skip-preview']);
      assert.equal((await yamlCli.ok(['stack', 'output', 'greeting'])).stdout.trim(), 'held-by-the-service');
    } finally {
      yamlCli.cleanup();
    }
  });
});
