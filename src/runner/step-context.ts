import path from 'node:path';
import type { JobSpec } from './job-spec.js';
import type { CommandRunner } from './process.js';

/** What a step works with; `projectDir`, `pathPrefix` and `extraEnv` carry what one step leaves for the next. */
export interface StepContext {
  job: JobSpec;
  jobToken: string;
  pulumiPath: string;
  /** The runner's own environment, of which commands see only `passedThroughEnv`. */
  runnerEnv: NodeJS.ProcessEnv;
  /** The deployment's own temporary directory, removed when it ends. */
  workDir: string;
  /** Where Pulumi.yaml is: the clone's repoDir once the source is in, the work dir before. */
  projectDir: string;
  /** Put before PATH for the later steps (a Python virtual environment's bin). */
  pathPrefix: string[];
  extraEnv: Record<string, string>;
  /** A line of the step's log (masked on its way out). */
  log(line: string): void;
  run: CommandRunner;
  /** Aborted when the deployment is cancelled or the runner stops. */
  signal: AbortSignal;
}

/** A step that did not succeed; its message is the step's last log line. */
export class StepFailure extends Error {}

/**
 * What a deployment's commands see of the runner's environment: what tools need to run, never the
 * runner's or the server's own settings and secrets (the pool token, the master key).
 */
const passedThroughNames = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS',
  'PULUMI_HOME', 'PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION',
]);

export function passedThroughEnv(runnerEnv: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(runnerEnv).filter((e): e is [string, string] => e[1] !== undefined && (passedThroughNames.has(e[0]) || e[0].startsWith('LC_'))),
  );
}

/**
 * Every command of a deployment gets the same environment: the job's variables, and the Pulumi
 * backend and token, which the job's variables cannot replace (pre-run commands may run `pulumi`
 * too). A `--pulumi` given as a path goes first on PATH, so those find the same CLI.
 */
export function commandEnv(ctx: StepContext): Record<string, string> {
  const { job } = ctx;
  const env: Record<string, string> = {
    ...passedThroughEnv(ctx.runnerEnv),
    // A clone that needs credentials it was not given fails rather than waiting for a prompt.
    GIT_TERMINAL_PROMPT: '0',
    ...job.environmentVariables,
    PULUMI_BACKEND_URL: job.backendUrl,
    PULUMI_ACCESS_TOKEN: ctx.jobToken,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    ...ctx.extraEnv,
  };
  const pulumiDir = ctx.pulumiPath.includes('/') ? [path.dirname(path.resolve(ctx.pulumiPath))] : [];
  env.PATH = [...ctx.pathPrefix, ...pulumiDir, env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(':');
  return env;
}

/**
 * Runs one command in the project directory, its output into the step's log after a `$ command`
 * line (`display` when the real one holds what should not be shown); fails the step unless it
 * exits 0.
 */
export async function exec(
  ctx: StepContext,
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; display?: string; onStdout?: (line: string) => void } = {},
): Promise<void> {
  const display = options.display ?? [path.basename(command), ...args].map(shellWord).join(' ');
  ctx.log(`$ ${display}`);
  const result = await ctx.run({
    command,
    args,
    cwd: options.cwd ?? ctx.projectDir,
    env: { ...commandEnv(ctx), ...options.env },
    signal: ctx.signal,
    onLine: (line, stream) => {
      if (stream === 'stdout') options.onStdout?.(line);
      ctx.log(line);
    },
  });
  if (ctx.signal.aborted) throw new StepFailure('the command was interrupted');
  if (result.exitCode !== 0) throw new StepFailure(result.signal ? `the command was killed by ${result.signal}` : `the command exited with code ${result.exitCode}`);
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
