// `npm test`: the whole suite on SQLite, then every suite that starts a server again on a
// throwaway PostgreSQL server (test/helpers/postgres.ts). STACKYARD_TEST_DATABASES=sqlite or
// =postgres runs one pass; STACKYARD_TEST_POSTGRES_URL names a server to use instead of starting one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
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

const all = testFiles('test').sort();
const passes = (process.env.STACKYARD_TEST_DATABASES ?? 'sqlite,postgres').split(',');
const unknown = passes.filter((name) => name !== 'sqlite' && name !== 'postgres');
if (unknown.length) throw new Error(`STACKYARD_TEST_DATABASES names ${unknown.join(', ')}; it takes sqlite and postgres`);

function runSuite(database: string, files: string[], env: NodeJS.ProcessEnv): boolean {
  console.log(`# ${database}: ${files.length} test files`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit', env });
  return result.status === 0;
}

let passed = true;
if (passes.includes('sqlite')) {
  const { STACKYARD_TEST_POSTGRES_URL: _, ...env } = process.env;
  passed = runSuite('sqlite', all, env) && passed;
}
if (passes.includes('postgres')) {
  const given = process.env.STACKYARD_TEST_POSTGRES_URL;
  const server = given ? undefined : await startThrowawayPostgres();
  try {
    const url = given ?? server!.url;
    passed = runSuite('postgres', all.filter((file) => !sqliteOnly(file)), { ...process.env, STACKYARD_TEST_POSTGRES_URL: url }) && passed;
  } finally {
    server?.stop();
  }
}
process.exitCode = passed ? 0 : 1;
