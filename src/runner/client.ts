import { setTimeout as sleep } from 'node:timers/promises';
import { parseJobSpec, type Completion, type DeploymentClaim, type JobSpec, type StepStatus } from './job-spec.js';

/** A reply the server gave but the runner did not want; `status` tells a revoked token (401) apart. */
export class RunnerHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type PollResult = { claim: DeploymentClaim } | { retryAfterMs: number };

export interface LogLine {
  timestamp: string;
  line: string;
}

/** Waits before the second and third tries of a request that met a network error or a 502/503/504. */
const retryDelaysMs = [500, 2_000];
const requestTimeoutMs = 30_000;
/** When a 204 from poll carries no usable Retry-After. */
const defaultRetryAfterMs = 5_000;

/**
 * The runner's side of docs/runner-protocol.md. Tokens go only into Authorization headers, never
 * into an error message.
 */
export class RunnerClient {
  private readonly baseUrl: string;

  constructor(
    url: string,
    private readonly poolToken: string,
    private readonly identityHeaders: Record<string, string>,
  ) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  async poll(): Promise<PollResult> {
    const response = await this.request('GET', '/api/deployments/poll', this.poolToken, undefined, this.identityHeaders);
    if (response.status === 204) {
      const seconds = Number(response.headers.get('retry-after'));
      return { retryAfterMs: Number.isFinite(seconds) && seconds >= 0 && response.headers.has('retry-after') ? seconds * 1000 : defaultRetryAfterMs };
    }
    const body = (await response.json()) as Partial<DeploymentClaim>;
    if (typeof body.deploymentID !== 'string' || typeof body.jobToken !== 'string') throw new Error('the poll answer has no deploymentID or jobToken');
    return { claim: { deploymentID: body.deploymentID, jobToken: body.jobToken } };
  }

  /** The deployment's status as the server sees it (`"running"`, `"failed"`…). */
  async status(deploymentId: string): Promise<string> {
    const response = await this.request('GET', `/api/deployments/${encodeURIComponent(deploymentId)}/status`, this.poolToken);
    return String(await response.json());
  }

  /** The calls made with one deployment's job token. */
  forJob(deploymentId: string, jobToken: string): JobClient {
    const base = `/api/deployments/${encodeURIComponent(deploymentId)}`;
    const call = (method: string, path: string, body?: unknown) => this.request(method, `${base}${path}`, jobToken, body);
    return {
      job: async () => parseJobSpec(await (await call('GET', '/job')).json()),
      heartbeat: async () => ({ canceled: ((await (await call('POST', '/heartbeat', {})).json()) as { canceled?: unknown }).canceled === true }),
      step: async (index, status) => void (await call('POST', `/steps/${index}`, { status })),
      logs: async (step, lines) => void (await call('POST', '/logs', { step, lines })),
      complete: async (completion) => void (await call('POST', '/complete', completion)),
    };
  }

  private async request(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            ...headers,
            Authorization: `token ${token}`,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
      } catch (error) {
        if (attempt < retryDelaysMs.length) {
          await sleep(retryDelaysMs[attempt]);
          continue;
        }
        const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
        throw new Error(`${method} ${path} could not reach the server: ${cause}`);
      }
      if ([502, 503, 504].includes(response.status) && attempt < retryDelaysMs.length) {
        await response.body?.cancel();
        await sleep(retryDelaysMs[attempt]);
        continue;
      }
      if (response.ok) return response;
      throw new RunnerHttpError(response.status, `${method} ${path} answered ${response.status}: ${await errorMessage(response)}`);
    }
  }
}

export interface JobClient {
  job(): Promise<JobSpec>;
  heartbeat(): Promise<{ canceled: boolean }>;
  step(index: number, status: StepStatus): Promise<void>;
  logs(step: number, lines: LogLine[]): Promise<void>;
  complete(completion: Completion): Promise<void>;
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: the text itself, shortened, says what went wrong.
  }
  return text.slice(0, 200) || response.statusText;
}
