import os from 'node:os';
import pino, { type Logger } from 'pino';
import { RunnerClient, type PollResult } from './client.js';
import { runnerIdentityHeaders } from './identity.js';
import { pause } from './pause.js';
import { runCommand } from './process.js';
import { runDeployment } from './run-deployment.js';

export interface RunnerOptions {
  /** The server's URL. */
  url: string;
  poolToken: string;
  /** The Pulumi CLI: a path, or a name looked up on PATH. */
  pulumiPath?: string;
  /** The longest wait between polls, whatever the server's Retry-After says. */
  pollIntervalMs?: number;
  /** Where each deployment's temporary work dir is made. */
  workRoot?: string;
  /** The runner's environment, of which deployments see only what their tools need. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

export interface Runner {
  /** Stops polling; a deployment under way is interrupted and completed `failed` before this resolves. */
  stop(): Promise<void>;
}

/** Poll failures wait 1, 2, 4… seconds, up to a minute (and no more than pollIntervalMs). */
const pollFailureDelayMs = (failures: number) => Math.min(1000 * 2 ** (failures - 1), 60_000);

/** Polls the pool for deployments and runs them, one at a time, until stopped. */
export function startRunner(options: RunnerOptions): Runner {
  const logger = options.logger ?? pino();
  const client = new RunnerClient(options.url, options.poolToken, runnerIdentityHeaders());
  const stopping = new AbortController();
  const capped = (ms: number) => Math.min(ms, options.pollIntervalMs ?? Infinity);

  const loop = (async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      let result: PollResult;
      try {
        result = await client.poll();
        failures = 0;
      } catch (error) {
        failures++;
        logger.error({ error: (error as Error).message }, 'polling for deployments failed');
        await pause(capped(pollFailureDelayMs(failures)), stopping.signal);
        continue;
      }
      if ('retryAfterMs' in result) {
        await pause(capped(result.retryAfterMs), stopping.signal);
        continue;
      }
      // A claim that arrives as the runner stops is still completed, at once and `failed`: the
      // protocol has no way to hand it back.
      await runDeployment({
        client,
        claim: result.claim,
        pulumiPath: options.pulumiPath ?? 'pulumi',
        workRoot: options.workRoot ?? os.tmpdir(),
        runnerEnv: options.env ?? process.env,
        logger,
        run: runCommand,
        stopSignal: stopping.signal,
      });
    }
  })();
  logger.info({ url: options.url }, 'runner started');

  return {
    stop: async () => {
      stopping.abort();
      await loop;
      logger.info('runner stopped');
    },
  };
}
