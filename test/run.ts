// `npm test`: the whole suite on SQLite and, at the same time, every suite that starts a server on
// a throwaway PostgreSQL server (test/helpers/postgres.ts). STACKYARD_TEST_DATABASES=sqlite or
// =postgres runs one pass; STACKYARD_TEST_POSTGRES_URL names a server to use instead of starting
// one; STACKYARD_TEST_CONCURRENCY sets how many test files each pass runs at once.
//
// Most files spend their time waiting (on the real CLI, a browser, a schedule's next minute), so
// each pass runs several at once, and both passes run side by side: on two cores the suite keeps
// both busy. The PostgreSQL pass's report is held back and printed whole after the SQLite pass's,
// so the log reads as two runs, one after the other.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startThrowawayPostgres } from './helpers/postgres.js';

const testFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return dir === 'test' && entry.name !== 'helpers' ? testFiles(file) : [];
    return entry.name.endsWith('.test.ts') ? [file] : [];
  });

/**
 * Suites run on SQLite alone: those that never start a server (the ESC evaluator, pure units, the
 * README's checks), and the console's browser tests, which see the database only through the API.
 */
const sqliteOnly = (file: string) => /^test\/(esc|unit|console)\//.test(file) || file === 'test/readme.test.ts';

/**
 * Files that take 10 s or more start first, longest first as measured one at a time, so that no
 * long file is left running alone at the end of a pass: the fuzz suite, the real-CLI suites, the
 * permission matrix, the property and browser suites, and files that wait on schedules and retries.
 */
const startsFirst = [
  /^test\/api\/fuzz\./,
  /^test\/cli\/(deployments|updates)\./,
  /^test\/command\./,
  /^test\/cli\//,
  /^test\/api\/(permissions|schedules|webhooks-durability)\./,
  /^test\/unit\/journal-property\./,
  /^test\/console\/(?!.*\.unit\.)/,
  /^test\/(api\/(webhooks|data-dir|search|timeouts)|sdk)\./,
];
const rank = (file: string) => {
  const index = startsFirst.findIndex((pattern) => pattern.test(file));
  return index < 0 ? startsFirst.length : index;
};

const all = testFiles('test').sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const passes = (process.env.STACKYARD_TEST_DATABASES ?? 'sqlite,postgres').split(',');
const unknown = passes.filter((name) => name !== 'sqlite' && name !== 'postgres');
if (unknown.length) throw new Error(`STACKYARD_TEST_DATABASES names ${unknown.join(', ')}; it takes sqlite and postgres`);
const concurrency = Number(process.env.STACKYARD_TEST_CONCURRENCY ?? 3);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('STACKYARD_TEST_CONCURRENCY takes a whole number from 1');

/** Runs one pass; its report goes to this process's stdout as it comes, or to `report` to be printed later. */
function runSuite(database: string, files: string[], env: NodeJS.ProcessEnv, report?: string): Promise<boolean> {
  const heading = `# ${database}: ${files.length} test files, ${concurrency} at a time\n`;
  const out = report === undefined ? 'inherit' : fs.openSync(report, 'w');
  if (typeof out === 'number') fs.writeSync(out, heading);
  else process.stdout.write(heading);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { stdio: ['ignore', out, out], env });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      if (typeof out === 'number') fs.closeSync(out);
      resolve(code === 0);
    });
  });
}

const runs: Array<Promise<boolean>> = [];
if (passes.includes('sqlite')) {
  const { STACKYARD_TEST_POSTGRES_URL: _, ...env } = process.env;
  runs.push(runSuite('sqlite', all, env));
}
let postgresReport: string | undefined;
if (passes.includes('postgres')) {
  postgresReport = passes.includes('sqlite') ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stackyard-test-report-')), 'postgres.tap') : undefined;
  runs.push(runPostgresPass(postgresReport));
}

/** The PostgreSQL pass on the server named, or on a throwaway one it starts and stops. */
async function runPostgresPass(report: string | undefined): Promise<boolean> {
  const given = process.env.STACKYARD_TEST_POSTGRES_URL;
  let server: Awaited<ReturnType<typeof startThrowawayPostgres>> | undefined;
  try {
    server = given ? undefined : await startThrowawayPostgres();
    const env = { ...process.env, STACKYARD_TEST_POSTGRES_URL: given ?? server!.url };
    return await runSuite('postgres', all.filter((file) => !sqliteOnly(file)), env, report);
  } catch (error) {
    console.error(`# postgres: the pass could not run: ${(error as Error).message}`);
    return false;
  } finally {
    server?.stop();
  }
}

const results = await Promise.all(runs);
if (postgresReport) {
  // Printed only once the SQLite pass is done, so the two reports never interleave.
  process.stdout.write(fs.readFileSync(postgresReport));
  fs.rmSync(path.dirname(postgresReport), { recursive: true, force: true });
}
process.exitCode = results.every(Boolean) ? 0 : 1;
