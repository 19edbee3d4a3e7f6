import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as automation from '@pulumi/pulumi/automation/index.js';
import { automationSetup, inlineStack, loadProgram, runUpScript } from '../helpers/automation.js';
import { PulumiCli } from '../helpers/cli.js';
import { dropDatabase, testDatabase } from '../helpers/database.js';
import { ApiClient } from '../helpers/http.js';
import { startRoundRobinProxy, type Proxy } from '../helpers/proxy.js';
import { serveProcess, stopProcess, tempDir, type ServerProcess } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const exported = async (cli: PulumiCli, stack: string) => JSON.parse((await cli.ok(['stack', 'export', '--stack', stack])).stdout);

// Replicas share one PostgreSQL database; SQLite is one process's embedded database, so this
// file registers its tests in the PostgreSQL pass only.
if (testDatabase === 'postgres') {
  describe('two server processes on one PostgreSQL database, with the real CLI', () => {
    const dataDir = tempDir('replicas');
    let first: ServerProcess;
    let second: ServerProcess;
    let token: string;
    let viaFirst: PulumiCli;
    let viaSecond: PulumiCli;
    /** Both processes behind one URL, as users reach replicas: the public URL, which the CLI writes into stacks' secrets-manager state. */
    let proxy: Proxy;
    let viaProxy: PulumiCli;
    let api: ApiClient;

    before(async () => {
      proxy = await startRoundRobinProxy(() => [first.url, second.url]);
      first = await serveProcess(dataDir, ['--public-url', proxy.url]);
      token = /Admin access token \(shown only now\): (pul-[0-9a-f]{40})/.exec(first.output())![1]!;
      second = await serveProcess(dataDir, ['--public-url', proxy.url]);
      viaFirst = new PulumiCli(first.url, token);
      viaSecond = new PulumiCli(second.url, token);
      viaProxy = new PulumiCli(proxy.url, token);
      api = new ApiClient(second.url, token);
      for (const cli of [viaFirst, viaSecond, viaProxy]) await cli.ok(['login', cli.backendUrl]);
    });
    /** A new stack, configured in both CLIs' project directories, as the test program needs. */
    async function initStack(name: string): Promise<void> {
      await viaFirst.ok(['stack', 'init', name]);
      for (const cli of [viaFirst, viaSecond, viaProxy]) await cli.ok(['config', 'set', '--secret', 'dbPassword', 'hunter2', '--stack', name]);
    }

    after(async () => {
      await Promise.all([stopProcess(first), stopProcess(second)]);
      await proxy.close();
      for (const cli of [viaFirst, viaSecond, viaProxy]) cli.cleanup();
      await dropDatabase(dataDir);
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves `stack export` and `stack history` from one while `pulumi up` talks to the other', async () => {
      const name = 'stackyard/proj/shared';
      await initStack(name);
      const stack = await inlineStack(viaFirst, name, await loadProgram({ generation: 1, groups: 2, perGroup: 10, slowMs: 300 }));
      const up = stack.up();
      // The other process rebuilds the running update's state from what the first one stored.
      const midway = await waitFor('resources exported by the other process during the update', async () => {
        const state = await exported(viaSecond, name);
        const things = (state.deployment.resources ?? []).filter((r: { type: string }) => r.type === 'pulumi-nodejs:dynamic:Resource');
        return things.length > 0 ? things.length : undefined;
      });
      assert.ok(midway < 20, `the update was over before the other process read it (${midway} things)`);
      assert.equal((await api.get('/api/stacks/stackyard/proj/shared')).body.currentOperation.kind, 'update');
      assert.equal((await up).summary.result, 'succeeded');

      const history = JSON.parse((await viaSecond.ok(['stack', 'history', '--json', '--stack', name])).stdout);
      assert.deepEqual(
        history.map((u: { kind: string; result: string; resourceChanges: Record<string, number> }) => [u.kind, u.result, u.resourceChanges.create]),
        [['update', 'succeeded', 23]],
      );
      const [fromFirst, fromSecond] = [await exported(viaFirst, name), await exported(viaSecond, name)];
      assert.deepEqual(fromSecond, fromFirst);
      assert.equal(fromSecond.deployment.resources.length, 24);
    });

    it('runs exactly one of two concurrent `pulumi up` sent to different processes', async () => {
      const name = 'stackyard/proj/raced';
      await initStack(name);
      const program = await loadProgram({ generation: 1, groups: 2, perGroup: 10, slowMs: 1000 });
      const stacks = await Promise.all([viaFirst, viaSecond].map((cli) => inlineStack(cli, name, program)));
      const results = await Promise.allSettled(stacks.map((stack) => stack.up()));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results.map((r) => r.status)));
      assert.equal(failed.length, 1);
      assert.ok(failed[0]!.reason instanceof automation.ConcurrentUpdateError, String(failed[0]!.reason));
      const history = (await api.get('/api/stacks/stackyard/proj/raced/updates')).body.updates;
      assert.deepEqual(history.map((u: { kind: string; result: string }) => [u.kind, u.result]), [['update', 'succeeded']]);
    });

    it('serves `pulumi cancel` and a fresh `up` from one process after the other is killed mid-update', async () => {
      const name = 'stackyard/proj/orphaned';
      await initStack(name);
      const shape = { generation: 1 as const, groups: 2, perGroup: 10, slowMs: 400, slowest: { name: 'group1-9', ms: 60_000 } };
      // The update goes through the proxy, so both processes serve it, each request to the next.
      const { pulumiRoot, envVars } = automationSetup(viaProxy);
      const child = spawn(
        process.execPath,
        [runUpScript, JSON.stringify({ pulumiRoot, projectDir: viaProxy.projectDir, stackName: name, project: 'proj', env: envVars, shape })],
        { detached: true, stdio: 'ignore' },
      );
      const cliExited = new Promise((resolve) => child.once('exit', resolve));
      const createdBefore = await waitFor('an update that has stored some state', async () => {
        const stack = (await api.get('/api/stacks/stackyard/proj/orphaned')).body;
        if (!stack.currentOperation) return undefined;
        const state = (await api.get('/api/stacks/stackyard/proj/orphaned/export')).body;
        const things = (state.deployment.resources ?? []).filter((r: { type: string }) => r.type === 'pulumi-nodejs:dynamic:Resource');
        return things.length > 0 ? things.map((r: { urn: string }) => r.urn) : undefined;
      });
      // One process dies mid-update, and the CLI with it (a CLI whose request was cut off fails).
      await stopProcess(first, 'SIGKILL');
      process.kill(-child.pid!, 'SIGKILL');
      await cliExited;

      const locked = (await api.get('/api/stacks/stackyard/proj/orphaned')).body;
      assert.equal(locked.currentOperation.kind, 'update');
      const cancel = await viaProxy.ok(['cancel', '--yes', '--stack', name]);
      assert.match(cancel.stdout, /has been canceled!/);
      assert.equal('currentOperation' in (await api.get('/api/stacks/stackyard/proj/orphaned')).body, false);

      const left = await exported(viaProxy, name);
      const leftUrns = left.deployment.resources.map((r: { urn: string }) => r.urn);
      for (const urn of createdBefore) assert.ok(leftUrns.includes(urn), `${urn} was lost`);

      const stack = await inlineStack(viaProxy, name, await loadProgram({ ...shape, slowMs: 0, slowest: undefined }));
      assert.equal((await stack.up()).summary.result, 'succeeded');
      const recovered = await exported(viaProxy, name);
      assert.equal(recovered.deployment.resources.length, 24);
      for (const pending of recovered.deployment.pending_operations ?? []) assert.equal(pending.type, 'creating');
      const history = (await api.get('/api/stacks/stackyard/proj/orphaned/updates')).body.updates;
      assert.deepEqual(
        history.map((u: { kind: string; result: string }) => [u.kind, u.result]),
        [
          ['update', 'succeeded'],
          ['update', 'failed'],
        ],
      );
    });
  });
}
