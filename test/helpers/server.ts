import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config.js';
import type { ContextOverrides } from '../../src/context.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { createLogger } from '../../src/context.js';
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

/** A real server on a loopback port over a fresh SQLite file. */
export async function startTestServer(
  options: { args?: string[]; dataDir?: string; overrides?: ContextOverrides; captureLogs?: boolean } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir('data');
  const port = await freePort();
  const config = parseConfig(
    ['--data-dir', dataDir, '--port', String(port), '--public-url', `http://127.0.0.1:${port}`, ...(options.args ?? [])],
    {},
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
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Another server process's view: a second server on the same data directory, as a replica is. */
export async function startReplica(primary: TestServer, overrides: ContextOverrides = {}): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const config = parseConfig(['--data-dir', primary.dataDir, '--port', String(port), '--public-url', `http://127.0.0.1:${port}`], {});
  const server = await startServer(config, { logger: createLogger('silent'), ...overrides });
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
