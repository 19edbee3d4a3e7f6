// The replicas part of `npm run bench` (STACKYARD_BENCH_ONLY=replicas): two Stackyard processes
// on one PostgreSQL database and one MinIO bucket, behind a round-robin balancer with no
// stickiness (so consecutive requests of one update reach different processes), and `pulumi up`
// creating the bench program on many stacks, first one at a time, then all at once. Afterwards
// every stack is read back: an `up` that said it succeeded but left a short state is an error.
import fs from 'node:fs';
import { startRoundRobinProxy } from '../test/helpers/proxy.js';
import { benchProject, processStats, runOperation, spawnServe, startScaleOutServices, tempDir, type ServeProcess } from './servers.js';

export interface ReplicaRun {
  label: string;
  seconds: number;
  errors: string[];
  /** Both processes' CPU seconds during the run. */
  serverCpu: number;
}

export interface ReplicaBenchResult {
  stacks: number;
  resources: number;
  runs: ReplicaRun[];
  /** Each process's peak resident memory over the whole part. */
  peakRssMb: number[];
  /** What the processes logged as errors (a 5xx's cause). */
  serverErrors: string[];
}

export async function replicaBenchmark(binDir: string, options: { stacks: number; resources: number; profile?: string }): Promise<ReplicaBenchResult> {
  const services = await startScaleOutServices();
  const dataDir = tempDir('replicas');
  const servers: ServeProcess[] = [];
  const balancer = await startRoundRobinProxy(() => servers.map((server) => server.url));
  try {
    // One data directory, so one master key; the public URL is the balancer's, as the docs ask.
    const args = ['--public-url', balancer.url, '--journaling', 'on', ...services.args];
    servers.push(await spawnServe(dataDir, args, { firstBoot: true, profile: options.profile }));
    servers.push(await spawnServe(dataDir, args, { firstBoot: false, profile: options.profile }));
    const token = servers[0]!.token!;
    const env = { PULUMI_BACKEND_URL: balancer.url, PULUMI_ACCESS_TOKEN: token };
    const cpu = () => servers.reduce((sum, server) => sum + processStats(server.child.pid!).cpuSeconds, 0);

    const createStack = async (stackName: string): Promise<void> => {
      const project = benchProject();
      try {
        await runOperation({ binDir, env, stackName }, project, options.resources, 'create');
      } finally {
        project.remove();
      }
      // The program's resources, its stack resource and the dynamic provider.
      const reply = await fetch(`${balancer.url}/api/stacks/${stackName}/export`, { headers: { Authorization: `token ${token}` } });
      if (!reply.ok) throw new Error(`${stackName}: export answered ${reply.status}`);
      const state = (await reply.json()) as { deployment?: { resources?: unknown[] } };
      const count = state.deployment?.resources?.length ?? 0;
      if (count !== options.resources + 2) throw new Error(`${stackName}: the state holds ${count} resources, not ${options.resources + 2}`);
    };

    const names = (prefix: string) => Array.from({ length: options.stacks }, (_, i) => `stackyard/bench/${prefix}-${i + 1}`);
    const runs: ReplicaRun[] = [];
    const timed = async (label: string, work: () => Promise<string[]>) => {
      const cpuBefore = cpu();
      const started = process.hrtime.bigint();
      const errors = await work();
      runs.push({ label, seconds: Number(process.hrtime.bigint() - started) / 1e9, errors, serverCpu: cpu() - cpuBefore });
      process.stderr.write(`  replicas ${label}: ${runs.at(-1)!.seconds.toFixed(1)} s, ${errors.length} errors\n`);
    };
    const failure = (error: unknown) => (error instanceof Error ? error.message : String(error));

    await timed('one at a time', async () => {
      const errors: string[] = [];
      for (const name of names('serial')) await createStack(name).catch((error) => errors.push(failure(error)));
      return errors;
    });
    await timed('all at once', async () => {
      const settled = await Promise.allSettled(names('parallel').map(createStack));
      return settled.flatMap((result) => (result.status === 'rejected' ? [failure(result.reason)] : []));
    });
    const serverErrors = servers.flatMap((server) => server.output().split('\n').filter((line) => /"level":5\d/.test(line)));
    return { stacks: options.stacks, resources: options.resources, runs, peakRssMb: servers.map((server) => processStats(server.child.pid!).peakRssMb), serverErrors };
  } finally {
    for (const server of servers) await server.stop();
    await balancer.close();
    await services.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function replicaTable(result: ReplicaBenchResult): string[] {
  const [serial, parallel] = result.runs;
  const lines = [
    `| ${result.stacks} \`pulumi up\` creating ${result.resources} resources each on ${result.stacks} stacks, two replicas on PostgreSQL + MinIO behind a round-robin balancer | wall s | × one at a time | errors | server CPU s (both) |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...result.runs.map(
      (run) => `| ${run.label} | ${run.seconds.toFixed(1)} | ${(run.seconds / serial!.seconds).toFixed(2)} | ${run.errors.length} | ${run.serverCpu.toFixed(1)} |`,
    ),
    '',
    `Peak RSS of the two processes: ${result.peakRssMb.map((mb) => mb.toFixed(0)).join(' and ')} MB.`,
  ];
  const errors = [...(serial?.errors ?? []), ...(parallel?.errors ?? [])];
  // The lines of each failure that say what went wrong, not the stack trace around them.
  const telling = (error: string) => error.split('\n').filter((line) => /error|fail|conflict|\b[45]\d\d\b/i.test(line)).slice(0, 4).join(' ').slice(0, 600);
  if (errors.length > 0) lines.push('', 'Errors:', ...errors.map((error) => `- ${telling(error) || error.slice(-600)}`));
  if (result.serverErrors.length > 0) lines.push('', 'Logged by the servers:', ...result.serverErrors.map((line) => `- ${line.slice(0, 1500)}`));
  return lines;
}
