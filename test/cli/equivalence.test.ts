import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { automationSetup, inlineStack, loadProgram, runUpScript } from '../helpers/automation.js';
import { PulumiCli } from '../helpers/cli.js';
import { normaliseExport } from '../helpers/exports.js';
import { startTestServer } from '../helpers/server.js';

const stackName = 'stackyard/proj/dev';
const shape = { groups: 3, perGroup: 6 };
const thing = (name: string) => `urn:pulumi:dev::proj::stackyard:test:Group$pulumi-nodejs:dynamic:Resource::${name}`;

function runChild(file: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) =>
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => resolve({ code: error ? 1 : 0, stderr })),
  );
}

const results = new Map<string, { history: unknown; state: unknown }>();
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('journaling leaves the same state as checkpoints', () => {
  for (const mode of [
    { name: 'journal entries', serverArgs: [] },
    { name: 'verbatim checkpoints', serverArgs: ['--journaling', 'off'] },
  ]) {
    it(`runs create, change, drifted refresh, failed update, targeted up and state delete with ${mode.name}`, async () => {
      const server = await startTestServer({ args: mode.serverArgs });
      const cli = new PulumiCli(server.url, server.adminToken);
      cleanups.push(() => cli.cleanup(), () => server.close());
      await cli.ok(['login', server.url]);
      const generation1 = await loadProgram({ generation: 1, ...shape });
      const generation2 = await loadProgram({ generation: 2, ...shape });
      const stack = await inlineStack(cli, stackName, generation1);
      await cli.ok(['config', 'set', '--secret', 'dbPassword', 'hunter2', '--stack', stackName]);

      assert.equal((await stack.up()).summary.result, 'succeeded');
      assert.equal((await stack.up({ program: generation2 })).summary.result, 'succeeded');

      const drifting = await inlineStack(cli, stackName, generation2, { STACKYARD_DRIFT: 'group2-1,group2-2' });
      const refresh = await drifting.refresh();
      assert.equal(refresh.summary.resourceChanges?.update, 2);

      // Back to generation 1 re-creates the deleted things; one create fails and the update with it.
      // One step at a time, so both runs get exactly as far before the failure; in a child process,
      // because a failed inline program leaves SDK promises that reject after the engine is gone.
      const { pulumiRoot, envVars } = automationSetup(cli, { STACKYARD_FAIL_ON: 'group1-5' });
      const failing = await runChild(process.execPath, [
        runUpScript,
        JSON.stringify({ pulumiRoot, projectDir: cli.projectDir, stackName, project: 'proj', env: envVars, shape: { generation: 1, ...shape }, parallel: 1 }),
      ]);
      assert.notEqual(failing.code, 0);
      assert.match(failing.stderr, /refusing to create group1-5/);

      // group0-3 went back to generation 1's value before the failure; only it moves forward.
      const targeted = await stack.up({ program: generation2, target: [thing('group0-3')] });
      assert.equal(targeted.summary.resourceChanges?.update, 1);

      await cli.ok(['state', 'delete', thing('extra-0'), '--yes', '--stack', stackName]);

      const exported = JSON.parse((await cli.ok(['stack', 'export', '--show-secrets', '--stack', stackName])).stdout);
      const urns = exported.deployment.resources.map((r: { urn: string }) => r.urn);
      assert.ok(!urns.includes(thing('extra-0')));
      assert.ok(urns.includes(thing('group1-4')), 'the failed update kept what it created');
      assert.ok(!urns.includes(thing('group1-5')));
      const drifted = exported.deployment.resources.find((r: { urn: string }) => r.urn === thing('group2-1'));
      assert.equal(drifted.outputs.value, 'drifted');
      const history = JSON.parse((await cli.ok(['stack', 'history', '--json', '--stack', stackName])).stdout) as Array<Record<string, any>>;
      results.set(mode.name, {
        history: history.map((h) => [h.kind, h.result, h.version, h.resourceChanges]),
        state: normaliseExport(exported, server.url),
      });
    });
  }

  it('gives identical state and history both ways', () => {
    const journaled = results.get('journal entries');
    const checkpointed = results.get('verbatim checkpoints');
    assert.ok(journaled && checkpointed, 'both modes ran');
    assert.deepEqual(journaled.history, checkpointed.history);
    assert.deepEqual(journaled.state, checkpointed.state);
  });
});
