// The resource-search part of `npm run bench` (STACKYARD_BENCH_ONLY=search): an organization of
// 2,000 stacks of 500 generated resources each (1,000,000 index rows, written by the server's own
// index maintenance, not by CLI runs), then the API's typical queries over real HTTP, timed on
// SQLite and on PostgreSQL, and the maintenance of one 1,000-resource stack's index.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startThrowawayPostgres } from '../test/helpers/postgres.js';
import { freePort } from '../test/helpers/server.js';
import type { Executor } from '../src/db/executor.js';
import type { IndexedStack } from '../src/api/search/maintain.js';

// The compiled code the server runs (`npm run bench` builds it first), not the TypeScript sources.
const { startServer } = (await import('../dist/main.js' as string)) as typeof import('../src/main.js');
const { parseConfig } = (await import('../dist/config.js' as string)) as typeof import('../src/config.js');
const { createLogger } = (await import('../dist/context.js' as string)) as typeof import('../src/context.js');
const { indexStackState, forgetStackResources } = (await import('../dist/api/search/maintain.js' as string)) as typeof import('../src/api/search/maintain.js');
const { listStacksToIndex } = (await import('../dist/api/search/index-store.js' as string)) as typeof import('../src/api/search/index-store.js');
const { transaction } = (await import('../dist/db/transaction.js' as string)) as typeof import('../src/db/transaction.js');

export type SearchDatabase = 'sqlite' | 'postgres';

export interface SearchBenchOptions {
  stacks: number;
  resourcesPerStack: number;
  /** Timed runs of each query, after `warmups` untimed ones. */
  runs: number;
  warmups: number;
  /** Timed index updates of each kind. */
  maintenanceRuns: number;
}

export const defaultSearchBenchOptions: SearchBenchOptions = { stacks: 2000, resourcesPerStack: 500, runs: 100, warmups: 5, maintenanceRuns: 21 };

/** Percentiles in milliseconds, nearest rank. */
export interface Timing {
  p50: number;
  p95: number;
  p99: number;
}

export interface QueryResult {
  label: string;
  /** Who asks: the organization's admin (every stack) or a member reading 10 % of them through a team. */
  caller: 'admin' | 'member';
  total: number;
  /** Fewer than asked when the query is slow. */
  runs: number;
  timing: Timing;
}

export interface SearchBenchResult {
  database: SearchDatabase;
  rows: number;
  stacks: number;
  createStacksSeconds: number;
  buildSeconds: number;
  databaseMb: number;
  queries: QueryResult[];
  /** Median milliseconds of one stack's index update, by kind. */
  maintenance: { create: number; noop: number; change: number };
}

// ~200 resource types over five packages, as `module:Name Name …; module:…`.
const catalog: Record<string, string> = {
  aws: [
    's3:Bucket BucketPolicy BucketObject BucketVersioningV2 BucketPublicAccessBlock BucketNotification BucketLifecycleConfigurationV2',
    'ec2:Instance SecurityGroup Vpc Subnet RouteTable RouteTableAssociation Route InternetGateway NatGateway Eip LaunchTemplate SecurityGroupRule VpcEndpoint KeyPair Volume',
    'iam:Role Policy RolePolicyAttachment RolePolicy User Group InstanceProfile AccessKey OpenIdConnectProvider',
    'lambda:Function Permission EventSourceMapping LayerVersion Alias',
    'rds:Instance Cluster ClusterInstance SubnetGroup ParameterGroup',
    'dynamodb:Table',
    'sqs:Queue QueuePolicy',
    'sns:Topic TopicSubscription TopicPolicy',
    'cloudwatch:LogGroup MetricAlarm EventRule EventTarget Dashboard LogSubscriptionFilter',
    'ecs:Cluster Service TaskDefinition',
    'ecr:Repository LifecyclePolicy',
    'eks:Cluster NodeGroup Addon',
    'route53:Record Zone',
    'acm:Certificate CertificateValidation',
    'lb:LoadBalancer TargetGroup Listener ListenerRule TargetGroupAttachment',
    'apigateway:RestApi Resource Method Integration Deployment Stage',
    'kms:Key Alias',
    'secretsmanager:Secret SecretVersion',
    'ssm:Parameter',
    'cloudfront:Distribution OriginAccessIdentity',
    'elasticache:Cluster SubnetGroup',
  ].join(';'),
  azure: [
    'core:ResourceGroup',
    'storage:Account Container Blob Queue',
    'network:VirtualNetwork Subnet NetworkSecurityGroup NetworkSecurityRule PublicIp NetworkInterface LoadBalancer ApplicationGateway PrivateEndpoint',
    'compute:LinuxVirtualMachine WindowsVirtualMachine ManagedDisk LinuxVirtualMachineScaleSet',
    'containerservice:KubernetesCluster KubernetesClusterNodePool Registry',
    'appservice:ServicePlan LinuxWebApp LinuxFunctionApp',
    'keyvault:KeyVault Secret AccessPolicy',
    'mssql:Server Database',
    'cosmosdb:Account SqlDatabase SqlContainer',
    'monitoring:ActionGroup MetricAlert DiagnosticSetting',
    'authorization:RoleAssignment',
    'dns:Zone ARecord CNameRecord',
    'operationalinsights:AnalyticsWorkspace',
  ].join(';'),
  gcp: [
    'storage:Bucket BucketObject BucketIAMMember',
    'compute:Instance Network Subnetwork Firewall Address Disk InstanceTemplate InstanceGroupManager BackendService HealthCheck ForwardingRule Router RouterNat GlobalAddress URLMap TargetHttpsProxy',
    'container:Cluster NodePool',
    'serviceaccount:Account Key IAMMember',
    'projects:IAMMember Service',
    'sql:DatabaseInstance Database User',
    'pubsub:Topic Subscription',
    'cloudrun:Service IamMember',
    'cloudfunctions:Function',
    'dns:ManagedZone RecordSet',
    'secretmanager:Secret SecretVersion',
    'kms:KeyRing CryptoKey',
  ].join(';'),
  kubernetes: [
    'core/v1:Namespace Service ConfigMap Secret ServiceAccount PersistentVolumeClaim Pod',
    'apps/v1:Deployment StatefulSet DaemonSet',
    'batch/v1:Job CronJob',
    'networking.k8s.io/v1:Ingress NetworkPolicy',
    'rbac.authorization.k8s.io/v1:Role RoleBinding ClusterRole ClusterRoleBinding',
    'policy/v1:PodDisruptionBudget',
    'autoscaling/v2:HorizontalPodAutoscaler',
    'helm.sh/v3:Release',
    'apiextensions.k8s.io/v1:CustomResourceDefinition',
    'storage.k8s.io/v1:StorageClass',
  ].join(';'),
  random: 'index:RandomPassword RandomString RandomId RandomPet RandomInteger RandomUuid RandomShuffle',
};

interface CatalogType {
  type: string;
  /** What names of this type start with: `bucket`, `role-policy-attachment`. */
  stem: string;
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** The package's types, as Pulumi spells them: `aws:s3/bucket:Bucket`, `kubernetes:apps/v1:Deployment`. */
const typesOf: Record<string, CatalogType[]> = Object.fromEntries(
  Object.entries(catalog).map(([pkg, modules]) => [
    pkg,
    modules.split(';').flatMap((group) => {
      const [module, names] = group.split(':') as [string, string];
      return names.split(' ').map((name) => ({
        type: pkg === 'kubernetes' ? `${pkg}:${module}:${name}` : `${pkg}:${module}/${lowerFirst(name)}:${name}`,
        stem: kebab(name),
      }));
    }),
  ]),
);
export const catalogTypeCount = Object.values(typesOf).reduce((sum, types) => sum + types.length, 0);

/** A small deterministic generator, so a stack's state can be made again byte for byte. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (next: () => number, length: number) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join('');
const yearStart = Date.UTC(2025, 0, 1);
const yearMs = 365 * 86_400_000;

/** The stack's names: 100 projects of 20 stacks, each stack's name unique in the organization. */
export function stackNames(index: number): { project: string; stack: string } {
  return { project: `service-${String(index % 100).padStart(2, '0')}`, stack: `${['dev', 'staging', 'prod'][index % 3]}-${String(index).padStart(4, '0')}` };
}

/**
 * Most stacks use one cloud (aws 40 %, kubernetes 20 %, azure and gcp 15 % each), and `random`
 * besides; in runs of ten stacks, so that every 10th stack (the member's) covers all four.
 */
const mainPackageOf = (index: number) => {
  const slot = Math.floor(index / 10) % 20;
  return slot < 8 ? 'aws' : slot < 11 ? 'azure' : slot < 14 ? 'gcp' : 'kubernetes';
};

/**
 * A stack's state as the CLI would store it: the stack resource, one provider of its cloud and one
 * of `random` (versions set, so `version:` finds them), then `count - 3` resources of a few dozen of
 * its cloud's types (some far more common than others), parents and dependencies among them, times
 * over a year, ids, a few properties, a secret here and there, 1 % protected; every 50th stack has
 * interrupted operations. With `writtenAt`, every resource was created and last modified by one
 * update at that time instead; a `variant` changes every 10th resource, modified `variant` minutes later.
 */
export function stackDeployment(
  index: number,
  names: { project: string; stack: string },
  count: number,
  { variant = 0, writtenAt }: { variant?: number; writtenAt?: number } = {},
): Buffer {
  const next = random(index * 7919 + 17);
  const pkg = mainPackageOf(index);
  const prefix = `urn:pulumi:${names.stack}::${names.project}::`;
  const stackUrn = `${prefix}pulumi:pulumi:Stack::${names.project}-${names.stack}`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const stackCreated = yearStart + Math.floor(next() * yearMs * 0.5);
  const resources: Array<Record<string, unknown>> = [{ urn: stackUrn, custom: false, type: 'pulumi:pulumi:Stack', outputs: { endpoint: `https://${names.stack}.example.com` }, created: iso(stackCreated), modified: iso(stackCreated) }];

  const providers = new Map<string, string>();
  for (const provider of [pkg, 'random']) {
    const version = provider === 'random' ? `4.${Math.floor(next() * 17)}.${Math.floor(next() * 4)}` : `6.${Math.floor(next() * 60)}.${Math.floor(next() * 5)}`;
    const urn = `${prefix}pulumi:providers:${provider}::default_${version.replaceAll('.', '_')}`;
    const id = `${hex(next, 8)}-${hex(next, 4)}-${hex(next, 4)}-${hex(next, 4)}-${hex(next, 12)}`;
    const inputs = { version, ...(provider === 'aws' && { region: ['us-east-1', 'eu-west-1', 'eu-north-1'][index % 3] }) };
    resources.push({ urn, custom: true, id, type: `pulumi:providers:${provider}`, inputs, outputs: inputs, parent: stackUrn, created: iso(stackCreated), modified: iso(stackCreated) });
    providers.set(provider, `${urn}::${id}`);
  }

  // A stack uses a few dozen of its cloud's types, some much more than others (Zipf-like).
  const pool = [...typesOf[pkg]!];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const used = pool.slice(0, 20 + Math.floor(next() * 20));
  const weights = used.map((_, rank) => 1 / (rank + 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let at = next() * totalWeight;
    for (let i = 0; i < used.length; i++) if ((at -= weights[i]!) <= 0) return used[i]!;
    return used[used.length - 1]!;
  };

  const counters = new Map<string, number>();
  const made: Array<{ urn: string; qualifiedType: string }> = [];
  const owners = ['platform', 'payments', 'search', 'data', 'web'];
  for (let k = 0; resources.length < count; k++) {
    const fromRandom = next() < 0.05;
    const chosen = fromRandom ? typesOf['random']![Math.floor(next() * typesOf['random']!.length)]! : pick();
    const ordinal = counters.get(chosen.stem) ?? 0;
    counters.set(chosen.stem, ordinal + 1);
    const name = `${chosen.stem}-${ordinal}`;
    // One in eight is the child of an earlier resource; its URN carries the parent's type chain.
    const parent = made.length > 0 && next() < 0.125 ? made[Math.floor(next() * made.length)]! : undefined;
    const qualifiedType = parent ? `${parent.qualifiedType}$${chosen.type}` : chosen.type;
    const urn = `${prefix}${qualifiedType}::${name}`;
    const dependencies: string[] = [];
    const dependencyCount = made.length === 0 ? 0 : Math.floor(next() * 3);
    for (let d = 0; d < dependencyCount; d++) dependencies.push(made[Math.floor(next() * made.length)]!.urn);
    let created = stackCreated + Math.floor(next() * (yearStart + yearMs - stackCreated));
    let modified = created + Math.floor(next() * (yearStart + yearMs - created) * (next() < 0.5 ? 0 : 1));
    if (writtenAt !== undefined) created = modified = writtenAt;
    const resourceId = `${name}-${hex(next, 12)}`;
    const inputs: Record<string, unknown> = { name: `${names.stack}-${name}`, tags: { env: names.stack.split('-')[0], project: names.project, owner: owners[index % owners.length] }, size: 1 + Math.floor(next() * 64) };
    const outputs: Record<string, unknown> = { ...inputs, id: resourceId, arn: `arn:${pkg}:${chosen.stem}:${index}:${resourceId}` };
    if (chosen.stem === 'random-password' || chosen.stem === 'secret') outputs['result'] = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: hex(next, 32) };
    const protect = next() < 0.01;
    const missingTimes = next() < 0.02;
    if (variant !== 0 && k % 10 === 0) {
      (outputs['tags'] as Record<string, unknown>)['revision'] = String(variant);
      modified += variant * 60_000;
    }
    resources.push({
      urn,
      custom: true,
      id: resourceId,
      type: chosen.type,
      inputs,
      outputs,
      parent: parent?.urn ?? stackUrn,
      provider: providers.get(fromRandom ? 'random' : pkg),
      ...(dependencies.length > 0 && { dependencies, propertyDependencies: { name: dependencies } }),
      ...(protect && { protect: true }),
      ...(!missingTimes && { created: iso(created), modified: iso(modified) }),
    });
    made.push({ urn, qualifiedType });
  }

  const pendingOperations =
    index % 50 === 0
      ? [
          { type: 'creating', resource: { urn: `${prefix}${pool[0]!.type}::${pool[0]!.stem}-pending`, custom: true, type: pool[0]!.type, provider: providers.get(pkg) } },
          { type: 'updating', resource: resources[resources.length - 1] },
        ]
      : [];
  const deployment = {
    version: 3,
    deployment: { manifest: { time: iso(yearStart + yearMs), magic: '', version: 'v3.274.1' }, resources, ...(pendingOperations.length > 0 && { pending_operations: pendingOperations }) },
  };
  return Buffer.from(JSON.stringify(deployment));
}

/** Nearest-rank percentiles of a list of milliseconds. */
function percentiles(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
  return { p50: rank(0.5), p95: rank(0.95), p99: rank(0.99) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const elapsedMs = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

interface Client {
  call(method: string, route: string, body?: unknown): Promise<{ ms: number; body: any }>;
}

function client(url: string, token: string): Client {
  return {
    async call(method, route, body) {
      const started = process.hrtime.bigint();
      const response = await fetch(`${url}${route}`, {
        method,
        headers: { Authorization: `token ${token}`, Accept: 'application/json', ...(body !== undefined && { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const ms = elapsedMs(started);
      if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
      return { ms, body: text === '' ? undefined : JSON.parse(text) };
    },
  };
}

/** Database file size (SQLite, with its WAL) or the database's size (PostgreSQL), in MB. */
async function databaseSize(db: Executor, database: SearchDatabase, dataDir: string): Promise<number> {
  if (database === 'sqlite') {
    return fs.readdirSync(dataDir).filter((f) => f.startsWith('stackyard.db')).reduce((sum, f) => sum + fs.statSync(path.join(dataDir, f)).size, 0) / 1e6;
  }
  const { sql } = await import('kysely');
  const result = await sql<{ n: string }>`SELECT pg_database_size(current_database())::text AS n`.execute(db);
  return Number(result.rows[0]!.n) / 1e6;
}

const log = (line: string) => process.stderr.write(`  search ${line}\n`);

/** One database's run: the organization, the index, the queries, the maintenance. */
export async function searchBenchmark(database: SearchDatabase, options: SearchBenchOptions = defaultSearchBenchOptions): Promise<SearchBenchResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackyard-bench-search-'));
  const postgres = database === 'postgres' ? await startThrowawayPostgres() : undefined;
  const port = await freePort();
  const config = parseConfig(
    ['--data-dir', dataDir, '--port', String(port), '--public-url', `http://127.0.0.1:${port}`, '--jobs', 'off', ...(postgres ? ['--database-url', postgres.url] : [])],
    {},
  );
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    const url = `http://127.0.0.1:${port}`;
    const org = server.firstBoot!.organization;
    const admin = client(url, server.firstBoot!.token);
    const db = server.ctx.database.db;

    // A member who reads only what the team `readers` may: every 10th stack.
    await admin.call('PATCH', `/api/orgs/${org}`, { setDefaultStackPermission: 0 });
    await admin.call('POST', `/api/orgs/${org}/teams/pulumi`, { name: 'readers' });
    const { token: memberToken } = await server.ctx.services.admin.createUser({ login: 'reader', organization: org, role: 'member' });
    await admin.call('PATCH', `/api/orgs/${org}/teams/readers`, { memberAction: 'add', member: 'reader' });
    const member = client(url, memberToken);

    let started = process.hrtime.bigint();
    for (let i = 0; i < options.stacks; i++) {
      const names = stackNames(i);
      await admin.call('POST', `/api/stacks/${org}/${names.project}`, { stackName: names.stack, ...(i % 10 === 0 && { teams: ['readers'] }) });
    }
    const createStacksSeconds = elapsedMs(started) / 1000;
    log(`${database}: ${options.stacks} stacks created in ${createStacksSeconds.toFixed(1)} s`);

    const stackRows = new Map((await listStacksToIndex(db)).map((s) => [`${s.project}/${s.stack}`, s]));
    const indexed = (names: { project: string; stack: string }): IndexedStack => {
      const found = stackRows.get(`${names.project}/${names.stack}`)!;
      return { id: found.stackId, organizationId: found.organizationId, project: found.project, stack: found.stack };
    };
    started = process.hrtime.bigint();
    for (let i = 0; i < options.stacks; i++) {
      const names = stackNames(i);
      const deployment = stackDeployment(i, names, options.resourcesPerStack);
      await transaction(db, (tx) => indexStackState(tx, indexed(names), deployment));
      if ((i + 1) % 200 === 0) log(`${database}: indexed ${i + 1} stacks, ${(elapsedMs(started) / 1000).toFixed(0)} s`);
    }
    const buildSeconds = elapsedMs(started) / 1000;
    const { sql } = await import('kysely');
    const rows = Number((await sql<{ n: number | string }>`SELECT count(*) AS n FROM resource_index`.execute(db)).rows[0]!.n);
    log(`${database}: ${rows} rows indexed in ${buildSeconds.toFixed(0)} s`);
    // What autovacuum does on its own after a bulk load: statistics, and the visibility map.
    if (postgres) await sql`VACUUM ANALYZE`.execute(db);
    const databaseMb = await databaseSize(db, database, dataDir);

    const queries: QueryResult[] = [];
    const base = `/api/orgs/${org}/search/resources`;
    const timeQuery = async (label: string, caller: 'admin' | 'member', params: string) => {
      const asker = caller === 'admin' ? admin : member;
      let total = 0;
      let slowest = 0;
      for (let i = 0; i < options.warmups; i++) {
        const answer = await asker.call('GET', `${base}?${params}`);
        total = answer.body.total;
        slowest = Math.max(slowest, answer.ms);
      }
      // A query far over its target gets fewer runs (at least 10), about half a minute of them.
      const runs = Math.min(options.runs, Math.max(10, Math.floor(30_000 / slowest)));
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push((await asker.call('GET', `${base}?${params}`)).ms);
      const result = { label, caller, total, runs, timing: percentiles(times) };
      queries.push(result);
      log(`${database}: ${caller} ${label}: ${total} matches, p50 ${result.timing.p50.toFixed(1)} ms, p95 ${result.timing.p95.toFixed(1)} ms, p99 ${result.timing.p99.toFixed(1)} ms`);
    };
    const q = (query: string) => `query=${encodeURIComponent(query)}`;
    const oneStack = stackNames(Math.floor(options.stacks / 2) + 1).stack;
    await timeQuery('`type:aws:s3/bucket:Bucket`', 'admin', q('type:aws:s3/bucket:Bucket'));
    await timeQuery(`\`stack:${oneStack}\``, 'admin', q(`stack:${oneStack}`));
    await timeQuery('free text `bucket-12`', 'admin', q('bucket-12'));
    await timeQuery('free text `prod` (a third of all)', 'admin', q('prod'));
    await timeQuery('`package:aws`, facets type and package', 'admin', `${q('package:aws')}&facet=type&facet=package`);
    await timeQuery('`-package:aws`', 'admin', q('-package:aws'));
    await timeQuery('`version:>=6.30 protected:true`', 'admin', q('version:>=6.30 protected:true'));
    await timeQuery('everything, page 199 of 50', 'admin', 'page=199&size=50');
    // A cursor 50,000 rows in (pages stop at 10,000; cursors go on), reached 10,000 at a time.
    const depth = Math.min(50_000, Math.floor(rows / 2));
    let cursor = '';
    for (let reached = 0; reached < depth; ) {
      const size = Math.min(10_000, depth - reached);
      cursor = (await admin.call('GET', `${base}?size=${size}${cursor ? `&cursor=${cursor}` : ''}`)).body.pagination.cursor;
      reached += size;
    }
    await timeQuery(`everything, cursor after ${depth.toLocaleString('en-US')}`, 'admin', `size=50&cursor=${cursor}`);
    await timeQuery('everything, page 1', 'member', 'page=1&size=50');
    await timeQuery('`type:aws:s3/bucket:Bucket`', 'member', q('type:aws:s3/bucket:Bucket'));
    await timeQuery('free text `bucket-12`', 'member', q('bucket-12'));

    // Maintenance: one stack of 1,000 resources, timed with its transaction's commit.
    const maintenanceNames = { project: 'maintenance', stack: 'big' };
    await admin.call('POST', `/api/stacks/${org}/${maintenanceNames.project}`, { stackName: maintenanceNames.stack });
    stackRows.clear();
    for (const s of await listStacksToIndex(db)) stackRows.set(`${s.project}/${s.stack}`, s);
    const target = indexed(maintenanceNames);
    // As one `pulumi up` writes them: created by one update, then 10 % changed by each next one.
    const writtenAt = yearStart + yearMs;
    const state = (variant: number) => stackDeployment(options.stacks + 1, maintenanceNames, 1000, { variant, writtenAt });
    const timeUpdate = async (deployment: Buffer) => {
      const at = process.hrtime.bigint();
      await transaction(db, (tx) => indexStackState(tx, target, deployment));
      return elapsedMs(at);
    };
    const create: number[] = [];
    const noop: number[] = [];
    const change: number[] = [];
    const created = state(0);
    for (let run = 0; run < options.maintenanceRuns + 2; run++) {
      await transaction(db, (tx) => forgetStackResources(tx, target.id));
      create.push(await timeUpdate(created));
    }
    for (let run = 0; run < options.maintenanceRuns + 2; run++) noop.push(await timeUpdate(created));
    for (let run = 0; run < options.maintenanceRuns + 2; run++) change.push(await timeUpdate(state(run + 1)));
    // The first two of each are warm-up.
    const maintenance = { create: median(create.slice(2)), noop: median(noop.slice(2)), change: median(change.slice(2)) };
    log(`${database}: maintenance of 1,000 resources: create ${maintenance.create.toFixed(1)} ms, no-op ${maintenance.noop.toFixed(1)} ms, change 10 % ${maintenance.change.toFixed(1)} ms`);

    return { database, rows, stacks: options.stacks, createStacksSeconds, buildSeconds, databaseMb, queries, maintenance };
  } finally {
    await server.close();
    postgres?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The README's table: both databases side by side, targets marked. */
export function searchTables(results: SearchBenchResult[]): string[] {
  const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
  const mark = (ms: number, target: number) => `${fmt(ms)}${ms < target ? '' : ' ✗'}`;
  const names: Record<SearchDatabase, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
  const lines = [
    `| resource search, ${results[0]!.rows.toLocaleString('en-US')} resources in ${results[0]!.stacks.toLocaleString('en-US')} stacks (p95 target 50 ms) | caller | matches | ${results.map((r) => `${names[r.database]} p50 / p95 / p99 ms`).join(' | ')} |`,
    `| --- | --- | ---: | ${results.map(() => '---:').join(' | ')} |`,
  ];
  const mostRuns = Math.max(...results.flatMap((r) => r.queries.map((q) => q.runs)));
  for (let i = 0; i < results[0]!.queries.length; i++) {
    const query = results[0]!.queries[i]!;
    const cells = results.map((r) => {
      const { timing: t, runs } = r.queries[i]!;
      return `${fmt(t.p50)} / ${mark(t.p95, 50)} / ${fmt(t.p99)}${runs < mostRuns ? ` (${runs} runs)` : ''}`;
    });
    lines.push(`| ${query.label} | ${query.caller} | ${query.total.toLocaleString('en-US')} | ${cells.join(' | ')} |`);
  }
  lines.push(
    '',
    `| resource index (target under 10 ms per 1,000-resource update) | ${results.map((r) => names[r.database]).join(' | ')} |`,
    `| --- | ${results.map(() => '---:').join(' | ')} |`,
    `| build: ${results[0]!.stacks.toLocaleString('en-US')} stacks indexed one by one, s | ${results.map((r) => r.buildSeconds.toFixed(0)).join(' | ')} |`,
    `| database size after the build, MB | ${results.map((r) => r.databaseMb.toFixed(0)).join(' | ')} |`,
    `| 1,000-resource stack: create (1,000 new), median ms | ${results.map((r) => mark(r.maintenance.create, 10)).join(' | ')} |`,
    `| 1,000-resource stack: the same state again, median ms | ${results.map((r) => mark(r.maintenance.noop, 10)).join(' | ')} |`,
    `| 1,000-resource stack: 10 % changed, median ms | ${results.map((r) => mark(r.maintenance.change, 10)).join(' | ')} |`,
  );
  return lines;
}
