import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { inlineStack, loadProgram } from '../helpers/automation.js';
import { PulumiCli } from '../helpers/cli.js';
import { normaliseExport } from '../helpers/exports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const stackName = 'stackyard/proj/dev';
const shape = { groups: 5, perGroup: 11 };
/** 55 things, 5 groups, the stack and the dynamic provider. */
const generation1Resources = 62;

const modes: Array<{ name: string; serverArgs: string[]; env: Record<string, string>; route: string }> = [
  { name: 'journal entries', serverArgs: [], env: {}, route: '/journalentries' },
  {
    name: 'full checkpoints',
    serverArgs: ['--journaling', 'off'],
    env: { PULUMI_OPTIMIZED_CHECKPOINT_PATCH: 'false' },
    route: '/checkpoint',
  },
  { name: 'verbatim checkpoints', serverArgs: ['--journaling', 'off'], env: {}, route: '/checkpointverbatim' },
  // A 1 KiB cutoff makes the CLI send deltas after the first verbatim save of each update.
  {
    name: 'verbatim and delta checkpoints',
    serverArgs: ['--journaling', 'off', '--checkpoint-cutoff-bytes', '1024'],
    env: {},
    route: '/checkpointdelta',
  },
];

const exportsByMode = new Map<string, unknown>();
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** State-writing PATCHes the server answered, by route suffix, with their status codes. */
function checkpointRequests(server: TestServer): Array<{ route: string; status: number }> {
  const logs = server.logs();
  const status = new Map(logs.filter((l) => l.msg === 'request completed').map((l) => [l.reqId, l.res.statusCode as number]));
  return logs
    .filter((l) => l.msg === 'incoming request' && l.req.method === 'PATCH' && /\/(checkpoint\w*|journalentries)$/.test(l.req.url))
    .map((l) => ({ route: (l.req.url as string).slice(l.req.url.lastIndexOf('/')), status: status.get(l.reqId)! }));
}

describe('pulumi up, preview, refresh, destroy and history with the real CLI', () => {
  for (const mode of modes) {
    it(`runs the whole life of a ${generation1Resources}-resource stack with ${mode.name}`, async () => {
      const server = await startTestServer({ args: mode.serverArgs, captureLogs: true });
      const cli = new PulumiCli(server.url, server.adminToken);
      cleanups.push(() => cli.cleanup(), () => server.close());
      await cli.ok(['login', server.url]);
      const stack = await inlineStack(cli, stackName, await loadProgram({ generation: 1, ...shape }), mode.env);
      const cliWithMode = (args: string[]) => cli.ok([...args, '--stack', stackName]);

      // A secret config value goes through the service's encrypt endpoint into Pulumi.dev.yaml.
      await cliWithMode(['config', 'set', '--secret', 'dbPassword', 'hunter2']);
      const stackConfig = fs.readFileSync(path.join(cli.projectDir, 'Pulumi.dev.yaml'), 'utf8');
      assert.match(stackConfig, /dbPassword:\s+secure: \S+/);
      assert.doesNotMatch(stackConfig, /hunter2/);
      assert.equal((await cliWithMode(['config', 'get', 'dbPassword'])).stdout.trim(), 'hunter2');

      const first = await stack.up();
      assert.equal(first.summary.result, 'succeeded');
      assert.equal(first.summary.resourceChanges?.create, generation1Resources - 1); // the provider is not a step
      const outputs = JSON.parse((await cliWithMode(['stack', 'output', '--show-secrets', '--json'])).stdout);
      assert.deepEqual(outputs, {
        thingCount: 55,
        firstLabel: 'group0-0 is round',
        dbPassword: 'hunter2',
        apiKey: 'key-for-generation-1',
      });
      const hidden = JSON.parse((await cliWithMode(['stack', 'output', '--json'])).stdout);
      assert.equal(hidden.dbPassword, '[secret]');

      const generation2 = await loadProgram({ generation: 2, ...shape });
      const preview = await stack.preview({ program: generation2 });
      assert.deepEqual(preview.changeSummary, { create: 4, delete: 10, replace: 10, same: 31, update: 10 });

      const second = await stack.up({ program: generation2 });
      assert.equal(second.summary.result, 'succeeded');
      assert.deepEqual(second.summary.resourceChanges, { create: 4, delete: 10, replace: 10, same: 31, update: 10 });
      const afterSecond = JSON.parse((await cliWithMode(['stack', 'output', '--show-secrets', '--json'])).stdout);
      assert.equal(afterSecond.apiKey, 'key-for-generation-2');
      assert.equal(afterSecond.thingCount, 5 * 9 + 3);

      const refresh = await stack.refresh();
      assert.equal(refresh.summary.result, 'succeeded');

      const exported = JSON.parse((await cliWithMode(['stack', 'export', '--show-secrets'])).stdout);
      assert.equal(exported.deployment.resources.length, generation1Resources - 10 + 4);
      const urns = exported.deployment.resources.map((r: { urn: string }) => r.urn);
      assert.ok(urns.includes('urn:pulumi:dev::proj::stackyard:test:Group$pulumi-nodejs:dynamic:Resource::extra-2'));
      const secretLabel = exported.deployment.resources.find((r: { urn: string }) => r.urn.endsWith('::group0-1'));
      assert.deepEqual(secretLabel.outputs.label, {
        '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270',
        plaintext: '"group0-1 is round"',
      });
      exportsByMode.set(mode.name, normaliseExport(exported, server.url));

      const destroy = await stack.destroy();
      assert.equal(destroy.summary.result, 'succeeded');
      assert.equal(destroy.summary.resourceChanges?.delete, generation1Resources - 10 + 4 - 1);
      const empty = JSON.parse((await cliWithMode(['stack', 'export'])).stdout);
      assert.equal(empty.deployment.resources, undefined);

      const history = JSON.parse((await cliWithMode(['stack', 'history', '--json'])).stdout) as Array<Record<string, any>>;
      assert.deepEqual(
        history.map((h) => [h.kind, h.result, h.version]),
        [
          ['destroy', 'succeeded', 4],
          ['refresh', 'succeeded', 3],
          ['update', 'succeeded', 2],
          ['update', 'succeeded', 1],
        ],
      );
      assert.deepEqual(history[2]!.resourceChanges, { create: 4, delete: 10, replace: 10, same: 31, update: 10 });

      // The protocol the mode is about really ran, and never failed.
      const requests = checkpointRequests(server);
      assert.ok(requests.some((r) => r.route === mode.route), JSON.stringify(requests.slice(0, 5)));
      if (mode.route === '/checkpoint' || mode.route === '/journalentries') {
        assert.ok(requests.every((r) => r.route === mode.route), 'no other way of writing state was used');
      }
      assert.deepEqual(requests.filter((r) => r.status !== 204), []);
    });
  }

  it('leaves identical state whichever checkpoint protocol wrote it', () => {
    const [first, ...rest] = modes.map((mode) => exportsByMode.get(mode.name));
    assert.ok(first, 'every mode ran');
    for (const other of rest) assert.deepEqual(other, first);
  });
});
