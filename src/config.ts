import path from 'node:path';
import { parseArgs } from 'node:util';
import type { S3Location } from './blobs/s3.js';
import { passedThroughEnv } from './runner/step-context.js';

/** Everything the server reads from its environment, parsed once at start-up. */
export type BlobStoreConfig = { kind: 'database' } | { kind: 'file'; dir: string } | ({ kind: 's3' } & S3Location);

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** `sqlite:<file>` or `postgres://user:password@host:port/database`. */
  databaseUrl: string;
  /** Where checkpoints' bytes live (src/blobs/). */
  blobStore: BlobStoreConfig;
  /**
   * The S3 options as given, whatever the blob store: `admin import-backend` takes them as the
   * defaults for an `s3://` backend. Empty strings where none was given.
   */
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  /** The URL clients log in to; used in links and in the service secrets provider state. */
  publicUrl: string;
  /** Largest request body accepted, measured after gzip decompression. */
  bodyLimitBytes: number;
  logLevel: string;
  /** Names used by the first boot when it creates the admin user and the default organization. */
  bootstrap: { adminLogin: string; organization: string };
  /**
   * Wraps every stack's secrets key: 32 bytes, from config (base64) or, when none is given, a
   * file the first boot creates in the data directory.
   */
  masterKey: { base64?: string; file: string };
  /** Offer the CLI journaling (`journalVersion: 1`); off, it sends checkpoints. */
  journaling: boolean;
  /** Checkpoints at least this large may be sent as deltas (capability delta-checkpoint-uploads-v2). */
  checkpointCutoffBytes: number;
  /**
   * How long a client may take over one request, headers and body (largest CLI uploads on a slow
   * link included), and how long its body may stall before the connection is closed.
   */
  requestTimeoutMs: number;
  bodyIdleTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Connections one client address may hold at once; more are closed as they arrive. */
  maxConnectionsPerAddress: number;
  /** The bearer token `GET /metrics` takes; empty: metrics are not served. */
  metricsToken: string;
  /** Run background jobs (webhook deliveries, clean-ups) in this process; off for API-only replicas. */
  runJobs: boolean;
  /** Refuse webhook targets on loopback, private and link-local addresses (checked at each delivery). */
  webhookRefusePrivateTargets: boolean;
  /** How long a runner's claim on a deployment lasts without a heartbeat. */
  deploymentClaimTtlMs: number;
  /**
   * The token of the server's default pool (deployments that name no pool). Empty: the server
   * makes one at start for its in-process runner (`serve --runner`), kept in memory only.
   */
  defaultPoolToken: string;
  /** Serve the web console (built into dist/web by `npm run build`) at `/`. */
  console: boolean;
  /** `serve --runner`: a runner in this process takes the default pool's deployments. */
  runner: {
    inProcess: boolean;
    /** The Pulumi CLI it runs. */
    pulumi: string;
    /** What its deployments' commands may see of the server's environment (tool paths, proxies; no secrets). */
    env: Record<string, string>;
  };
  /** What `GET /api/cli/version` reports. */
  cliVersion: { latest: string; oldestWithoutWarning: string; latestDev: string };
}

const options = {
  host: { type: 'string', env: 'STACKYARD_HOST', default: '127.0.0.1' },
  port: { type: 'string', env: 'STACKYARD_PORT', default: '8080' },
  'data-dir': { type: 'string', env: 'STACKYARD_DATA_DIR', default: './data' },
  'database-url': { type: 'string', env: 'STACKYARD_DATABASE_URL', default: '' },
  'blob-store': { type: 'string', env: 'STACKYARD_BLOB_STORE', default: 'database' },
  's3-endpoint': { type: 'string', env: 'STACKYARD_S3_ENDPOINT', default: '' },
  's3-region': { type: 'string', env: 'STACKYARD_S3_REGION', default: 'us-east-1' },
  's3-access-key-id': { type: 'string', env: 'STACKYARD_S3_ACCESS_KEY_ID', default: '' },
  's3-secret-access-key': { type: 'string', env: 'STACKYARD_S3_SECRET_ACCESS_KEY', default: '' },
  'public-url': { type: 'string', env: 'STACKYARD_PUBLIC_URL', default: '' },
  'body-limit': { type: 'string', env: 'STACKYARD_BODY_LIMIT_BYTES', default: String(128 * 1024 * 1024) },
  'master-key': { type: 'string', env: 'STACKYARD_MASTER_KEY', default: '' },
  journaling: { type: 'string', env: 'STACKYARD_JOURNALING', default: 'on' },
  'checkpoint-cutoff-bytes': { type: 'string', env: 'STACKYARD_CHECKPOINT_CUTOFF_BYTES', default: String(1024 * 1024) },
  'request-timeout': { type: 'string', env: 'STACKYARD_REQUEST_TIMEOUT_SECONDS', default: '600' },
  'body-idle-timeout': { type: 'string', env: 'STACKYARD_BODY_IDLE_TIMEOUT_SECONDS', default: '30' },
  'keep-alive-timeout': { type: 'string', env: 'STACKYARD_KEEP_ALIVE_TIMEOUT_SECONDS', default: '72' },
  'max-connections-per-address': { type: 'string', env: 'STACKYARD_MAX_CONNECTIONS_PER_ADDRESS', default: '256' },
  'log-level': { type: 'string', env: 'STACKYARD_LOG_LEVEL', default: 'info' },
  'metrics-token': { type: 'string', env: 'STACKYARD_METRICS_TOKEN', default: '' },
  'admin-login': { type: 'string', env: 'STACKYARD_ADMIN_LOGIN', default: 'admin' },
  'default-org': { type: 'string', env: 'STACKYARD_DEFAULT_ORG', default: 'stackyard' },
  jobs: { type: 'string', env: 'STACKYARD_JOBS', default: 'on' },
  'webhook-refuse-private-targets': { type: 'string', env: 'STACKYARD_WEBHOOK_REFUSE_PRIVATE_TARGETS', default: 'off' },
  'deployment-claim-ttl': { type: 'string', env: 'STACKYARD_DEPLOYMENT_CLAIM_TTL_SECONDS', default: '300' },
  'default-pool-token': { type: 'string', env: 'STACKYARD_DEFAULT_POOL_TOKEN', default: '' },
  runner: { type: 'string', env: 'STACKYARD_RUNNER', default: 'off' },
  'runner-pulumi': { type: 'string', env: 'STACKYARD_RUNNER_PULUMI', default: 'pulumi' },
  console: { type: 'string', env: 'STACKYARD_CONSOLE', default: 'on' },
  'cli-latest-version': { type: 'string', env: 'STACKYARD_CLI_LATEST_VERSION', default: '3.274.1' },
  'cli-oldest-without-warning': { type: 'string', env: 'STACKYARD_CLI_OLDEST_WITHOUT_WARNING', default: '3.0.0' },
} as const;

type OptionName = keyof typeof options;

/** The table the README documents: flag, environment variable, default. */
export const configOptions = Object.entries(options).map(([flag, o]) => ({ flag: `--${flag}`, env: o.env, default: o.default }));

export class ConfigError extends Error {}

/** A URL fit for messages and logs: the password, if any, replaced. */
export const redactPassword = (url: string): string => url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1[redacted]@');

/** Flags win over environment variables, which win over defaults. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(options).map((name) => [name, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  const read = (name: OptionName): string => {
    const flag = values[name];
    if (typeof flag === 'string') return flag;
    return env[options[name].env] ?? options[name].default;
  };
  const positiveInt = (name: OptionName, max: number): number => {
    const raw = read(name);
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new ConfigError(`--${name} (${options[name].env}) must be a whole number from 1 to ${max}, got '${raw}'`);
    }
    return value;
  };

  const onOff = (name: OptionName): boolean => {
    const raw = read(name);
    if (raw !== 'on' && raw !== 'off') throw new ConfigError(`--${name} (${options[name].env}) must be 'on' or 'off', got '${raw}'`);
    return raw === 'on';
  };

  const port = positiveInt('port', 65535);
  const dataDir = path.resolve(read('data-dir'));
  const databaseUrl = read('database-url') || `sqlite:${path.join(dataDir, 'stackyard.db')}`;
  if (!/^(sqlite:.|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError(`--database-url must be 'sqlite:<file>' or 'postgres://user:password@host:port/database', got '${redactPassword(databaseUrl)}'`);
  }
  const s3 = {
    endpoint: read('s3-endpoint'),
    region: read('s3-region'),
    accessKeyId: read('s3-access-key-id'),
    secretAccessKey: read('s3-secret-access-key'),
  };
  const blobStore = parseBlobStore(read('blob-store'), s3);
  const publicUrl = (read('public-url') || `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+(\/.*)?$/.test(publicUrl)) {
    throw new ConfigError(`--public-url must be an http(s) URL, got '${publicUrl}'`);
  }
  return {
    host: read('host'),
    port,
    dataDir,
    databaseUrl,
    blobStore,
    s3,
    publicUrl,
    bodyLimitBytes: positiveInt('body-limit', 4 * 1024 * 1024 * 1024),
    logLevel: read('log-level'),
    metricsToken: read('metrics-token'),
    masterKey: { base64: read('master-key') || undefined, file: path.join(dataDir, 'master.key') },
    journaling: onOff('journaling'),
    checkpointCutoffBytes: positiveInt('checkpoint-cutoff-bytes', 2 ** 31 - 1),
    requestTimeoutMs: positiveInt('request-timeout', 86_400) * 1000,
    bodyIdleTimeoutMs: positiveInt('body-idle-timeout', 86_400) * 1000,
    keepAliveTimeoutMs: positiveInt('keep-alive-timeout', 86_400) * 1000,
    maxConnectionsPerAddress: positiveInt('max-connections-per-address', 1_000_000),
    runJobs: onOff('jobs'),
    webhookRefusePrivateTargets: onOff('webhook-refuse-private-targets'),
    bootstrap: { adminLogin: read('admin-login'), organization: read('default-org') },
    deploymentClaimTtlMs: positiveInt('deployment-claim-ttl', 86_400) * 1000,
    defaultPoolToken: read('default-pool-token'),
    console: onOff('console'),
    runner: { inProcess: onOff('runner'), pulumi: read('runner-pulumi'), env: passedThroughEnv(env) },
    cliVersion: {
      latest: read('cli-latest-version'),
      oldestWithoutWarning: read('cli-oldest-without-warning'),
      latestDev: read('cli-latest-version'),
    },
  };
}

function parseBlobStore(raw: string, s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }): BlobStoreConfig {
  if (raw === 'database') return { kind: 'database' };
  if (raw.startsWith('file:') && raw.length > 'file:'.length) return { kind: 'file', dir: path.resolve(raw.slice('file:'.length)) };
  const bucket = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*?))?\/?$/.exec(raw);
  if (!bucket) {
    throw new ConfigError(`--blob-store (STACKYARD_BLOB_STORE) must be 'database', 'file:<dir>' or 's3://<bucket>[/<prefix>]', got '${raw}'`);
  }
  if (Boolean(s3.accessKeyId) !== Boolean(s3.secretAccessKey)) {
    throw new ConfigError('--s3-access-key-id and --s3-secret-access-key go together: give both or neither');
  }
  if (s3.endpoint && !/^https?:\/\/[^/]+\/?$/.test(s3.endpoint)) {
    throw new ConfigError(`--s3-endpoint (STACKYARD_S3_ENDPOINT) must be an http(s) URL with no path, got '${s3.endpoint}'`);
  }
  return {
    kind: 's3',
    bucket: bucket[1]!,
    prefix: bucket[2] ?? '',
    endpoint: s3.endpoint || undefined,
    region: s3.region,
    credentials: s3.accessKeyId ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
  };
}
