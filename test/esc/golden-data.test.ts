// The golden suites cannot pass by running fewer tests: without Pulumi ESC's test data they fail,
// unless STACKYARD_SKIP_ESC_GOLDEN=1 asks to skip them. Each run is the suites in a process of their
// own, pointed at an empty folder through STACKYARD_ESC_TESTDATA.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const goldenSuites = ['golden.test.ts', 'golden-eval.test.ts', 'crypt.test.ts', 'schema.test.ts'].map((file) => `test/esc/${file}`);
const emptyData = fs.mkdtempSync(path.join(os.tmpdir(), 'stackyard-no-esc-testdata-'));
after(() => fs.rmSync(emptyData, { recursive: true, force: true }));

function runGoldenSuites(env: Record<string, string>) {
  // Without this the child would report to this runner instead of printing its own summary.
  const { NODE_TEST_CONTEXT: _, STACKYARD_SKIP_ESC_GOLDEN: __, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...goldenSuites], {
    cwd: repoRoot,
    env: { ...inherited, STACKYARD_ESC_TESTDATA: emptyData, ...env },
    encoding: 'utf8',
  });
  const failed = Number(/^# fail (\d+)$/m.exec(result.stdout)?.[1]);
  return { status: result.status, output: result.stdout, failed };
}

describe('golden suites without the ESC test data', () => {
  it('fail, every one of them, naming the folder and the way to skip', () => {
    const run = runGoldenSuites({});
    assert.equal(run.status, 1, run.output);
    for (const suite of ['ESC golden cases: loading', 'ESC golden cases: evaluation', 'ESC golden cases: secrets at rest', 'golden schemas: JSON → Schema → JSON']) {
      assert.match(run.output, new RegExp(`^not ok \\d+ - ${suite}$`, 'm'), suite);
    }
    assert.ok(run.output.includes(`nothing at ${path.join(emptyData, 'eval')}`), run.output);
    assert.ok(run.output.includes(`nothing at ${path.join(emptyData, 'crypt')}`), run.output);
    assert.ok(run.output.includes('STACKYARD_SKIP_ESC_GOLDEN=1'), run.output);
  });

  it('are skipped, and the run passes, when STACKYARD_SKIP_ESC_GOLDEN=1 asks', () => {
    const run = runGoldenSuites({ STACKYARD_SKIP_ESC_GOLDEN: '1' });
    assert.equal(run.status, 0, run.output);
    assert.equal(run.failed, 0, run.output);
    assert.match(run.output, /# SKIP STACKYARD_SKIP_ESC_GOLDEN=1/);
  });
});
