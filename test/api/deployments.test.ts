// Deployments over HTTP: settings (merge, secrets), deployments queued and read back, runner
// pools, and the runner protocol spoken directly (the real runner has its own tests).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { ManualClock } from '../helpers/clock.js';
import { createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: ApiClient;
let member: ApiClient;
let org: string;
const clock = new ManualClock();

before(async () => {
  server = await startTestServer({ overrides: { clock }, args: ['--deployment-claim-ttl', '60'] });
  admin = new ApiClient(server.url, server.adminToken);
  org = server.org;
  member = admin.withToken(await createUser(server, 'deploy-member', { org }));
});
after(() => server.close());

const stackPath = (project: string, stack: string) => `/api/stacks/${org}/${project}/${stack}`;
const repo = { sourceContext: { git: { repoUrl: 'file:///srv/repo.git', branch: 'refs/heads/main', repoDir: 'infra' } } };

/** A runner of the default pool, speaking the protocol with plain requests. */
const runner = () => new ApiClient(server.url, server.server.ctx.defaultPoolToken);
const poll = (client = runner()) => client.get('/api/deployments/poll', { headers: { 'X-Stackyard-Runner-Id': 'r-1', 'X-Stackyard-Runner-Hostname': 'box', 'X-Stackyard-Runner-Pid': '42' } });

/** Claims whatever is queued until nothing is, and ends each claim so later tests start clean. */
async function drainQueue(): Promise<void> {
  for (;;) {
    const claimed = await poll();
    if (claimed.status === 204) return;
    await new ApiClient(server.url, claimed.body.jobToken).post(`/api/deployments/${claimed.body.deploymentID}/complete`, { status: 'failed', message: 'drained' });
  }
}

describe('deployment settings', () => {
  it('are merged by POST, replaced by PUT, keep secrets sealed, and take repoURL for repoUrl', async () => {
    await createStack(admin, org, 'web', 'settings');
    const path = `${stackPath('web', 'settings')}/deployments/settings`;
    assert.equal((await member.get(path)).status, 404, 'none yet');
    const created = await admin.post(path, {
      sourceContext: { git: { repoURL: 'https://example.com/repo.git', branch: 'refs/heads/main' } },
      operationContext: { environmentVariables: { PLAIN: 'one', TOKEN: { secret: 's3cr3t' } }, preRunCommands: ['make'] },
      gitHub: { repository: 'acme/repo', deployCommits: true },
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body.sourceContext, { git: { branch: 'refs/heads/main', repoUrl: 'https://example.com/repo.git' } });
    assert.equal(created.body.operationContext.environmentVariables.PLAIN, 'one');
    const sealed = created.body.operationContext.environmentVariables.TOKEN;
    assert.deepEqual(Object.keys(sealed), ['ciphertext']);
    assert.ok(!created.text.includes('s3cr3t'), 'the secret never comes back');
    assert.deepEqual(created.body.gitHub, { repository: 'acme/repo', deployCommits: true }, 'fields the server does not act on are kept');
    assert.equal(created.body.version, 1);

    // A merge patch: null removes one variable, new keys join, arrays replace.
    const patched = await admin.post(path, { operationContext: { environmentVariables: { PLAIN: null, MORE: 'two' }, preRunCommands: ['a', 'b'] } });
    assert.deepEqual(Object.keys(patched.body.operationContext.environmentVariables).sort(), ['MORE', 'TOKEN']);
    assert.deepEqual(patched.body.operationContext.preRunCommands, ['a', 'b']);
    assert.deepEqual(patched.body.operationContext.environmentVariables.TOKEN, sealed, 'an untouched secret keeps its ciphertext');
    assert.equal(patched.body.version, 2);
    // What GET answered may be sent back as is, ciphertexts included.
    const got = (await member.get(path)).body;
    const replaced = await admin.put(path, got);
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(replaced.body.operationContext, got.operationContext);
    // A ciphertext this server did not issue is refused, and nothing changes.
    const forged = await admin.post(path, { operationContext: { environmentVariables: { X: { ciphertext: 'AAAA' } } } });
    assert.equal(forged.status, 400);
    assert.match(forged.body.message, /operationContext\.environmentVariables\.X: the ciphertext was not issued by this server/);
    assert.deepEqual((await member.get(path)).body, replaced.body);

    const encrypted = await admin.post(`${path}/encrypt`, { secret: 'x' });
    assert.equal(encrypted.status, 200);
    assert.ok(typeof encrypted.body.ciphertext === 'string');
    assert.equal((await admin.post(`${path}/encrypt`, { secret: '' })).status, 400);

    for (const [body, message] of [
      [{ sourceContext: { git: { branch: 'main', commit: 'abc' } } }, /a branch or a commit, not both/],
      [{ sourceContext: { git: {}, template: { sourceUrl: 'x' } } }, /one source, not git and template/],
      [{ operationContext: { environmentVariables: { 'BAD NAME': 'x' } } }, /environment variable name 'BAD NAME' is invalid/],
      [{ operationContext: { preRunCommands: 'make' } }, /preRunCommands must be an array of strings/],
      [{ agentPoolID: 'no-such-pool' }, /Invalid agent pool id: 'no-such-pool'/],
      [{ sourceContext: { git: { repoDir: '../etc' } } }, /repoDir must be a path inside the repository/],
    ] as const) {
      const refused = await admin.post(path, body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.match(refused.body.message, message);
    }

    const mark = await auditMark(server);
    assert.equal((await admin.delete(path)).text, 'true');
    assert.equal((await admin.get(path)).status, 404);
    assert.equal((await admin.delete(path)).status, 404);
    assert.deepEqual((await auditAfter(server, org, mark)).map((e) => [e.event, e.description]), [['deployment-settings-deleted', 'Deleted the deployment settings of stack "web/settings"']]);
  });
});

describe('deployments', () => {
  it('are queued over the stack settings with the CLI\'s empty fields, claimed once, and report steps, logs and a result', async () => {
    await createStack(admin, org, 'web', 'dep');
    const path = stackPath('web', 'dep');
    await admin.post(`${path}/deployments/settings`, { ...repo, operationContext: { preRunCommands: ['echo hi'], environmentVariables: { GREETING: 'hello', KEY: { secret: 'hush' } } } });
    assert.equal((await admin.post(`${path}/deployments`, {})).body.message, "Bad Request: Missing top level required field 'operation'");
    assert.equal((await admin.post(`${path}/deployments`, { operation: 'update', operationContext: { operation: 'destroy' } })).body.message, "Bad Request: 'operation' must only be set at the top level");
    assert.equal((await admin.post(`${path}/deployments`, { operation: 'launch' })).status, 400);

    // What `pulumi deployment run update` sends: empty fields everywhere, which leave the settings alone.
    const cliBody = {
      operation: 'update',
      inheritSettings: true,
      executorContext: { workingDirectory: '' },
      operationContext: { preRunCommands: [], operation: '', environmentVariables: {} },
      agentPoolID: null,
    };
    const created = await admin.post(`${path}/deployments`, cliBody, { headers: { 'X-Pulumi-Deployment-Initiator': 'automation-api' } });
    assert.equal(created.status, 202, created.text);
    assert.deepEqual(Object.keys(created.body).sort(), ['consoleUrl', 'id', 'version']);
    assert.equal(created.body.version, 1);
    const id = created.body.id;
    const queued = (await member.get(`${path}/deployments/${id}`)).body;
    assert.equal(queued.status, 'not-started');
    assert.match(queued.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    assert.deepEqual(queued.jobs, []);
    assert.equal(queued.initiator, 'automation-api');
    assert.deepEqual(queued.configuration, {
      environmentVariables: [{ name: 'GREETING', value: 'hello', secret: false }, { name: 'KEY', secret: true }],
      source: { git: { repoURL: 'file:///srv/repo.git', branch: 'refs/heads/main', repoDir: 'infra' } },
    });
    assert.deepEqual((await member.get(`${path}/deployments/version/1`)).body.id, id);
    // Versions past a 32-bit column are the caller's mistake on every database, not a 500.
    for (const version of ['2147483648', '9223372036854775808']) assert.equal((await member.get(`${path}/deployments/version/${version}`)).status, 400);
    assert.equal((await member.get(`${path}/deployments/${id}/logs?step=0&offset=9223372036854775808`)).status, 400);

    // Only a pool token polls; the default pool's runner claims it, once.
    assert.equal((await admin.get('/api/deployments/poll')).status, 401);
    const claimed = await poll();
    assert.equal(claimed.status, 200, claimed.text);
    assert.deepEqual(Object.keys(claimed.body).sort(), ['deploymentID', 'jobID', 'jobToken', 'oidcToken', 'runID', 'typeSpecificID']);
    assert.equal(claimed.body.deploymentID, id);
    const again = await poll();
    assert.equal(again.status, 204);
    assert.equal(again.headers.get('retry-after'), '5');
    assert.equal((await runner().get(`/api/deployments/${id}/status`)).text, '"accepted"');

    const job = new ApiClient(server.url, claimed.body.jobToken);
    const spec = (await job.get(`/api/deployments/${id}/job`)).body;
    assert.equal(spec.operation, 'update');
    assert.equal(spec.backendUrl, server.url);
    assert.deepEqual(spec.steps.map((s: { name: string }) => s.name), ['Get source', 'Install dependencies', 'Pre-run command 1', 'pulumi update']);
    assert.deepEqual(spec.source, { git: { repoUrl: 'file:///srv/repo.git', branch: 'refs/heads/main', repoDir: 'infra' } });
    assert.equal(spec.environmentVariables.KEY, 'hush', 'the runner gets the secret in clear');
    assert.equal(spec.environmentVariables.PULUMI_CI_BUILD_ID, id);
    assert.deepEqual(spec.secretValues, ['hush']);
    assert.deepEqual(spec.preRunCommands, ['echo hi']);

    // The job token is the stack's alone: edit on it, nothing elsewhere, no listing.
    assert.equal((await job.get(path)).status, 200);
    await createStack(admin, org, 'web', 'other');
    assert.equal((await job.get(stackPath('web', 'other'))).status, 404);
    assert.deepEqual((await job.get('/api/user/stacks')).body.stacks, []);
    assert.equal((await admin.get(`/api/deployments/${id}/job`)).status, 404, 'a user token is not the job token');

    assert.equal((await job.post(`/api/deployments/${id}/steps/0`, { status: 'running' })).status, 204);
    assert.equal((await member.get(`${path}/deployments/${id}`)).body.status, 'running');
    await job.post(`/api/deployments/${id}/logs`, { step: 0, lines: [{ line: 'cloning' }, { line: 'cloned' }] });
    await job.post(`/api/deployments/${id}/steps/0`, { status: 'succeeded' });
    await job.post(`/api/deployments/${id}/steps/3`, { status: 'running' });
    await job.post(`/api/deployments/${id}/logs`, { step: 3, lines: [{ timestamp: '2026-12-06T08:00:00.000Z', line: 'Updating (dev)' }] });
    assert.equal((await job.post(`/api/deployments/${id}/logs`, { step: 9, lines: [{ line: 'x' }] })).status, 400);
    assert.deepEqual((await job.post(`/api/deployments/${id}/heartbeat`)).body, { canceled: false });

    // Streaming logs: a header before each step's lines; the same token while nothing is new.
    const first = (await member.get(`${path}/deployments/${id}/logs`)).body;
    assert.deepEqual(first.lines.map((l: any) => l.header ?? l.line), ['Get source', 'cloning', 'cloned', 'pulumi update', 'Updating (dev)']);
    assert.equal(first.lines[4].timestamp, '2026-12-06T08:00:00.000Z');
    const idle = (await member.get(`${path}/deployments/${id}/logs?continuationToken=${first.nextToken}`)).body;
    assert.deepEqual(idle, { __type: 'DeploymentLogs', lines: [], nextToken: first.nextToken });
    const stepLines = (await member.get(`${path}/deployments/${id}/logs?job=0&step=0&offset=1&count=5`)).body;
    assert.deepEqual(stepLines.lines.map((l: any) => l.line), ['cloned']);
    assert.equal(stepLines.name, 'Get source');
    assert.equal((await member.get(`${path}/deployments/${id}/logs?step=0&count=500`)).body.message, 'Bad Request: Count must be less than 500 and more than 0');

    assert.equal((await job.post(`/api/deployments/${id}/complete`, { status: 'succeeded' })).status, 204);
    const done = (await member.get(`${path}/deployments/${id}`)).body;
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.jobs[0].steps.map((s: any) => [s.name, s.status]), [['Get source', 'succeeded'], ['Install dependencies', 'not-started'], ['Pre-run command 1', 'not-started'], ['pulumi update', 'succeeded']]);
    assert.equal(done.jobs[0].steps[1].started, '0001-01-01T00:00:00Z');
    const end = (await member.get(`${path}/deployments/${id}/logs?continuationToken=${first.nextToken}`)).body;
    assert.deepEqual(end, { __type: 'DeploymentLogs', lines: [], nextToken: '' }, 'finished and read to the end');
    assert.equal((await job.get(path)).status, 401, 'the job token ended with the deployment');

    const listed = (await member.get(`${path}/deployments?pageSize=5`)).body;
    assert.deepEqual([listed.total, listed.itemsPerPage, listed.deployments[0].id], [1, 1, id]);
    assert.equal((await member.get(`${path}/deployments?pageSize=101`)).status, 400);
    const orgList = (await member.get(`/api/orgs/${org}/deployments`)).body;
    assert.ok(orgList.deployments.some((d: any) => d.id === id && d.projectName === 'web' && d.stackName === 'dep'));
  });

  it('run one at a time per stack, wait while paused, skip intermediate ones when asked, and cancel', async () => {
    await createStack(admin, org, 'web', 'queue');
    const path = stackPath('web', 'queue');
    await admin.post(`${path}/deployments/settings`, { ...repo, operationContext: { options: { skipIntermediateDeployments: true } } });
    const queue = async (operation: string) => (await admin.post(`${path}/deployments`, { operation })).body.id as string;
    const a = await queue('update');
    const b = await queue('update');
    const c = await queue('update');
    const d = await queue('refresh');

    // Paused, nothing of the stack is handed out.
    assert.equal((await member.post(`${path}/deployments/pause`)).status, 403, 'pausing takes admin on the stack');
    assert.equal((await admin.post(`${path}/deployments/pause`)).status, 200);
    assert.deepEqual((await member.get(`${path}/deployments/metadata`)).body, { paused: true, stackPaused: true, organizationPaused: false, hasSchedules: false });
    assert.equal((await poll()).status, 204);
    await admin.post(`${path}/deployments/resume`);

    const claimed = await poll();
    assert.equal(claimed.body.deploymentID, a);
    assert.equal((await poll()).status, 204, 'one deployment of a stack at a time');
    const job = new ApiClient(server.url, claimed.body.jobToken);
    // Cancelling a queued one ends it; a running one is told at its next heartbeat.
    assert.equal((await admin.post(`${path}/deployments/${d}/cancel`)).status, 200);
    assert.equal((await member.get(`${path}/deployments/${d}`)).body.status, 'failed');
    await admin.post(`${path}/deployments/${a}/cancel`);
    assert.deepEqual((await job.post(`/api/deployments/${a}/heartbeat`)).body, { canceled: true });
    await job.post(`/api/deployments/${a}/complete`, { status: 'failed', message: 'canceled' });
    // b is superseded by c: the same operation queued later.
    const statuses = Object.fromEntries(await Promise.all([a, b, c, d].map(async (id) => [id, (await member.get(`${path}/deployments/${id}`)).body.status])));
    assert.deepEqual([statuses[a], statuses[b], statuses[c], statuses[d]], ['failed', 'skipped', 'not-started', 'failed']);
    assert.equal((await poll()).body.deploymentID, c);
    await drainQueue();
  });

  it('ends a deployment whose runner stopped sending heartbeats, with a log line saying so', async () => {
    await createStack(admin, org, 'web', 'lost');
    const path = stackPath('web', 'lost');
    await admin.post(`${path}/deployments/settings`, repo);
    const id = (await admin.post(`${path}/deployments`, { operation: 'refresh' })).body.id;
    const claimed = await poll();
    assert.equal(claimed.body.deploymentID, id);
    const job = new ApiClient(server.url, claimed.body.jobToken);
    await job.post(`/api/deployments/${id}/steps/0`, { status: 'running' });
    // A heartbeat renews the claim: the expiry job finds it still held.
    clock.advance(40_000);
    await job.post(`/api/deployments/${id}/heartbeat`);
    clock.advance(40_000);
    await server.server.ctx.jobs.drain();
    assert.equal((await member.get(`${path}/deployments/${id}`)).body.status, 'running');
    clock.advance(61_000);
    await server.server.ctx.jobs.drain();
    const failed = (await member.get(`${path}/deployments/${id}`)).body;
    assert.equal(failed.status, 'failed');
    const logs = (await member.get(`${path}/deployments/${id}/logs`)).body;
    assert.match(logs.lines.at(-1).line, /the runner stopped sending heartbeats/);
    assert.equal((await job.post(`/api/deployments/${id}/heartbeat`)).status, 401, 'its job token ended');
  });

  it('refuse a deployment with no source, and a pool that does not exist', async () => {
    await createStack(admin, org, 'web', 'bare');
    const path = stackPath('web', 'bare');
    const noSource = await admin.post(`${path}/deployments`, { operation: 'update' });
    assert.equal(noSource.status, 400);
    assert.match(noSource.body.message, /no source/);
    const noPool = await admin.post(`${path}/deployments`, { operation: 'update', inheritSettings: false, ...repo, agentPoolID: 'nope' });
    assert.match(noPool.body.message, /the agent pool specified in the deployment settings does not exist/);
    assert.equal((await member.get(`${path}/deployments`)).body.total, 0);
  });
});

describe('runner pools', () => {
  it('are created with a token shown once, claim only their own deployments, and are refused deletion while in use', async () => {
    const mark = await auditMark(server);
    const created = await admin.post(`/api/orgs/${org}/agent-pools`, { name: 'Production', description: 'prod account' });
    assert.equal(created.status, 200, created.text);
    assert.match(created.body.tokenValue, /^pul-[0-9a-f]{40}$/);
    const poolId = created.body.id;
    assert.equal((await member.post(`/api/orgs/${org}/agent-pools`, { name: 'mine' })).status, 403);
    assert.equal((await admin.post(`/api/orgs/${org}/agent-pools`, { name: ' ' })).status, 400);

    await createStack(admin, org, 'web', 'pooled');
    const path = stackPath('web', 'pooled');
    await admin.post(`${path}/deployments/settings`, { ...repo, agentPoolID: poolId });
    const id = (await admin.post(`${path}/deployments`, { operation: 'preview' })).body.id;
    assert.equal((await poll()).status, 204, 'the default pool does not take it');
    // No runner of the pool has been seen: the pool says so, and the deployment waits in the queue.
    const unseen = (await member.get(`/api/orgs/${org}/agent-pools`)).body.agentPools.find((p: any) => p.id === poolId);
    assert.deepEqual([unseen.status, unseen.lastSeen], ['offline', 0]);
    assert.equal((await member.get(`${path}/deployments/${id}`)).body.status, 'not-started');
    const pooled = new ApiClient(server.url, created.body.tokenValue);
    const claimed = await poll(pooled);
    assert.equal(claimed.body.deploymentID, id);
    assert.equal((await runner().get(`/api/deployments/${id}/status`)).status, 404, 'another pool does not see it');
    assert.deepEqual((await member.get(`${path}/deployments/${id}`)).body.agentPool, { id: poolId, name: 'Production' });

    const listed = (await member.get(`/api/orgs/${org}/agent-pools`)).body.agentPools;
    const entry = listed.find((p: any) => p.id === poolId);
    assert.deepEqual([entry.name, entry.description, entry.status, entry.isDefault], ['Production', 'prod account', 'online', false]);
    assert.ok(Number.isInteger(entry.created) && entry.created > 0, `created is a time in milliseconds: ${entry.created}`);
    const detail = (await member.get(`/api/orgs/${org}/agent-pools/${poolId}`)).body;
    assert.equal(detail.tokenValue, undefined, 'never shown again');
    assert.deepEqual(detail.agents.map((a: any) => [a.hostname, a.pid, a.status]), [['box', '42', 'online']]);

    assert.deepEqual((await admin.patch(`/api/orgs/${org}/agent-pools/${poolId}`, { description: 'renamed' })).body, { name: 'Production', description: 'renamed' });
    const inUse = await admin.delete(`/api/orgs/${org}/agent-pools/${poolId}`);
    assert.equal(inUse.status, 400);
    assert.match(inUse.body.message, /Agent pool is in use/);
    await new ApiClient(server.url, claimed.body.jobToken).post(`/api/deployments/${id}/complete`, { status: 'succeeded' });
    assert.equal((await admin.delete(`/api/orgs/${org}/agent-pools/${poolId}?force=true`)).status, 204);
    assert.equal((await admin.get(`${path}/deployments/settings`)).body.agentPoolID, poolId, 'the settings are kept as written');
    assert.equal((await poll(pooled)).status, 401, 'the pool token ended with the pool');
    assert.equal((await member.get(`/api/orgs/${org}/agent-pools/${poolId}`)).status, 404);
    assert.deepEqual(
      (await auditAfter(server, org, mark)).filter((e) => e.event.startsWith('deployment-runner-pool')).map((e) => e.event),
      ['deployment-runner-pool-created', 'deployment-runner-pool-updated', 'deployment-runner-pool-deleted'],
    );
  });

  it('pause organization-wide, for admins, and count deployments by status', async () => {
    assert.equal((await member.post(`/api/orgs/${org}/deployments/pause`)).status, 403);
    assert.equal((await admin.post(`/api/orgs/${org}/deployments/pause`)).status, 200);
    await createStack(admin, org, 'web', 'orgpause');
    await admin.post(`${stackPath('web', 'orgpause')}/deployments/settings`, repo);
    await admin.post(`${stackPath('web', 'orgpause')}/deployments`, { operation: 'update' });
    assert.equal((await poll()).status, 204);
    const metadata = (await member.get(`/api/orgs/${org}/deployments/metadata`)).body;
    assert.equal(metadata.paused, true);
    assert.ok(metadata.deploymentCounts.notStarted >= 1 && metadata.deploymentCounts.total >= metadata.deploymentCounts.notStarted);
    await admin.post(`/api/orgs/${org}/deployments/resume`);
    assert.equal((await poll()).status, 200);
    await drainQueue();
  });
});
