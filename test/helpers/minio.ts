import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, tempDir } from './server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface MinioServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A client of this server, for tests to look at what the server stored. */
  client: S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real MinIO server on a loopback port and a new data directory, built from its published Go
 * module by the project script into the git-ignored cache (a no-op once built).
 */
export async function startMinio(): Promise<MinioServer> {
  const binary = execFileSync('bash', [path.join(root, 'scripts/build-clients.sh'), 'minio'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop()!;
  const dataDir = tempDir('minio');
  const [port, consolePort] = [await freePort(), await freePort()];
  const credentials = { accessKeyId: 'stackyard-test', secretAccessKey: 'stackyard-test-secret' };
  const child = spawn(binary, ['server', '--quiet', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, dataDir], {
    env: { PATH: process.env.PATH, HOME: dataDir, MINIO_ROOT_USER: credentials.accessKeyId, MINIO_ROOT_PASSWORD: credentials.secretAccessKey },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const live = await fetch(`${endpoint}/minio/health/live`).then((reply) => reply.ok, () => false);
    if (live) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`minio did not start: ${errors}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  return {
    endpoint,
    ...credentials,
    client,
    createBucket: async (name) => void (await client.send(new CreateBucketCommand({ Bucket: name }))),
    stop: async () => {
      client.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
