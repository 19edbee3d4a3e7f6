// Deployments with the real Pulumi CLI and real runners: `pulumi deployment settings`, `run`,
// `list`, `get`, `log` and `cancel` against a stack whose program (YAML, with the file-writing test
// provider) lives in a local git repository; a `stackyard runner` process serving an agent pool,
// killed mid-deployment; the server's in-process runner (`--runner on`) for the default pool; and
// raw, drift and TTL schedules firing on their own.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PulumiCli, pulumiBinDir, yamlLanguageHostDir } from '../helpers/cli.js';
import { programRepo, providerBinDir } from '../helpers/git-fixture.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const claimTtlSeconds = 6;
const git = (cwd: string, ...args: string[]) =>
  promisify(execFile)('git', ['-c', 'user.name=Stackyard Tests', '-c', 'user.email=tests@stackyard.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd });

let server: TestServer;
let api: ApiClient;
let cli: PulumiCli;
let org: string;
let runnerEnv: NodeJS.ProcessEnv;
const runners: ChildProcess[] = [];
const cleanups: string[] = [];

/** What a runner (in the server or not) gives its deployments: the CLI, the YAML host and the test provider on PATH. */
function toolEnv(): NodeJS.ProcessEnv {
  const home = tempDir('runner-home');
  cleanups.push(home);
  return {
    PATH: [pulumiBinDir(), yamlLanguageHostDir(), providerBinDir(), process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    HOME: home,
    PULUMI_HOME: home,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
  };
}

/** `stackyard runner` as an operator starts it on another machine: its own process, the pool's token. */
function startRunnerProcess(poolToken: string): ChildProcess & { output: string[] } {
  const child = spawn(process.execPath, [path.join(root, 'bin/stackyard.js'), 'runner', '--url', server.url, '--pool-token', poolToken], {
    env: runnerEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string[] };
  child.output = [];
  child.stdout!.on('data', (chunk: Buffer) => child.output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => child.output.push(chunk.toString()));
  runners.push(child);
  return child;
}

const finished = ['succeeded', 'failed'];

async function deploymentOf(stackPath: string, id: string, until: (d: any) => boolean, what: string, timeoutMs = 180_000): Promise<any> {
  return waitFor(
    what,
    async () => {
      const d = (await api.get(`${stackPath}/deployments/${id}`)).body;
      return until(d) ? d : undefined;
    },
    timeoutMs,
  );
}

/** Every log line of a deployment, through the CLI's own streaming reads. */
async function logText(stackPath: string, id: string): Promise<string> {
  const lines: string[] = [];
  let token = '';
  for (let i = 0; i < 100; i++) {
    const page = (await api.get(`${stackPath}/deployments/${id}/logs${token ? `?continuationToken=${token}` : ''}`)).body;
    lines.push(...page.lines.map((l: any) => l.line ?? `# ${l.header}`));
    if (page.nextToken === '' || page.nextToken === token) break;
    token = page.nextToken;
  }
  return lines.join('\n');
}

/** A stack of the file program whose files go to a fresh folder, and the repository holding it. */
async function fileStack(name: string) {
  const dir = tempDir(`files-${name}`);
  cleanups.push(dir);
  const project = 'files';
  const repo = await programRepo({ dir, project });
  cleanups.push(repo.path);
  await cli.ok(['stack', 'init', `${org}/${project}/${name}`]);
  return { dir, repo, ref: `${org}/${project}/${name}`, path: `/api/stacks/${org}/${project}/${name}` };
}

before(async () => {
  runnerEnv = toolEnv();
  server = await startTestServer({
    args: ['--runner', 'on', '--runner-pulumi', path.join(pulumiBinDir(), 'pulumi'), '--deployment-claim-ttl', String(claimTtlSeconds)],
    env: toolEnv(),
  });
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  cli = new PulumiCli(server.url, server.adminToken, 'files');
  await cli.ok(['login', server.url]);
});

after(async () => {
  for (const child of runners) child.kill('SIGKILL');
  cli.cleanup();
  await server.close();
  for (const dir of cleanups) fs.rmSync(dir, { recursive: true, force: true });
});

describe('pulumi deployment with stackyard runners', () => {
  it('settings edit and get, run update through a `stackyard runner` of an agent pool, then list, get and log', async () => {
    const pool = (await api.post(`/api/orgs/${org}/agent-pools`, { name: 'files-pool', description: 'e2e' })).body;
    const runner = startRunnerProcess(pool.tokenValue);
    const stack = await fileStack('pooled');

    await cli.ok([
      'deployment', 'settings', 'edit', '--stack', stack.ref,
      '--git-url', stack.repo.url, '--branch', 'main', '--runner-pool', pool.id,
      '--env', 'GREETING=hello', '--secret-env', 'PASSWORD=s3cret-value',
      '--pre-run-command', 'echo "greeting $GREETING password $PASSWORD"',
    ]);
    const settings = JSON.parse((await cli.ok(['deployment', 'settings', 'get', '--stack', stack.ref, '--output', 'json'])).stdout);
    assert.equal(JSON.stringify(settings).includes(stack.repo.url), true, JSON.stringify(settings));
    const stored = (await api.get(`${stack.path}/deployments/settings`)).body;
    assert.equal(stored.agentPoolID, pool.id, `${JSON.stringify(stored)}\n${JSON.stringify(settings)}`);

    const run = await cli.ok(['deployment', 'run', 'update', '--stack', stack.ref, '--suppress-stream-logs']);
    const id = (await api.get(`${stack.path}/deployments`)).body.deployments[0].id as string;
    assert.match(run.stdout + run.stderr, /deployment|Deployment/);
    const done = await deploymentOf(stack.path, id, (d) => finished.includes(d.status), 'the update deployment', 240_000);
    const log = await logText(stack.path, id);
    assert.equal(done.status, 'succeeded', `${log}\n${runner.output.join('')}`);
    assert.equal(fs.readFileSync(path.join(stack.dir, 'a.txt'), 'utf8'), 'alpha');
    assert.equal(fs.readFileSync(path.join(stack.dir, 'b.txt'), 'utf8'), 'beta');
    assert.match(log, /greeting hello password \[secret\]/, 'a secret variable is masked in the log');
    assert.doesNotMatch(log, /s3cret-value/);
    assert.equal(done.updates.length, 1, 'the pulumi up it ran is its update');
    assert.equal(done.updates[0].result, 'succeeded');
    assert.equal(done.agentPool.id, pool.id);

    const listed = JSON.parse((await cli.ok(['deployment', 'list', '--stack', stack.ref, '--output', 'json'])).stdout);
    assert.equal(JSON.stringify(listed).includes(id), true, JSON.stringify(listed));
    const got = JSON.parse((await cli.ok(['deployment', 'get', String(done.version), '--stack', stack.ref, '--output', 'json'])).stdout);
    assert.equal(JSON.stringify(got).includes('succeeded'), true, JSON.stringify(got));
    const printed = await cli.ok(['deployment', 'log', String(done.version), '--stack', stack.ref, '--all']);
    assert.match(printed.stdout, /pulumi|Updating|update/);
    // The stack's history shows the update, made with the job token as the person who asked.
    const history = JSON.parse((await cli.ok(['stack', 'history', '--stack', stack.ref, '--json'])).stdout);
    assert.equal(history.length, 1);
  });

  it('a runner killed mid-deployment loses its claim: the deployment ends failed, with a log line saying so', async () => {
    const pool = (await api.post(`/api/orgs/${org}/agent-pools`, { name: 'doomed-pool' })).body;
    const runner = startRunnerProcess(pool.tokenValue);
    const stack = await fileStack('killed');
    await api.post(`${stack.path}/deployments/settings`, {
      sourceContext: { git: { repoUrl: stack.repo.url, branch: 'main' } },
      operationContext: { preRunCommands: ['echo sleeping; sleep 40'] },
      agentPoolID: pool.id,
    });
    const id = (await api.post(`${stack.path}/deployments`, { operation: 'update' })).body.id as string;
    await waitFor('the pre-run command to start', async () => ((await logText(stack.path, id)).includes('sleeping') ? true : undefined), 60_000);
    runner.kill('SIGKILL');
    const done = await deploymentOf(stack.path, id, (d) => finished.includes(d.status), 'the claim to run out', 60_000);
    assert.equal(done.status, 'failed');
    assert.match(await logText(stack.path, id), /the runner stopped sending heartbeats/);
    assert.equal(fs.existsSync(path.join(stack.dir, 'a.txt')), false, 'the update never ran');
  });

  it('`serve --runner` runs the default pool: cancel, then run refresh and destroy', async () => {
    const stack = await fileStack('inprocess');
    await cli.ok(['deployment', 'settings', 'edit', '--stack', stack.ref, '--git-url', stack.repo.url, '--branch', 'main', '--pre-run-command', 'sleep 20']);
    // Cancelled while its pre-run command sleeps: the runner stops it and completes it failed.
    await cli.ok(['deployment', 'run', 'update', '--stack', stack.ref, '--suppress-stream-logs']);
    const first = (await api.get(`${stack.path}/deployments`)).body.deployments[0];
    await deploymentOf(stack.path, first.id, (d) => d.status === 'running', 'the in-process runner to start it', 60_000);
    await cli.ok(['deployment', 'cancel', first.id, '--stack', stack.ref, '--yes']);
    const cancelled = await deploymentOf(stack.path, first.id, (d) => finished.includes(d.status), 'the cancellation', 60_000);
    assert.equal(cancelled.status, 'failed');

    await cli.ok(['deployment', 'settings', 'edit', '--stack', stack.ref, '--pre-run-command', '']);
    for (const operation of ['update', 'refresh', 'destroy']) {
      await cli.ok(['deployment', 'run', operation, '--stack', stack.ref, '--suppress-stream-logs']);
      const latest = (await api.get(`${stack.path}/deployments`)).body.deployments[0];
      const done = await deploymentOf(stack.path, latest.id, (d) => finished.includes(d.status), `the ${operation}`, 240_000);
      assert.equal(done.status, 'succeeded', `${operation}: ${await logText(stack.path, latest.id)}`);
      assert.equal(done.pulumiOperation, operation);
    }
    assert.equal(fs.existsSync(path.join(stack.dir, 'a.txt')), false, 'destroyed');
  });

  it("a deployment opens the ESC environments its stack config imports, with the job token: their pulumiConfig is the stack's config", async () => {
    const stack = await fileStack('withenv');
    const envDir = tempDir('files-from-esc');
    cleanups.push(envDir);
    assert.equal((await api.post(`/api/esc/environments/${org}`, { project: 'files', name: 'dirs' })).status, 200);
    const definition = `values:\n  pulumiConfig:\n    dir: ${envDir}\n`;
    const patched = await api.request('PATCH', `/api/esc/environments/${org}/files/dirs`, { rawBody: definition, headers: { 'Content-Type': 'application/x-yaml' } });
    assert.equal(patched.status, 200, patched.text);
    // The stack's config file in the repository imports the environment, as a user commits it.
    fs.writeFileSync(path.join(stack.repo.path, 'Pulumi.withenv.yaml'), 'environment:\n  - files/dirs\n');
    await git(stack.repo.path, 'add', 'Pulumi.withenv.yaml');
    await git(stack.repo.path, 'commit', '--quiet', '-m', 'Import the dirs environment');

    await cli.ok(['deployment', 'settings', 'edit', '--stack', stack.ref, '--git-url', stack.repo.url, '--branch', 'main']);
    await cli.ok(['deployment', 'run', 'update', '--stack', stack.ref, '--suppress-stream-logs']);
    const latest = (await api.get(`${stack.path}/deployments`)).body.deployments[0];
    const done = await deploymentOf(stack.path, latest.id, (d) => finished.includes(d.status), 'the update with an environment', 240_000);
    assert.equal(done.status, 'succeeded', await logText(stack.path, latest.id));
    assert.equal(fs.readFileSync(path.join(envDir, 'a.txt'), 'utf8'), 'alpha', "the environment's dir is the one used");
    assert.equal(fs.existsSync(path.join(stack.dir, 'a.txt')), false, "not the program's default");
  });

  it('schedules fire on their own: a raw one runs an update, a paused one waits for its resume, a TTL one destroys and deletes the stack, a drift one puts an edited file back', async () => {
    const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();
    const [scheduled, held] = [await fileStack('scheduled'), await fileStack('held')];
    for (const stack of [scheduled, held]) {
      assert.equal((await api.post(`${stack.path}/deployments/settings`, { sourceContext: { git: { repoUrl: stack.repo.url, branch: 'main' } } })).status, 200);
    }
    const historyOf = async (stackPath: string, id: string) => (await api.get(`${stackPath}/deployments/schedules/${id}/history`)).body.scheduleHistoryEvents as any[];
    const settled = (stackPath: string, id: string, what: string) =>
      waitFor(what, async () => {
        const events = await historyOf(stackPath, id);
        return events.length > 0 && !['not-started', 'accepted', 'running'].includes(events[0].result) ? events : undefined;
      }, 240_000);

    // A one-time schedule a few seconds ahead, and one paused before it comes due.
    const once = (await api.post(`${scheduled.path}/deployments/schedules`, { scheduleOnce: inFuture(3000), request: { operation: 'update' } })).body;
    const paused = (await api.post(`${held.path}/deployments/schedules`, { scheduleOnce: inFuture(3000), request: { operation: 'update' } })).body;
    assert.equal((await api.post(`${held.path}/deployments/schedules/${paused.id}/pause`)).status, 200);

    const ran = await settled(scheduled.path, once.id, 'the one-time schedule to run');
    assert.equal(ran.length, 1);
    assert.equal(ran[0].result, 'succeeded', JSON.stringify(ran));
    assert.equal(fs.readFileSync(path.join(scheduled.dir, 'a.txt'), 'utf8'), 'alpha');
    const first = (await api.get(`${scheduled.path}/deployments`)).body.deployments[0];
    assert.equal(first.initiator, 'schedule');
    assert.equal((await api.get(`${scheduled.path}/deployments/schedules/${once.id}`)).body.nextExecution, null, 'a one-time schedule fires once');

    // Drift made behind Pulumi's back, for the next minute's check to find and put right, while
    // the other stack's schedules run.
    fs.writeFileSync(path.join(scheduled.dir, 'a.txt'), 'tampered');
    const drift = (await api.post(`${scheduled.path}/deployments/drift/schedules`, { scheduleCron: '* * * * *', autoRemediate: true })).body;
    assert.ok(drift.nextExecution, JSON.stringify(drift));

    // Long past due while paused, it has queued nothing; resumed, it fires at once.
    assert.deepEqual(await historyOf(held.path, paused.id), []);
    assert.equal((await api.get(`${held.path}/deployments`)).body.deployments.length, 0);
    assert.equal((await api.post(`${held.path}/deployments/schedules/${paused.id}/resume`)).status, 200);
    const resumed = await settled(held.path, paused.id, 'the resumed schedule to run');
    assert.equal(resumed[0].result, 'succeeded', JSON.stringify(resumed));
    assert.equal(fs.readFileSync(path.join(held.dir, 'b.txt'), 'utf8'), 'beta');

    // The stack's time is up: destroyed, then deleted with its schedules.
    const ttl = (await api.post(`${held.path}/deployments/ttl/schedules`, { timestamp: inFuture(3000), deleteAfterDestroy: true })).body;
    assert.ok(ttl.id, JSON.stringify(ttl));
    await waitFor('the TTL schedule to destroy and delete the stack', async () => ((await api.get(held.path)).status === 404 ? true : undefined), 240_000);
    assert.equal(fs.existsSync(path.join(held.dir, 'a.txt')), false, 'destroyed before it was deleted');
    assert.equal(fs.existsSync(path.join(held.dir, 'b.txt')), false);

    const remediation = await waitFor('drift to be detected and remediated', async () => {
      const deployments = (await api.get(`${scheduled.path}/deployments`)).body.deployments as any[];
      return deployments.find((d) => d.pulumiOperation === 'remediate-drift' && finished.includes(d.status));
    }, 240_000);
    assert.equal(remediation.status, 'succeeded', await logText(scheduled.path, remediation.id));
    assert.equal(fs.readFileSync(path.join(scheduled.dir, 'a.txt'), 'utf8'), 'alpha', 'the edited file is put back');
    // The check that found it (a later minute's may have queued behind it) succeeded, and its run is in the history.
    const checks = (await api.get(`${scheduled.path}/deployments`)).body.deployments.filter((d: any) => d.pulumiOperation === 'detect-drift');
    const check = checks.find((d: any) => d.status === 'succeeded');
    assert.ok(check, JSON.stringify(checks));
    assert.match(await logText(scheduled.path, check.id), /Drift detected/);
    assert.ok((await historyOf(scheduled.path, drift.id)).some((event) => event.result === 'succeeded'));
    assert.equal((await api.delete(`${scheduled.path}/deployments/schedules/${drift.id}`)).status, 200);
  });
});
