import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { databaseArgs, testDatabase } from '../helpers/database.js';
import { serveProcess, stopProcess, tempDir } from '../helpers/server.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/stackyard.js');
const root = tempDir('data-dir');
after(() => fs.rmSync(root, { recursive: true, force: true }));

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

/** `stackyard <args>` to its end, with the given umask; its exit code and output. */
async function run(args: string[], umask = 0o022): Promise<{ code: number; stdout: string; stderr: string }> {
  const previous = process.umask(umask);
  try {
    return await new Promise((resolve) =>
      execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH }, timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
  } finally {
    process.umask(previous);
  }
}

async function serveOnce(dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(['serve', '--data-dir', dataDir, '--port', '1', ...(await databaseArgs(dataDir))]);
}

/** Makes a path immutable, which even root cannot write through; false where the file system or the container does not allow it. */
function makeImmutable(file: string): boolean {
  try {
    execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the data directory', () => {
  it('is created 0700, with its database, -wal, -shm, master key and backups 0600, whatever the umask', async () => {
    const dataDir = path.join(root, 'fresh', 'nested');
    const previous = process.umask(0);
    let served;
    try {
      served = await serveProcess(dataDir);
    } finally {
      process.umask(previous);
    }
    try {
      assert.equal(modeOf(path.join(root, 'fresh')), '700');
      assert.equal(modeOf(dataDir), '700');
      assert.equal(modeOf(path.join(dataDir, 'master.key')), '600');
      if (testDatabase === 'sqlite') {
        for (const file of ['stackyard.db', 'stackyard.db-wal', 'stackyard.db-shm']) assert.equal(modeOf(path.join(dataDir, file)), '600', file);
        const target = path.join(root, 'backup.db');
        const backup = await run(['admin', 'backup', target, '--data-dir', dataDir], 0);
        assert.equal(backup.code, 0, backup.stderr);
        assert.equal(modeOf(target), '600');
      }
      assert.doesNotMatch(served.output(), /open to other users/);
    } finally {
      assert.equal(await stopProcess(served), 0);
    }
  });

  it('keeps the mode of an existing directory, and the log warns that others can read it', async () => {
    const dataDir = path.join(root, 'shared');
    fs.mkdirSync(dataDir);
    fs.chmodSync(dataDir, 0o755);
    const served = await serveProcess(dataDir);
    try {
      assert.equal(modeOf(dataDir), '755');
      const warnings = served
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; path?: string; mode?: string })
        .filter((line) => line.level === 40);
      assert.deepEqual(
        warnings.map((w) => [w.path, w.mode, w.msg]),
        [[dataDir, '0755', `${dataDir} is open to other users (mode 0755); it holds the server's data and keys: chmod go-rwx it`]],
      );
    } finally {
      assert.equal(await stopProcess(served), 0);
    }
  });
});

describe('stackyard serve on a data directory it cannot write', () => {
  it('exits 1 with one line naming the path and the cause when the directory cannot be made', async () => {
    // Root ignores permission bits; a regular file where a parent directory should be stops it too.
    const blocker = path.join(root, 'a-file');
    fs.writeFileSync(blocker, '');
    const dataDir = path.join(blocker, 'data');
    const result = await serveOnce(dataDir);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `stackyard: ENOTDIR: not a directory, mkdir '${dataDir}'\n`);
  });

  it('exits 1 with one line naming the database file and the cause when it cannot be opened', { skip: testDatabase !== 'sqlite' && 'SQLite files only' }, async () => {
    const dataDir = path.join(root, 'db-is-a-folder');
    fs.mkdirSync(path.join(dataDir, 'stackyard.db'), { recursive: true });
    const result = await serveOnce(dataDir);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `stackyard: EISDIR: illegal operation on a directory, open '${path.join(dataDir, 'stackyard.db')}'\n`);
  });

  it('exits 1 with one line naming the file when the directory or the database is read-only (chattr +i)', { skip: testDatabase !== 'sqlite' && 'SQLite files only' }, async (t) => {
    const dataDir = path.join(root, 'immutable');
    const first = await serveProcess(dataDir);
    assert.equal(await stopProcess(first), 0);
    const database = path.join(dataDir, 'stackyard.db');
    if (!makeImmutable(dataDir)) return t.skip('chattr +i is not available here');
    try {
      // The file is writable, but SQLite cannot create its -wal beside it.
      const dirLocked = await serveOnce(dataDir);
      assert.equal(dirLocked.code, 1);
      assert.equal(
        dirLocked.stderr,
        `stackyard: cannot open the database ${database}: unable to open database file (EPERM: operation not permitted, open '${database}-wal')\n`,
      );
    } finally {
      execFileSync('chattr', ['-i', dataDir]);
    }
    assert.ok(makeImmutable(database));
    try {
      // SQLite would open it read-only without a word and fail every write later.
      const fileLocked = await serveOnce(dataDir);
      assert.equal(fileLocked.code, 1);
      assert.equal(fileLocked.stderr, `stackyard: EPERM: operation not permitted, open '${database}'\n`);
    } finally {
      execFileSync('chattr', ['-i', database]);
    }
  });
});
