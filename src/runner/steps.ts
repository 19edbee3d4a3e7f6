import { describeChangeSummary, driftIn, readChangeSummary } from './drift.js';
import { getSource } from './git-source.js';
import { installDependencies } from './install-dependencies.js';
import type { DeploymentOperation, JobSpec } from './job-spec.js';
import { exec, StepFailure, type StepContext } from './step-context.js';

/** What a step found that the completion reports. */
export interface StepOutcome {
  driftDetected?: boolean;
}

export type StepAction = (ctx: StepContext) => Promise<StepOutcome | void>;

/** The Pulumi command of each operation (docs/runner-protocol.md). */
export const pulumiArgs: Record<DeploymentOperation, string[]> = {
  update: ['up', '--yes', '--skip-preview'],
  preview: ['preview'],
  refresh: ['refresh', '--yes', '--skip-preview'],
  destroy: ['destroy', '--yes', '--skip-preview'],
  'detect-drift': ['refresh', '--preview-only', '--json'],
  'remediate-drift': ['up', '--refresh', '--yes', '--skip-preview'],
};

/** What the job's step of this name does, or why the runner cannot run it. */
export function stepAction(job: JobSpec, name: string): { action: StepAction } | { problem: string } {
  if (name === 'Get source') {
    const { git } = job.source;
    // Without one, the later steps start in an empty directory (a pre-run command may fetch the program).
    return { action: async (ctx) => (git ? getSource(ctx, git) : ctx.log('The deployment has no source to get')) };
  }
  if (name === 'Install dependencies') return { action: installDependencies };
  const preRun = /^Pre-run command (\d+)$/.exec(name);
  if (preRun) {
    const command = job.preRunCommands[Number(preRun[1]) - 1];
    return command === undefined
      ? { problem: `the job has ${job.preRunCommands.length} pre-run command(s), so no '${name}'` }
      : { action: (ctx) => runPreRunCommand(ctx, command) };
  }
  if (name === `pulumi ${job.operation}`) return { action: runPulumi };
  return { problem: `this runner does not know the step '${name}' (for the operation '${job.operation}')` };
}

/** In its own shell: `options.shell` is the program and its arguments (`bash -c` unless set), the command the last one. */
function runPreRunCommand(ctx: StepContext, command: string): Promise<void> {
  const shell = (ctx.job.options.shell.trim() || 'bash -c').split(/\s+/);
  // A bare shell name means the same as with -c, which every common shell takes.
  if (shell.length === 1) shell.push('-c');
  return exec(ctx, shell[0]!, [...shell.slice(1), command], { display: command });
}

async function runPulumi(ctx: StepContext): Promise<StepOutcome | void> {
  const { job } = ctx;
  const args = [...pulumiArgs[job.operation], '--stack', `${job.organization}/${job.project}/${job.stack}`, '--non-interactive'];
  if (job.operation !== 'detect-drift') return exec(ctx, ctx.pulumiPath, args);

  // The JSON document goes to the log line by line as it comes, and is read whole at the end.
  const stdout: string[] = [];
  await exec(ctx, ctx.pulumiPath, args, { onStdout: (line) => stdout.push(line) });
  const summary = readChangeSummary(stdout.join('\n'));
  if (!summary) throw new StepFailure("pulumi's JSON output has no change summary to tell drift from");
  const driftDetected = driftIn(summary);
  ctx.log(`${driftDetected ? 'Drift detected' : 'No drift'}: ${describeChangeSummary(summary)}`);
  return { driftDetected };
}
