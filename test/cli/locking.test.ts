import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import * as automation from '@pulumi/pulumi/automation/index.js';
import { automationSetup, inlineStack, loadProgram, runUpScript } from '../helpers/automation.js';
import { PulumiCli } from '../helpers/cli.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let server: TestServer;
let api: ApiClient;
let cli: PulumiCli;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  cli = new PulumiCli(server.url, server.adminToken);
  await cli.ok(['login', server.url]);
  await cli.ok(['stack', 'init', 'stackyard/proj/locked']);
  await cli.ok(['config', 'set', '--secret', 'dbPassword', 'hunter2', '--stack', 'stackyard/proj/locked']);
});
after(async () => {
  cli.cleanup();
  await server.close();
});

describe('one update at a time, with the real CLI', () => {
  it('runs exactly one of two concurrent `pulumi up`; the other gets the concurrent-update error', async () => {
    // Slow enough that the second CLI always starts while the first update still holds the stack.
    const program = await loadProgram({ generation: 1, groups: 2, perGroup: 10, slowMs: 1000 });
    const stacks = await Promise.all([1, 2].map(() => inlineStack(cli, 'stackyard/proj/locked', program)));
    const results = await Promise.allSettled(stacks.map((stack) => stack.up()));
    const succeeded = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(succeeded.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.equal(failed.length, 1);
    assert.ok(failed[0]!.reason instanceof automation.ConcurrentUpdateError, String(failed[0]!.reason));
    assert.match(String(failed[0]!.reason), /\[409\] Conflict: Another update is currently in progress\./);
    const history = (await api.get('/api/stacks/stackyard/proj/locked/updates')).body.updates;
    assert.deepEqual(history.map((u: { kind: string; result: string }) => [u.kind, u.result]), [['update', 'succeeded']]);
  });

  it('keeps the stack locked after the CLI is killed mid-update, until `pulumi cancel`; then `up` succeeds on the state left', async () => {
    const shape = { generation: 2 as const, groups: 2, perGroup: 10, slowMs: 400, slowest: { name: 'extra-2', ms: 60_000 } };
    const { pulumiRoot, envVars } = automationSetup(cli);
    const child = spawn(
      process.execPath,
      [runUpScript, JSON.stringify({ pulumiRoot, projectDir: cli.projectDir, stackName: 'stackyard/proj/locked', project: 'proj', env: envVars, shape })],
      { detached: true, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));

    // Kill the CLI, its program and its providers once the update has written some state.
    const versionInFlight = await waitFor('an update that has checkpointed', async () => {
      const stack = (await api.get('/api/stacks/stackyard/proj/locked')).body;
      if (!stack.currentOperation) return undefined;
      const state = (await api.get(`/api/stacks/stackyard/proj/locked/export/${stack.version}`)).body;
      const created = (state.deployment.resources ?? []).filter((r: { urn: string }) => r.urn.endsWith('::extra-0'));
      return created.length > 0 ? stack.version : undefined;
    });
    process.kill(-child.pid!, 'SIGKILL');
    await exited;

    const locked = (await api.get('/api/stacks/stackyard/proj/locked')).body;
    assert.equal(locked.currentOperation.kind, 'update');
    assert.equal(locked.currentOperation.author, 'admin');
    const leftBehind = (await api.get('/api/stacks/stackyard/proj/locked/export')).body.deployment.resources;
    assert.ok(leftBehind.some((r: { urn: string }) => r.urn.endsWith('::extra-0')));

    const program = await loadProgram(shape);
    const stack = await inlineStack(cli, 'stackyard/proj/locked', program);
    await assert.rejects(stack.up(), automation.ConcurrentUpdateError);

    const cancel = await cli.ok(['cancel', '--yes', '--stack', 'stackyard/proj/locked']);
    assert.match(cancel.stdout, /has been canceled!/);
    const unlocked = (await api.get('/api/stacks/stackyard/proj/locked')).body;
    assert.equal('currentOperation' in unlocked, false);
    assert.equal(unlocked.version, versionInFlight);

    const again = await cli.run(['cancel', '--yes', '--stack', 'stackyard/proj/locked']);
    assert.equal(again.code, 0, again.stderr);

    // The state the killed update wrote is intact: the next update builds on it.
    const recovered = await stack.up({ program: await loadProgram({ ...shape, slowMs: 0, slowest: undefined }) });
    assert.equal(recovered.summary.result, 'succeeded');
    const exported = JSON.parse((await cli.ok(['stack', 'export', '--stack', 'stackyard/proj/locked'])).stdout);
    assert.equal(exported.deployment.resources.length, 2 * 8 + 3 + 3 + 2);
    // Creates that were in flight at the kill stay pending, as Pulumi keeps them for a person to resolve.
    for (const pending of exported.deployment.pending_operations ?? []) {
      assert.equal(pending.type, 'creating');
      assert.match(pending.resource.urn, /::(group\d|extra)-\d+$/);
    }
    const history = (await api.get('/api/stacks/stackyard/proj/locked/updates')).body.updates;
    assert.deepEqual(
      history.map((u: { kind: string; result: string; version: number }) => [u.kind, u.result, u.version]),
      [
        ['update', 'succeeded', versionInFlight + 1],
        ['update', 'failed', versionInFlight],
        ['update', 'succeeded', 1],
      ],
    );
  });
});
