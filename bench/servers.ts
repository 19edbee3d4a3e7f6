// The processes `npm run bench` drives: Stackyard servers, the PostgreSQL and MinIO they scale out
// on, the bench program's project folders, and one CLI operation on the bench program.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMinio } from '../test/helpers/minio.js';
import { startThrowawayPostgres } from '../test/helpers/postgres.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const operations = ['create', 'no-op', 'change 10%', 'destroy'] as const;
export type Operation = (typeof operations)[number];

const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `stackyard-bench-${prefix}-`));

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** CPU seconds and peak resident memory of a process, from /proc. */
export function processStats(pid: number): { cpuSeconds: number; peakRssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / tick;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuSeconds, peakRssMb: Number(hwm) / 1024 };
}

/** A throwaway PostgreSQL server and a MinIO server with a bucket, and the server flags that use them. */
export async function startScaleOutServices(): Promise<{ args: string[]; stop(): Promise<void> }> {
  const postgres = await startThrowawayPostgres();
  const minio = await startMinio();
  await minio.createBucket('bench');
  return {
    args: [
      ...['--database-url', postgres.url, '--blob-store', 's3://bench/states', '--s3-endpoint', minio.endpoint],
      ...['--s3-access-key-id', minio.accessKeyId, '--s3-secret-access-key', minio.secretAccessKey],
    ],
    stop: async () => {
      await minio.stop();
      postgres.stop();
    },
  };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** The admin token a first boot prints; undefined for a process joining an existing database. */
  token?: string;
  /** What the process printed on stdout (its JSON log at the chosen level). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `stackyard serve` on `dataDir` in a process of its own, once it answers `/healthz` and, when it
 * is the first process on its database (`firstBoot`), has printed its admin token. `profile`
 * writes its CPU profile to that folder.
 */
export async function spawnServe(
  dataDir: string,
  args: string[],
  options: { firstBoot: boolean; logLevel?: string; profile?: string },
): Promise<ServeProcess> {
  const port = await freePort();
  const profile = options.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(options.profile)] : [];
  const serveArgs = ['serve', '--data-dir', dataDir, '--port', String(port), '--log-level', options.logLevel ?? 'warn', ...args];
  const child = spawn(process.execPath, [...profile, path.join(root, 'bin/stackyard.js'), ...serveArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const ready = async () =>
    (!options.firstBoot || /pul-[0-9a-f]{40}/.test(output)) && (await fetch(`${url}/healthz`).then((reply) => reply.ok, () => false));
  while (!(await ready())) {
    if (child.exitCode !== null) throw new Error(`stackyard did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url,
    token: /pul-[0-9a-f]{40}/.exec(output)?.[0],
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A fresh folder with the bench project and a fresh CLI home. */
export function benchProject(): { workDir: string; home: string; remove(): void } {
  const workDir = tempDir('project');
  const home = tempDir('home');
  fs.writeFileSync(path.join(workDir, 'Pulumi.yaml'), 'name: bench\nruntime: nodejs\n');
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(workDir, 'node_modules'));
  return {
    workDir,
    home,
    remove: () => {
      fs.rmSync(workDir, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** One operation on the bench program through the Automation API, in its own process; resolves to its wall seconds. */
export function runOperation(
  cli: { binDir: string; env: Record<string, string>; stackName: string },
  project: { workDir: string; home: string },
  count: number,
  op: Operation,
): Promise<number> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: project.home,
    PULUMI_HOME: project.home,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_CREDENTIAL_STORE: 'plaintext',
    ...cli.env,
  };
  const options = {
    pulumiRoot: path.dirname(cli.binDir),
    workDir: project.workDir,
    stackName: cli.stackName,
    env,
    count,
    changed: op === 'change 10%',
    op: op === 'destroy' ? 'destroy' : 'up',
  };
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(root, 'bench/fixtures/run-op.mjs'), JSON.stringify(options)], { env, maxBuffer: 1 << 26 }, (error, _out, stderr) => {
      if (error) reject(new Error(`${op} of ${cli.stackName} failed: ${stderr.slice(-2000)}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e9);
    });
  });
}
