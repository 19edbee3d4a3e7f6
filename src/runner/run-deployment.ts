import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { RunnerHttpError, type JobClient, type RunnerClient } from './client.js';
import type { Completion, DeploymentClaim, JobSpec } from './job-spec.js';
import { LogBuffer } from './log-buffer.js';
import { pause } from './pause.js';
import type { CommandRunner } from './process.js';
import { secretMasker } from './secret-mask.js';
import type { StepContext } from './step-context.js';
import { stepAction, type StepAction } from './steps.js';

export interface DeploymentRunOptions {
  client: RunnerClient;
  claim: DeploymentClaim;
  pulumiPath: string;
  workRoot: string;
  runnerEnv: NodeJS.ProcessEnv;
  logger: Logger;
  run: CommandRunner;
  /** Aborted when the runner stops: the deployment is interrupted as if cancelled. */
  stopSignal: AbortSignal;
}

/** Why a deployment stopped before its steps were done. */
type Interruption = 'canceled' | 'stopped' | 'lost';

const interruptionMessages: Record<Interruption, { log: string; message: string }> = {
  canceled: { log: 'The deployment was cancelled: interrupting it', message: 'the deployment was cancelled' },
  stopped: { log: 'The runner is stopping: interrupting the deployment', message: 'the runner stopped before the deployment finished' },
  lost: { log: 'The server ended the deployment: interrupting it', message: 'the server ended the deployment' },
};

/** Answers to a heartbeat that mean the job token no longer works: the deployment is over on the server. */
const lostStatuses = [401, 403, 404, 409];

/**
 * Runs one claimed deployment to its end: reads the job, runs its steps in a fresh work dir while
 * heartbeats keep the claim (and bring cancellation), and completes it. Never throws.
 */
export async function runDeployment(options: DeploymentRunOptions): Promise<void> {
  const { claim } = options;
  const logger = options.logger.child({ deployment: claim.deploymentID });
  const jobClient = options.client.forJob(claim.deploymentID, claim.jobToken);
  let job: JobSpec;
  try {
    job = await jobClient.job();
  } catch (error) {
    logger.error({ error: errorText(error) }, 'the deployment job could not be read');
    await complete(jobClient, logger, { status: 'failed', message: `the runner could not read the job: ${errorText(error)}` });
    return;
  }
  logger.info({ operation: job.operation, stack: `${job.organization}/${job.project}/${job.stack}` }, 'running deployment');

  const auth = job.source.git?.auth ?? {};
  const logs = new LogBuffer({
    send: (step, lines) => jobClient.logs(step, lines),
    mask: secretMasker([...job.secretValues, claim.jobToken, auth.accessToken, auth.password, auth.sshPrivateKey, auth.sshPassword].filter((s) => !!s) as string[]),
    onSendError: (error) => logger.warn({ error: errorText(error) }, 'deployment log lines were lost'),
  });
  let currentStep = 0;

  const interruption = new AbortController();
  const interrupt = (reason: Interruption) => {
    if (interruption.signal.aborted) return;
    logs.append(currentStep, interruptionMessages[reason].log);
    interruption.abort(reason);
  };
  const onStop = () => interrupt('stopped');
  if (options.stopSignal.aborted) onStop();
  else options.stopSignal.addEventListener('abort', onStop, { once: true });

  const finished = new AbortController();
  const heartbeats = heartbeatLoop(jobClient, job.heartbeatIntervalMs, finished.signal, interrupt, logger);

  let workDir: string | undefined;
  let failure: string | undefined;
  let driftDetected = false;
  try {
    await fs.mkdir(options.workRoot, { recursive: true });
    workDir = await fs.mkdtemp(path.join(options.workRoot, 'stackyard-deployment-'));
    const ctx: StepContext = {
      job,
      jobToken: claim.jobToken,
      pulumiPath: options.pulumiPath,
      runnerEnv: options.runnerEnv,
      workDir,
      projectDir: workDir,
      pathPrefix: [],
      extraEnv: {},
      log: (line) => logs.append(currentStep, line),
      run: options.run,
      signal: interruption.signal,
    };

    const plan = job.steps.map((step) => stepAction(job, step.name));
    const unknown = plan.findIndex((planned) => 'problem' in planned);
    if (unknown >= 0) {
      // Found before anything runs: a job this runner cannot finish is not started.
      currentStep = unknown;
      const { problem } = plan[unknown] as { problem: string };
      ctx.log(`Error: ${problem}`);
      await logs.flush();
      await jobClient.step(unknown, 'failed');
      failure = problem;
    } else {
      for (const [index, planned] of (plan as { action: StepAction }[]).entries()) {
        if (interruption.signal.aborted) break;
        currentStep = index;
        await jobClient.step(index, 'running');
        try {
          const outcome = await planned.action(ctx);
          if (outcome?.driftDetected) driftDetected = true;
        } catch (error) {
          ctx.log(`Error: ${errorText(error)}`);
          failure = `${job.steps[index]!.name}: ${errorText(error)}`;
        }
        await logs.flush();
        await jobClient.step(index, failure ? 'failed' : 'succeeded');
        if (failure) break;
      }
    }
  } catch (error) {
    // The server refused a step update (expected once it ended the deployment), or the work dir could not be made.
    if (interruption.signal.reason !== 'lost') logger.error({ error: errorText(error) }, 'the deployment could not go on');
    failure ??= errorText(error);
  } finally {
    options.stopSignal.removeEventListener('abort', onStop);
    finished.abort();
    await heartbeats;
    await logs.flush();
    if (workDir) await fs.rm(workDir, { recursive: true, force: true }).catch((error) => logger.warn({ error: errorText(error) }, 'the work dir could not be removed'));
  }

  const reason = interruption.signal.aborted ? (interruption.signal.reason as Interruption) : undefined;
  if (reason === 'lost') {
    const status = await options.client.status(claim.deploymentID).catch(() => 'unknown');
    logger.warn({ status }, 'the server ended the deployment before the runner did');
    return;
  }
  const succeeded = !failure && !reason;
  await complete(jobClient, logger, {
    status: succeeded ? 'succeeded' : 'failed',
    ...(reason ? { message: interruptionMessages[reason].message } : failure ? { message: failure } : {}),
    ...(succeeded && driftDetected ? { driftDetected: true } : {}),
  });
}

/**
 * Renews the claim every `intervalMs` until the deployment is finished. A cancellation it learns
 * of interrupts the deployment, which goes on heartbeating until it has completed; a token the
 * server no longer takes means the deployment ended there.
 */
async function heartbeatLoop(
  jobClient: JobClient,
  intervalMs: number,
  finished: AbortSignal,
  interrupt: (reason: Interruption) => void,
  logger: Logger,
): Promise<void> {
  for (;;) {
    await pause(intervalMs, finished);
    if (finished.aborted) return;
    try {
      if ((await jobClient.heartbeat()).canceled) interrupt('canceled');
    } catch (error) {
      if (error instanceof RunnerHttpError && lostStatuses.includes(error.status)) {
        interrupt('lost');
        return;
      }
      logger.warn({ error: errorText(error) }, 'a heartbeat failed; the next one may renew the claim');
    }
  }
}

async function complete(jobClient: JobClient, logger: Logger, completion: Completion): Promise<void> {
  try {
    await jobClient.complete(completion);
    logger.info({ status: completion.status, message: completion.message }, 'deployment completed');
  } catch (error) {
    logger.error({ error: errorText(error) }, 'the deployment could not be completed; its claim will run out');
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
