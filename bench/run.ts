// `npm run bench`: times the real Pulumi CLI against Stackyard on SQLite (journaling, verbatim +
// delta checkpoints, full checkpoints) and on PostgreSQL with states in MinIO (journaling), and
// against the CLI's own file:// backend, then replays a large journal in-process, and opens a
// large ESC environment. A benchmark, not a test: it asserts nothing and prints tables.
// BENCH_SIZES=100,1000 chooses the resource counts (default 100,1000,3000; empty: replay only); BENCH_BACKENDS=journal,file
// the backends (default all five). BENCH_PROFILE=<dir> writes each server's CPU profile there.
// STACKYARD_BENCH_ONLY=cli,timeline,throughput,replicas,replay,esc,search,idle runs only those parts (default all); `esc`,
// `search` and `idle` need no CLI build. `replicas` (bench/replicas.ts) runs BENCH_REPLICA_STACKS (default 20) creates
// of BENCH_REPLICA_RESOURCES resources (default 100) against two processes on PostgreSQL, one at a time and all at once.
// `search` (bench/search.ts) indexes BENCH_SEARCH_STACKS stacks of 500 resources (default 2000) on SQLite and on
// PostgreSQL and times resource search over HTTP. `idle` (bench/idle.ts) reads a just-started server's resident memory.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { JournalRow } from '../src/api/updates/journal.js';
import { escBenchmark, escHttpBenchmark } from './esc.js';
import { idleRss, idleTable, nodeFloorMb } from './idle.js';
import { replicaBenchmark, replicaTable } from './replicas.js';
import { defaultSearchBenchOptions, searchBenchmark, searchTables } from './search.js';
import {
  benchProject,
  freePort,
  operations,
  processStats,
  root,
  runOperation,
  spawnServe,
  startScaleOutServices,
  tempDir,
  type Operation,
} from './servers.js';
import { loadEndpoint, throughputTable, type ThroughputRow } from './throughput.js';
import { requestSpans, timelineTables } from './timeline.js';

// The compiled code the server runs (built above by `npm run bench`), not the TypeScript sources.
const { journalRow, recordOfRow, replayJournal } = (await import('../dist/api/updates/journal.js' as string)) as typeof import('../src/api/updates/journal.js');

const sizes = (process.env.BENCH_SIZES ?? '100,1000,3000').split(',').filter(Boolean).map(Number);
const allConfigs = ['journal', 'delta', 'full', 'postgres', 'file'] as const;
type BenchConfig = (typeof allConfigs)[number];
const configs = (process.env.BENCH_BACKENDS?.split(',') ?? allConfigs).map((name) => {
  if (!(allConfigs as readonly string[]).includes(name)) throw new Error(`unknown backend '${name}'; choose from ${allConfigs.join(', ')}`);
  return name as BenchConfig;
});
const allParts = ['cli', 'timeline', 'throughput', 'replicas', 'replay', 'esc', 'search', 'idle'] as const;
const parts = new Set(
  (process.env.STACKYARD_BENCH_ONLY?.split(',') ?? allParts).map((name) => {
    if (!(allParts as readonly string[]).includes(name)) throw new Error(`unknown part '${name}'; choose from ${allParts.join(', ')}`);
    return name;
  }),
);
const runsCli = parts.has('cli') && sizes.length > 0;
const needsCli = runsCli || parts.has('timeline') || parts.has('throughput') || parts.has('replicas');

// The CLI is built (or found in the cache) only when the CLI part runs.
const binDir = needsCli
  ? execFileSync('bash', [path.join(root, 'scripts/build-clients.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .pop()!
  : undefined;
if (binDir) {
  const plugin = path.join(binDir, 'pulumi-resource-pulumi-nodejs');
  if (!fs.existsSync(plugin)) fs.symlinkSync(path.join(root, 'node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs'), plugin);
}
interface Backend {
  url: string;
  env: Record<string, string>;
  stackName: string;
  received(): number;
  stats(): { cpuSeconds: number; peakRssMb: number } | undefined;
  /** What the server printed (its JSON log), when started with a log level that prints requests. */
  logLines(): string[];
  /** The server itself, not the byte-counting proxy in front of it, and its process. */
  direct?: { url: string; token: string; pid: number };
  close(): Promise<void>;
}

/** A Stackyard process behind a byte-counting proxy, so the table can say what the CLI sent. */
async function startStackyard(config: BenchConfig, logLevel = 'warn'): Promise<Backend> {
  const dataDir = tempDir('data');
  const services = config === 'postgres' ? await startScaleOutServices() : undefined;
  const proxyPort = await freePort();
  const args = ['--public-url', `http://127.0.0.1:${proxyPort}`, '--journaling', config === 'journal' || config === 'postgres' ? 'on' : 'off'];
  const server = await spawnServe(dataDir, [...args, ...(services?.args ?? [])], { firstBoot: true, logLevel, profile: process.env.BENCH_PROFILE });
  const token = server.token!;
  const { port } = new URL(server.url);
  let bytes = 0;
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(port), '127.0.0.1');
    client.on('data', (chunk) => (bytes += chunk.length));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${proxyPort}`;
  return {
    url,
    env: {
      PULUMI_BACKEND_URL: url,
      PULUMI_ACCESS_TOKEN: token,
      ...(config === 'full' && { PULUMI_OPTIMIZED_CHECKPOINT_PATCH: 'false' }),
    },
    stackName: 'stackyard/bench/dev',
    received: () => bytes,
    stats: () => processStats(server.child.pid!),
    logLines: () => server.output().split('\n'),
    direct: { url: server.url, token, pid: server.child.pid! },
    close: async () => {
      proxy.close();
      await server.stop();
      await services?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startFileBackend(): Promise<Backend> {
  const stateDir = tempDir('file');
  return {
    url: `file://${stateDir}`,
    env: { PULUMI_BACKEND_URL: `file://${stateDir}`, PULUMI_CONFIG_PASSPHRASE: 'bench' },
    stackName: 'dev',
    received: () => 0,
    stats: () => undefined,
    logLines: () => [],
    close: async () => fs.rmSync(stateDir, { recursive: true, force: true }),
  };
}

/** One operation of the bench program against `backend`, from `project`. */
const operate = (backend: Backend, project: { workDir: string; home: string }, count: number, op: Operation) =>
  runOperation({ binDir: binDir!, env: backend.env, stackName: backend.stackName }, project, count, op);

interface Row {
  config: BenchConfig;
  count: number;
  op: string;
  seconds: number;
  receivedMb?: number;
  serverCpu?: number;
  peakRssMb?: number;
}

/** Runs `use` with a fresh bench project folder and CLI home against `backend`, then closes the backend and removes both. */
async function withBenchProject<T>(backend: Backend, use: (project: { workDir: string; home: string }) => Promise<T>): Promise<T> {
  const project = benchProject();
  try {
    return await use(project);
  } finally {
    await backend.close();
    project.remove();
  }
}

async function measure(config: BenchConfig, count: number): Promise<Row[]> {
  const backend = config === 'file' ? await startFileBackend() : await startStackyard(config);
  const rows: Row[] = [];
  await withBenchProject(backend, async (project) => {
    for (const op of operations) {
      const before = { bytes: backend.received(), cpu: backend.stats()?.cpuSeconds ?? 0 };
      const seconds = await operate(backend, project, count, op);
      const stats = backend.stats();
      rows.push({
        config,
        count,
        op,
        seconds,
        ...(stats && {
          receivedMb: (backend.received() - before.bytes) / 1e6,
          serverCpu: stats.cpuSeconds - before.cpu,
          peakRssMb: stats.peakRssMb,
        }),
      });
      const last = rows[rows.length - 1]!;
      const extra = stats ? `, ${last.receivedMb!.toFixed(1)} MB received, server ${last.serverCpu!.toFixed(1)} CPU s, peak ${last.peakRssMb!.toFixed(0)} MB` : '';
      process.stderr.write(`  ${config} N=${count} ${op}: ${seconds.toFixed(1)} s${extra}\n`);
    }
  });
  return rows;
}

/**
 * Part 4: rebuild a 10,000-resource state from its journal, as the server does at `complete`:
 * from the rows the store returns, which keep each state's text apart from the rest of its entry.
 */
function replayBenchmark(resources: number, runs: number) {
  const urnOf = (i: number) => `urn:pulumi:dev::bench::pulumi-nodejs:dynamic:Resource::item-${i}`;
  const rows: JournalRow[] = [];
  let sequenceID = 0;
  for (let i = 0; i < resources; i++) {
    const state = {
      urn: urnOf(i),
      custom: true,
      id: `item-${i}-id`,
      type: 'pulumi-nodejs:dynamic:Resource',
      inputs: { name: `item-${i}`, value: 'v1', payload: 'x'.repeat(1000) },
      outputs: { name: `item-${i}`, value: 'v1', payload: 'x'.repeat(1000) },
      parent: 'urn:pulumi:dev::bench::pulumi:pulumi:Stack::bench-dev',
      provider: 'urn:pulumi:dev::bench::pulumi:providers:pulumi-nodejs::default::0b3c',
    };
    const base = { version: 1, operationID: i + 1, removeOld: null, removeNew: null };
    rows.push(journalRow({ ...base, kind: 0, sequenceID: ++sequenceID, operation: { resource: state, type: 'creating' } }));
    rows.push(journalRow({ ...base, kind: 1, sequenceID: ++sequenceID, state }));
  }
  const times: number[] = [];
  let first = { stateMb: 0, extraRssMb: 0 };
  for (let run = 0; run < runs; run++) {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
    const started = process.hrtime.bigint();
    const bytes = replayJournal(undefined, rows.map(recordOfRow), 'v3.274.1', Date.now());
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    clearInterval(sampler);
    if (run === 0) first = { stateMb: bytes.length / 1e6, extraRssMb: (peakRss - rssBefore) / 1e6 };
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { resources, entries: rows.length, firstMs: times[0]!, medianMs: sorted[Math.floor(sorted.length / 2)]!, ...first };
}

const rows: Row[] = [];
for (const count of runsCli ? sizes : []) {
  for (const config of configs) rows.push(...(await measure(config, count)));
}

/**
 * Part 2: one no-op `up` of BENCH_TIMELINE_SIZE resources (default 1,000) with journaling, every
 * request the server answered in order with the time between them, beside the file backend's.
 */
async function noOpTimeline(count: number): Promise<string[]> {
  const walls: Record<string, number> = {};
  let tables: string[] = [];
  for (const config of ['file', 'journal'] as const) {
    const backend = config === 'file' ? await startFileBackend() : await startStackyard(config, 'info');
    await withBenchProject(backend, async (project) => {
      await operate(backend, project, count, 'create');
      const from = Date.now();
      walls[config] = await operate(backend, project, count, 'no-op');
      if (config === 'journal') tables = timelineTables(requestSpans(backend.logLines(), from, Date.now()), walls[config]! * 1000);
    });
  }
  return [
    `No-op \`up\` of ${count} resources with journaling, ${walls['journal']!.toFixed(1)} s (file backend ${walls['file']!.toFixed(1)} s), the requests in order (the run-op driver's own start-up included in the first wait):`,
    '',
    ...tables,
  ];
}

/**
 * Part 3: a stack of 1,000 resources made by the CLI, then three endpoints the CLI reads under 32
 * connections each for 20 s (bombardier), on SQLite and on PostgreSQL with states in MinIO.
 */
async function throughput(): Promise<string[]> {
  const bombardier = execFileSync('bash', [path.join(root, 'scripts/build-clients.sh'), 'bombardier'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop()!;
  const lines: string[] = [];
  for (const config of ['journal', 'postgres'] as const) {
    const backend = await startStackyard(config);
    const rows: ThroughputRow[] = [];
    await withBenchProject(backend, async (project) => {
      await operate(backend, project, 1000, 'create');
      const { url, token, pid } = backend.direct!;
      const stack = `/api/stacks/${backend.stackName}`;
      for (const [label, pathname] of [['GET /api/stacks/{org}/{project}/{stack}', stack], ['GET /api/user/stacks', '/api/user/stacks'], ['GET …/export', `${stack}/export`]] as const) {
        rows.push(await loadEndpoint(bombardier, { url: `${url}${pathname}`, token, serverPid: pid, label }));
        process.stderr.write(`  throughput ${config} ${label}: ${rows.at(-1)!.requestsPerSecond.toFixed(0)} req/s\n`);
      }
    });
    lines.push('', ...throughputTable(`${config === 'journal' ? 'SQLite' : 'PostgreSQL + MinIO'}, 1,000-resource stack, 32 connections × 20 s`, rows));
  }
  return lines;
}

const fileSeconds = new Map(rows.filter((r) => r.config === 'file').map((r) => [`${r.count}/${r.op}`, r.seconds]));
const fmt = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));
const lines = [
  `Benchmark ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}${binDir ? `, Pulumi CLI ${path.basename(path.dirname(binDir))}` : ''}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
];
if (runsCli) {
  lines.push(
    '',
    '| backend | N | operation | wall s | × file | MB received | server CPU s | server peak RSS MB |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const file = fileSeconds.get(`${r.count}/${r.op}`);
      const ratio = file === undefined ? undefined : r.seconds / file;
      return `| ${r.config} | ${r.count} | ${r.op} | ${fmt(r.seconds)} | ${fmt(ratio, 2)} | ${fmt(r.receivedMb)} | ${fmt(r.serverCpu)} | ${fmt(r.peakRssMb, 0)} |`;
    }),
  );
}
if (parts.has('timeline')) lines.push('', ...(await noOpTimeline(Number(process.env.BENCH_TIMELINE_SIZE ?? 1000))));
if (parts.has('throughput')) lines.push(...(await throughput()));
if (parts.has('replicas')) {
  const stacks = Number(process.env.BENCH_REPLICA_STACKS ?? 20);
  const resources = Number(process.env.BENCH_REPLICA_RESOURCES ?? 100);
  lines.push('', ...replicaTable(await replicaBenchmark(binDir!, { stacks, resources, profile: process.env.BENCH_PROFILE })));
}
if (parts.has('replay')) {
  const replay = replayBenchmark(10_000, 7);
  lines.push(
    '',
    '| journal replay | entries | first run ms | median of 7 ms | state MB | extra RSS MB (first run) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| ${replay.resources} resources | ${replay.entries} | ${fmt(replay.firstMs, 0)} | ${fmt(replay.medianMs, 0)} | ${fmt(replay.stateMb)} | ${fmt(replay.extraRssMb, 0)} |`,
  );
}
if (parts.has('esc')) {
  const esc = await escBenchmark(9);
  lines.push(
    '',
    `| ESC environment (${esc.values} values, ${esc.imports} imports, ${esc.interpolations} interpolations) | first open in a fresh process ms | open, median of 9 ms | check, median of 9 ms |`,
    '| --- | ---: | ---: | ---: |',
    `| YAML to evaluated values | ${fmt(esc.firstOpenMs)} | ${fmt(esc.openMs)} | ${fmt(esc.checkMs)} |`,
  );
  const escServer = await startStackyard('journal');
  try {
    const token = escServer.env.PULUMI_ACCESS_TOKEN!;
    const opened = await escHttpBenchmark(escServer.url, token, 'stackyard', 51);
    lines.push(
      '',
      '| ESC environment over HTTP (`POST …/open`, `GET …/open/{id}`), stored with its 20 imports | p50 ms | p95 ms |',
      '| --- | ---: | ---: |',
      `| opened again as it is | ${fmt(opened.same.p50Ms)} | ${fmt(opened.same.p95Ms)} |`,
      `| opened after a change to one of its imports (evaluated every time) | ${fmt(opened.changed.p50Ms)} | ${fmt(opened.changed.p95Ms)} |`,
    );
  } finally {
    await escServer.close();
  }
}
if (parts.has('search')) {
  const options = { ...defaultSearchBenchOptions, stacks: Number(process.env.BENCH_SEARCH_STACKS ?? defaultSearchBenchOptions.stacks) };
  const results = [await searchBenchmark('sqlite', options), await searchBenchmark('postgres', options)];
  lines.push('', ...searchTables(results));
}
if (parts.has('idle')) {
  const server = await startStackyard('journal');
  try {
    lines.push('', ...idleTable(await idleRss(server.direct!), await nodeFloorMb()));
  } finally {
    await server.close();
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
