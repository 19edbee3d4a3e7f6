// The runner's pure pieces: secret masking, drift from pulumi's JSON, log batching, and what a
// deployment's commands may see of the runner's environment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeChangeSummary, driftIn, readChangeSummary } from '../../src/runner/drift.js';
import { LogBuffer } from '../../src/runner/log-buffer.js';
import { secretMasker } from '../../src/runner/secret-mask.js';
import { passedThroughEnv } from '../../src/runner/step-context.js';

describe('runner: secret masking', () => {
  it('masks each secret, its percent-encoded form and each line of a multi-line one, the longest first', () => {
    const mask = secretMasker(['p@ss word', '-----BEGIN KEY-----\nabc123def\n-----END KEY-----', 'tok', 'tok-longer']);
    assert.equal(mask('password is p@ss word'), 'password is [secret]');
    assert.equal(mask('https://user:p%40ss%20word@git.example'), 'https://user:[secret]@git.example');
    assert.equal(mask('key line abc123def'), 'key line [secret]');
    assert.equal(mask('tok-longer and tok'), '[secret] and [secret]');
    assert.equal(mask('nothing here'), 'nothing here');
  });

  it('ignores empty and blank secrets, which would mask everything', () => {
    assert.equal(secretMasker(['', '  ', '\n'])('all of it'), 'all of it');
  });
});

describe('runner: drift from `pulumi refresh --preview-only --json`', () => {
  it('reads the change summary, also after lines printed before the JSON document', () => {
    assert.deepEqual(readChangeSummary('{"changeSummary":{"same":2,"update":1},"steps":[]}'), { same: 2, update: 1 });
    assert.deepEqual(readChangeSummary('warning: using pulumi-resource-x from $PATH\n{\n  "changeSummary": {"same": 3}\n}'), { same: 3 });
    assert.equal(readChangeSummary('error: no stack'), undefined);
    assert.equal(readChangeSummary('{"steps": []}'), undefined);
  });

  it('calls any change but `same` drift', () => {
    assert.equal(driftIn({ same: 3 }), false);
    assert.equal(driftIn({ same: 2, update: 1 }), true);
    assert.equal(driftIn({ same: 1, delete: 1, update: 0 }), true);
    assert.equal(driftIn({}), false);
    assert.equal(describeChangeSummary({ same: 2, update: 1 }), '2 unchanged, 1 to update');
    assert.equal(describeChangeSummary({}), 'no resources');
  });
});

describe('runner: log buffer', () => {
  it('sends lines masked, in order, one request per step, and all of them by flush', async () => {
    const sent: Array<{ step: number; lines: string[] }> = [];
    const buffer = new LogBuffer({
      send: async (step, lines) => void sent.push({ step, lines: lines.map((l) => l.line) }),
      mask: secretMasker(['hunter2']),
      onSendError: (error) => assert.fail(String(error)),
    });
    buffer.append(0, 'cloning');
    buffer.append(0, 'password hunter2');
    buffer.append(1, 'installing');
    await buffer.flush();
    assert.deepEqual(sent, [
      { step: 0, lines: ['cloning', 'password [secret]'] },
      { step: 1, lines: ['installing'] },
    ]);
  });

  it('drops a batch the server refuses and goes on with the next', async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    const buffer = new LogBuffer({
      send: async (step, lines) => {
        if (step === 0) throw new Error('refused');
        sent.push(...lines.map((l) => l.line));
      },
      mask: (line) => line,
      onSendError: (error) => errors.push(error),
    });
    buffer.append(0, 'lost');
    buffer.append(1, 'kept');
    await buffer.flush();
    assert.equal(errors.length, 1);
    assert.deepEqual(sent, ['kept']);
  });

  it('cuts a line longer than 16 KiB', async () => {
    let line = '';
    const buffer = new LogBuffer({ send: async (_step, lines) => void (line = lines[0]!.line), mask: (l) => l, onSendError: () => {} });
    buffer.append(0, 'x'.repeat(20_000));
    await buffer.flush();
    assert.ok(line.length < 17_000);
    assert.match(line, /line cut at 16384 characters/);
  });
});

describe('runner: environment of deployment commands', () => {
  it('passes tool paths, locale and proxies, never the runner’s or server’s secrets', () => {
    const env = passedThroughEnv({
      PATH: '/usr/bin',
      HOME: '/home/r',
      LC_ALL: 'C.UTF-8',
      HTTPS_PROXY: 'http://proxy:3128',
      PULUMI_HOME: '/p',
      STACKYARD_RUNNER_POOL_TOKEN: 'pul-secret',
      STACKYARD_MASTER_KEY: 'key',
      AWS_SECRET_ACCESS_KEY: 'aws',
      PULUMI_ACCESS_TOKEN: 'pul-other',
    });
    assert.deepEqual(env, { PATH: '/usr/bin', HOME: '/home/r', LC_ALL: 'C.UTF-8', HTTPS_PROXY: 'http://proxy:3128', PULUMI_HOME: '/p' });
  });
});
