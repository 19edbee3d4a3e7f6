import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config.js';
import type { ContextOverrides } from '../../src/context.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { createLogger } from '../../src/context.js';
import { databaseArgs, dropDatabase } from './database.js';
import pino from 'pino';

export interface TestServer {
  url: string;
  dataDir: string;
  /** The first boot's admin token; the admin belongs to organization `org`. */
  adminToken: string;
  org: string;
  server: RunningServer;
  /** The server's log lines as JSON, when started with `captureLogs`. */
  logs(): Array<Record<string, any>>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `stackyard-${prefix}-`));
}

/** A real server on a loopback port over a fresh database: a SQLite file, or a PostgreSQL database in the PostgreSQL pass. */
export async function startTestServer(
  options: { args?: string[]; dataDir?: string; overrides?: ContextOverrides; captureLogs?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir('data');
  const port = await freePort();
  const config = parseConfig(
    ['--data-dir', dataDir, '--port', String(port), '--public-url', `http://127.0.0.1:${port}`, ...(await databaseArgs(dataDir)), ...(options.args ?? [])],
    options.env ?? {},
  );
  const lines: string[] = [];
  const logger = options.captureLogs
    ? pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
    : createLogger('silent');
  const server = await startServer(config, { logger, ...options.overrides });
  if (!server.firstBoot) throw new Error('test servers start on an empty data directory');
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    adminToken: server.firstBoot.token,
    org: server.firstBoot.organization,
    server,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, any>),
    close: async () => {
      await server.close();
      await dropDatabase(dataDir);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Another server process's view: a second server on the same data directory, as a replica is. */
export async function startReplica(
  primary: TestServer,
  overrides: ContextOverrides = {},
  args: string[] = [],
): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const config = parseConfig(
    ['--data-dir', primary.dataDir, '--port', String(port), '--public-url', `http://127.0.0.1:${port}`, ...(await databaseArgs(primary.dataDir)), ...args],
    {},
  );
  const server = await startServer(config, { logger: createLogger('silent'), ...overrides });
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/stackyard.js');

export interface ServerProcess {
  child: ChildProcess;
  /** Everything the process printed so far, stdout and stderr. */
  output: () => string;
  url: string;
}

/**
 * `stackyard serve` in a process of its own, as an operator runs it, once it listens: on the data
 * directory's database (its own PostgreSQL database in the PostgreSQL pass), so that processes
 * started on one directory are replicas of one server.
 */
export async function serveProcess(dataDir: string, args: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--data-dir', dataDir, '--port', String(port), ...(await databaseArgs(dataDir)), ...args], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Server listening')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The first-boot banner follows the listening line; give it a moment before later boots are judged.
  const bannerDeadline = Date.now() + 2_000;
  while (!output.includes('Admin access token') && Date.now() < bannerDeadline) await new Promise((r) => setTimeout(r, 50));
  return { child, output: () => output, url: `http://127.0.0.1:${port}` };
}

/** Stops a server process as an operator would (SIGTERM), or kills it (SIGKILL); returns its exit code. */
export async function stopProcess(served: ServerProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
  if (served.child.exitCode !== null || served.child.signalCode !== null) return served.child.exitCode;
  const exited = new Promise<number | null>((resolve) => served.child.once('exit', (code) => resolve(code)));
  served.child.kill(signal);
  return exited;
}
