import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates `dir` and any missing parents as 0700, whatever the umask; an existing directory is
 * left as it is (an operator may have opened it to a group on purpose; the server warns instead).
 */
export function makePrivateDirectory(dir: string): void {
  const firstCreated = fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (firstCreated === undefined) return;
  for (let created = path.resolve(dir); ; created = path.dirname(created)) {
    fs.chmodSync(created, 0o700);
    if (created === path.resolve(firstCreated) || created === path.dirname(created)) break;
  }
}

/**
 * Creates an empty file readable by its owner only, failing with EEXIST when it exists. SQLite
 * gives a database it creates 0644 less the umask, and its -wal and -shm files the database's
 * mode, so a database file made here first keeps all three private.
 */
export function createPrivateFile(file: string): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
  } finally {
    fs.closeSync(fd);
  }
}
