import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server.js';

export interface ThrowawayPostgres {
  /** A superuser URL of the server's `postgres` database. */
  url: string;
  stop(): void;
}

const debianBinaries = '/usr/lib/postgresql';

/** The newest PostgreSQL server that Debian's packages installed, as the folder of its programs. */
function findServerBinaries(): string | undefined {
  if (!fs.existsSync(debianBinaries)) return undefined;
  const versions = fs
    .readdirSync(debianBinaries)
    .filter((version) => fs.existsSync(path.join(debianBinaries, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(debianBinaries, versions[0]!, 'bin') : undefined;
}

/** Installs Debian's `postgresql` package when this process may (root, with apt-get); otherwise says what is missing. */
function serverBinaries(): string {
  const found = findServerBinaries();
  if (found) return found;
  const missing = `the PostgreSQL test pass needs a PostgreSQL server: no ${debianBinaries}/<version>/bin/initdb on this machine`;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) {
    throw new Error(`${missing}; install Debian's 'postgresql' package (apt-get install postgresql)`);
  }
  console.log('# installing Debian\'s postgresql package for the PostgreSQL test pass');
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    if (install().status !== 0) throw new Error(`${missing}, and 'apt-get install postgresql' failed`);
  }
  const installed = findServerBinaries();
  if (!installed) throw new Error(`${missing}, even after 'apt-get install postgresql'`);
  return installed;
}

/**
 * Starts a PostgreSQL server of its own for a test run: a new data directory under the system's
 * temporary folder, a free loopback port, trust authentication, and none of the durability a
 * real server needs. PostgreSQL refuses to run as root, so under root it runs as `postgres`.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = serverBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackyard-postgres-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres:', dir]);
  const run = (program: string, args: string[]) => {
    const [command, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]] : [path.join(bin, program), args];
    const result = spawnSync(command, fullArgs as string[], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${program} failed (${result.status}): ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-o', settings, '-l', path.join(dir, 'server.log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
