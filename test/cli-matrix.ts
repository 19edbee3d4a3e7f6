// `npm run test:cli-matrix`: the real-CLI suites (test/cli/) on older and newer Pulumi CLIs than the
// pinned one CI runs, each built by scripts/build-clients.sh (PULUMI_VERSION) into the cache, on
// SQLite. Prints a line per version and exits non-zero if any suite failed.
// STACKYARD_CLI_MATRIX=v3.229.0,v3.276.0 chooses the versions.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const versions = (process.env.STACKYARD_CLI_MATRIX ?? 'v3.229.0,v3.248.0,v3.276.0').split(',').filter(Boolean);
const files = fs.readdirSync('test/cli').filter((name) => name.endsWith('.test.ts')).map((name) => path.join('test/cli', name)).sort();
const { STACKYARD_TEST_POSTGRES_URL: _, ...env } = process.env;

const results: Array<{ version: string; summary: string; passed: boolean }> = [];
for (const version of versions) {
  const build = spawnSync('bash', ['scripts/build-clients.sh'], { env: { ...env, PULUMI_VERSION: version }, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (build.status !== 0) {
    results.push({ version, summary: 'the CLI did not build', passed: false });
    continue;
  }
  console.log(`# pulumi ${version}: ${files.length} test files`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter', 'tap', ...files], { env: { ...env, PULUMI_VERSION: version }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(run.stdout);
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(run.stdout)?.[1] ?? 0);
  results.push({ version, summary: `${count('tests')} tests, ${count('pass')} pass, ${count('fail')} fail, ${count('skipped')} skipped`, passed: run.status === 0 });
}
console.log('\n# CLI matrix');
for (const { version, summary, passed } of results) console.log(`# ${passed ? 'ok  ' : 'FAIL'} pulumi ${version}: ${summary}`);
process.exitCode = results.every((r) => r.passed) ? 0 : 1;
