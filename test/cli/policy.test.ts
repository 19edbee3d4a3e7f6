// Policy as code through the real CLI: `pulumi policy publish` of the JavaScript pack in
// test/policy/pack, `policy ls / validate-config / enable / group ls / disable / rm`, a server-required
// pack that blocks a preview on a mandatory rule and lets an update through with an advisory one,
// and a local `--policy-pack`. Packs run through the test-only language host of test/policy/host.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it, type TestContext } from 'node:test';
import { inlineStack } from '../helpers/automation.js';
import { PulumiCli } from '../helpers/cli.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pack = 'stackyard-test-policies';

let server: TestServer;
let cli: PulumiCli;
let api: ApiClient;
let org: string;
/** A copy of the pack: `npm pack` writes its archive into the folder it packs. */
let packDir: string;
/** The language host first on the CLI's PATH. */
let env: Record<string, string>;
let policyProgram: (withForbidden: boolean) => () => Promise<Record<string, unknown>>;
/** The `pulumi policy` subcommands this CLI has (older ones lack `get`, `install`, `issue`, `group new`…). */
const commands = new Set<string>();
/** The help of each, for flags that came later (`issue list --stack`; `group new --entity-type`, which went). */
const helps = new Map<string, string>();
/** Whether `--policy-pack` takes an executable: since v3.255.0 (pulumi/pulumi#24052). */
let runsExecutablePacks = false;

before(async () => {
  server = await startTestServer();
  org = server.org;
  api = new ApiClient(server.url, server.adminToken);
  cli = new PulumiCli(server.url, server.adminToken, 'policyproj');
  await cli.ok(['login', server.url]);
  packDir = tempDir('policy-pack');
  for (const file of ['PulumiPolicy.yaml', 'package.json', 'index.js', 'analyzer']) fs.copyFileSync(path.join(root, 'test/policy/pack', file), path.join(packDir, file));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(packDir, 'node_modules'));
  env = { PATH: `${path.join(root, 'test/policy/host')}:${cli.env().PATH}` };
  ({ policyProgram } = await import(path.join(root, 'test/cli/fixtures/policy-program.mjs')));
  // An older CLI answers `--help` of a command it lacks with its parent's help, and exit code 0.
  for (const command of ['get', 'install', 'issue list', 'group new']) {
    const help = await cli.run(['policy', ...command.split(' '), '--help']);
    if (help.stdout.includes(`pulumi policy ${command} `)) commands.add(command);
    helps.set(command, help.stdout);
  }
  const [major = 0, minor = 0] = (/v?(\d+)\.(\d+)\./.exec((await cli.ok(['version'])).stdout) ?? []).slice(1).map(Number);
  runsExecutablePacks = major > 3 || (major === 3 && minor >= 255);
});

function requireCommand(t: TestContext, command: string): boolean {
  if (!commands.has(command)) t.skip(`this CLI has no \`pulumi policy ${command}\``);
  return commands.has(command);
}
after(async () => {
  cli.cleanup();
  fs.rmSync(packDir, { recursive: true, force: true });
  await server.close();
});

/** A stack of the Automation API whose program has `forbidden` or not. */
async function workspace(stack: string, withForbidden: boolean) {
  return inlineStack(cli, `${org}/policyproj/${stack}`, policyProgram(withForbidden), env);
}

const violations = async (stack: string) =>
  ((await api.get(`/api/orgs/${org}/policyresults/violations?project=policyproj&stack=${stack}`)).body.policyViolations as Array<Record<string, unknown>>).map(
    (v) => [v.policyName, v.level, v.resourceName, v.updateVersion ?? null],
  );

describe('pulumi policy', () => {
  it('publish uploads the pack through its signed URL, and ls lists it', async () => {
    const published = await cli.ok(['policy', 'publish', org], { cwd: packDir, env });
    assert.match(published.stdout, new RegExp(`Publishing "${pack}" - version 0\\.0\\.1`));
    assert.deepEqual((await api.get(`/api/orgs/${org}/policypacks`)).body.policyPacks, [{ name: pack, displayName: '', versions: [1], versionTags: ['0.0.1'] }]);
    const listed = await cli.ok(['policy', 'ls', org]);
    assert.match(listed.stdout, new RegExp(`${pack}\\s+0\\.0\\.1`));
    // The same tag again is refused, in the CLI's words.
    const again = await cli.run(['policy', 'publish', org], { cwd: packDir, env });
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already published/);
  });

  it('validate-config checks a config file against the published schema', async () => {
    const file = path.join(cli.projectDir, 'policy-config.json');
    fs.writeFileSync(file, JSON.stringify({ 'no-forbidden-name': 'advisory' }));
    assert.match((await cli.ok(['policy', 'validate-config', `${org}/${pack}`, '0.0.1', '--config', file])).stdout, /configuration is valid/);
    fs.writeFileSync(file, JSON.stringify({ 'no-forbidden-name': { enforcementLevel: 'loud' } }));
    const invalid = await cli.run(['policy', 'validate-config', `${org}/${pack}`, '0.0.1', '--config', file]);
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.stderr, /"loud" is not a valid enforcement level/);
  });

  it('enable applies the latest version through the default group, which group ls shows', async () => {
    await cli.ok(['policy', 'enable', `${org}/${pack}`, 'latest']);
    const group = (await api.get(`/api/orgs/${org}/policygroups/default-policy-group`)).body;
    assert.deepEqual(group.appliedPolicyPacks.map((p: { name: string; versionTag: string }) => [p.name, p.versionTag]), [[pack, '0.0.1']]);
    const groups = await cli.ok(['policy', 'group', 'ls', org]);
    assert.match(groups.stdout, /default-policy-group/);
    if (commands.has('get')) {
      const got = JSON.parse((await cli.ok(['policy', 'get', `${org}/${pack}`, '0.0.1', '--output', 'json'])).stdout);
      assert.match(JSON.stringify(got), /no-forbidden-name/);
    }
  });

  it('a server-required pack blocks a preview on a mandatory rule and lets an update through with an advisory one, and both are recorded', async () => {
    await assert.rejects((await workspace('dev', true)).preview(), (error: Error) => {
      assert.match(error.message, /Downloading policy pack/);
      assert.match(error.message, /\[mandatory\]\s+no-forbidden-name/);
      assert.match(error.message, /The name 'forbidden' is not allowed\./);
      return true;
    });
    const up = await (await workspace('dev', false)).up();
    assert.equal(up.summary.result, 'succeeded');
    assert.match(up.stdout, /\[advisory\]\s+advisory-note/);
    // The preview's mandatory violation was recorded; the update, whose state has no `forbidden`, fixed it.
    assert.deepEqual(await violations('dev'), [['advisory-note', 'advisory', 'allowed', up.summary.version]]);
    const closed = await api.post(`/api/orgs/${org}/policyresults/issues?closed=true`, { filterModel: { colId: 'entityProject', filterType: 'text', type: 'equals', filter: 'policyproj' } });
    assert.deepEqual(closed.body.policyIssues.map((i: { policyName: string; resourceName: string; status: string }) => [i.policyName, i.resourceName, i.status]), [['no-forbidden-name', 'forbidden', 'fixed']]);
    // `policy install` asks for the stack's packs (the stack-policy-packs capability) and finds them installed.
    if (commands.has('install')) await cli.ok(['policy', 'install', '--stack', `${org}/policyproj/dev`], { env });
  });

  it('issue list / get / edit / export show and triage what the runs reported', async (t) => {
    if (!requireCommand(t, 'issue list')) return;
    // The first, experimental `policy issue` commands took other flags (no --stack, --closed or --org on edit).
    if (!helps.get('issue list')!.includes('--closed')) return t.skip("this CLI's `pulumi policy issue` predates the flags tested here");
    type Listed = { policyIssues: Array<{ id: string; policyName: string; resourceName: string; status: string }>; rowCount: number };
    const list = async (...flags: string[]) => JSON.parse((await cli.ok(['policy', 'issue', 'list', '--org', org, '--stack', 'policyproj/dev', ...flags, '--output', 'json'])).stdout) as Listed;
    const brief = (listed: Listed) => [listed.rowCount, listed.policyIssues.map((i) => [i.policyName, i.resourceName, i.status])];
    const open = await list();
    assert.deepEqual(brief(open), [1, [['advisory-note', 'allowed', 'open']]]);
    assert.deepEqual(brief(await list('--closed')), [1, [['no-forbidden-name', 'forbidden', 'fixed']]]);
    const advisory = open.policyIssues[0]!;
    assert.match((await cli.ok(['policy', 'issue', 'get', advisory.id, '--org', org])).stdout, /Policy:\s+advisory-note[\s\S]*Description:\s+Advisory check on dynamic resources\./);
    await cli.ok(['policy', 'issue', 'edit', advisory.id, '--org', org, '--status', 'in_progress', '--priority', 'p0']);
    const edited = (await api.get(`/api/orgs/${org}/policyresults/issues/${advisory.id}`)).body.policyIssue;
    assert.deepEqual([edited.status, edited.priority], ['in_progress', 'p0']);
    const exported = await cli.ok(['policy', 'issue', 'export', '--org', org]);
    assert.match(exported.stdout, /^id,status,priority,/);
    assert.ok(exported.stdout.includes(advisory.id));
  });

  it('disable stops enforcing; a local --policy-pack still runs and reports', async () => {
    await cli.ok(['policy', 'disable', `${org}/${pack}`]);
    assert.deepEqual((await api.get(`/api/orgs/${org}/policygroups/default-policy-group`)).body.appliedPolicyPacks, []);
    const unenforced = await (await workspace('free', true)).up();
    assert.equal(unenforced.summary.result, 'succeeded');
    await assert.rejects((await workspace('local', true)).up({ policyPacks: [packDir] }), /\[mandatory\]\s+no-forbidden-name/);
    // The run stops at the mandatory violation; whether the advisory one was reported first depends on timing.
    assert.ok((await violations('local')).some(([policy, level, name]) => policy === 'no-forbidden-name' && level === 'mandatory' && name === 'forbidden'));
  });

  it('an executable given to --policy-pack runs without any language host, and its violations are recorded', async (t) => {
    if (!runsExecutablePacks) return t.skip('this CLI takes only folders for --policy-pack (executables since v3.255.0)');
    const stack = await inlineStack(cli, `${org}/policyproj/exec`, policyProgram(true));
    await assert.rejects(stack.up({ policyPacks: [path.join(packDir, 'analyzer')] }), (error: Error) => {
      assert.match(error.message, /\[mandatory\]\s+no-forbidden-name/);
      assert.doesNotMatch(error.message, /pulumi-language-nodejs/);
      return true;
    });
    assert.ok((await violations('exec')).some(([policy, level, name]) => policy === 'no-forbidden-name' && level === 'mandatory' && name === 'forbidden'));
    const allowed = await (await inlineStack(cli, `${org}/policyproj/exec`, policyProgram(false))).up({ policyPacks: [path.join(packDir, 'analyzer')] });
    assert.equal(allowed.summary.result, 'succeeded');
    assert.match(allowed.stdout, /\[advisory\]\s+advisory-note/);
  });

  it('group new / edit / get / remove manage a group of stacks', async (t) => {
    if (!requireCommand(t, 'group new')) return;
    const entityType = helps.get('group new')!.includes('--entity-type') ? ['--entity-type', 'stacks'] : [];
    await cli.ok(['policy', 'group', 'new', 'staging', '--org', org, ...entityType, '--mode', 'preventative', '--yes']);
    await cli.ok(['policy', 'group', 'edit', 'staging', '--org', org, '--add-stack', 'policyproj/dev', '--add-policy-pack', `${pack}@0.0.1`, '--name', 'staging2']);
    const group = (await api.get(`/api/orgs/${org}/policygroups/staging2`)).body;
    assert.deepEqual([group.stacks, group.appliedPolicyPacks.map((p: { versionTag: string }) => p.versionTag)], [[{ name: 'dev', routingProject: 'policyproj' }], ['0.0.1']]);
    assert.match((await cli.ok(['policy', 'group', 'get', 'staging2', '--org', org])).stdout, /policyproj\/dev/);
    await cli.ok(['policy', 'group', 'remove', 'staging2', '--org', org, '--yes']);
    assert.equal((await api.get(`/api/orgs/${org}/policygroups/staging2`)).status, 404);
  });

  it('rm deletes the pack once no group applies it', async () => {
    await cli.ok(['policy', 'rm', `${org}/${pack}`, 'all', '--yes']);
    assert.deepEqual((await api.get(`/api/orgs/${org}/policypacks`)).body.policyPacks, []);
  });
});
