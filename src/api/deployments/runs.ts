import type { Caller } from '../../auth/caller.js';
import type { AuditActor } from '../../audit/record.js';
import type { Clock } from '../../clock.js';
import type { DialectInfo } from '../../db/dialect.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { enqueueJob } from '../../jobs/runner.js';
import type { AgentPoolService, PoolIdentity } from '../agent-pools/service.js';
import { changePool, defaultPoolKey, recordRunner } from '../agent-pools/store.js';
import type { StackService } from '../stacks/service.js';
import { findStackById, type StackRecord } from '../stacks/store.js';
import type { TokenService } from '../tokens/service.js';
import { findUserById } from '../user/store.js';
import { driftEvent } from '../webhooks/deployment-events.js';
import type { WebhookService } from '../webhooks/service.js';
import type { DeploymentService } from './service.js';
import { isObject, secretValue, type Json, type JsonObject, type Operation, type SettingsSecrets } from './settings.js';
import * as store from './store.js';

/** The job that ends a deployment whose runner stopped renewing its claim: payload `{deploymentId}`. */
export const expireDeploymentClaim = 'expire-deployment-claim';

/** A job token outlives any claim; it is revoked when the deployment ends. */
const jobTokenLifetimeMs = 24 * 60 * 60_000;
/** How long a runner with nothing to do waits before polling again. */
const idleRetrySeconds = 5;
const maxLinesPerRequest = 1000;
const maxLineLength = 16 * 1024;

/** A runner, as its poll headers describe it (docs/runner-protocol.md). */
export interface RunnerIdentity {
  runnerId: string;
  hostname: string;
  pid: string;
  version: string;
  platform: string;
  ip: string;
}

export interface RunsDeps {
  db: Executor;
  dialect: DialectInfo;
  clock: Clock;
  secrets: SettingsSecrets;
  pools: AgentPoolService;
  tokens: TokenService;
  deployments: DeploymentService;
  stacks: StackService;
  webhooks: WebhookService;
  jobs: { wake(): void };
  publicUrl: string;
  claimTtlMs: number;
}

/**
 * The runner's side of deployments (docs/runner-protocol.md): claiming queued deployments with a
 * pool token, then reporting steps, logs and the result with the deployment's job token.
 */
export class DeploymentRunService {
  constructor(private readonly deps: RunsDeps) {}

  /** Claims the next deployment of the token's pool; undefined when there is none to start. */
  async poll(poolToken: string, runner: RunnerIdentity) {
    const pool = await this.pool(poolToken);
    const now = this.deps.clock.now();
    const poolKey = pool.kind === 'pool' ? pool.pool.id : defaultPoolKey;
    await recordRunner(this.deps.db, {
      pool_key: poolKey,
      runner_id: runner.runnerId.slice(0, 100),
      hostname: runner.hostname.slice(0, 255),
      ip: runner.ip,
      pid: runner.pid.slice(0, 20),
      version: runner.version.slice(0, 50),
      platform: runner.platform.slice(0, 50),
      last_seen: now,
    });
    const claimed = await transaction(this.deps.db, async (tx) => {
      const candidate = await store.claimCandidate(tx, this.deps.dialect, pool.kind === 'pool' ? pool.pool.id : null);
      if (!candidate) return undefined;
      // Another runner may be claiming a deployment of the same stack: the stack's lock orders them.
      await store.lockStack(tx, this.deps.dialect, candidate.stack_id);
      if (await store.stackHasActiveDeployment(tx, candidate.stack_id, candidate.id)) return undefined;
      const expires = now + this.deps.claimTtlMs;
      const moved = await store.changeDeployment(
        tx,
        candidate.id,
        { status: 'accepted', claimed_by: runner.runnerId.slice(0, 100), claim_expires_at: expires, started_at: now, modified_at: now },
        ['not-started'],
      );
      if (!moved) return undefined;
      const configuration = JSON.parse(candidate.configuration) as JsonObject;
      await store.insertSteps(
        tx,
        stepNames(candidate.operation as Operation, configuration).map((name, idx) => ({ deployment_id: candidate.id, idx, name, status: 'not-started', started_at: null, updated_at: null })),
      );
      const jobToken = await this.deps.tokens.issueDeploymentToken(tx, {
        userId: candidate.requested_by_user_id,
        organizationId: candidate.organization_id,
        stackId: candidate.stack_id,
        deploymentId: candidate.id,
        expiresAt: now + jobTokenLifetimeMs,
      });
      if (pool.kind === 'pool') await changePool(tx, pool.pool.id, { last_deployment_at: now });
      await enqueueJob(tx, this.deps.clock, expireDeploymentClaim, { deploymentId: candidate.id }, expires);
      return { id: candidate.id, jobToken };
    });
    if (!claimed) return undefined;
    const { id, jobToken } = claimed;
    return { jobToken, oidcToken: '', typeSpecificID: id, deploymentID: id, jobID: id, runID: id };
  }

  get retryAfterSeconds(): number {
    return idleRetrySeconds;
  }

  /** A deployment's status, for a runner of its pool. */
  async status(poolToken: string, id: string): Promise<string> {
    const pool = await this.pool(poolToken);
    const deployment = await store.findDeployment(this.deps.db, id);
    const own = deployment && (pool.kind === 'pool' ? deployment.agent_pool_id === pool.pool.id : deployment.agent_pool_id === null);
    if (!own) throw new ApiError('not_found', `deployment '${id}' not found in this pool`);
    return deployment.status;
  }

  /** What the runner runs: the deployment's settings with secrets opened (docs/runner-protocol.md). */
  async job(caller: Caller, id: string) {
    const { deployment, stack } = await this.running(this.deps.db, caller, id);
    const configuration = JSON.parse(deployment.configuration) as JsonObject;
    const org = deployment.organization_id;
    const open = (value: Json | undefined) => secretValue(value, this.deps.secrets, org);
    const oc = isObject(configuration.operationContext) ? configuration.operationContext : {};
    const options = isObject(oc.options) ? oc.options : {};
    const secretValues: string[] = [];
    const variables: Array<[string, string]> = Object.entries({
      PULUMI_CI_SYSTEM: 'Stackyard Deployments',
      PULUMI_CI_BUILD_ID: deployment.id,
      PULUMI_CI_BUILD_NUMBER: String(deployment.version),
      PULUMI_CI_BUILD_URL: this.deps.deployments.consoleUrl(stack, deployment.version),
      PULUMI_CI_ORGANIZATION: stack.organization_name,
      PULUMI_CI_PROJECT: stack.project_name,
      PULUMI_CI_STACK: stack.name,
      PULUMI_CI_OPERATION: deployment.operation,
    });
    for (const [name, value] of Object.entries(isObject(oc.environmentVariables) ? oc.environmentVariables : {})) {
      const v = open(value);
      if (!v) continue;
      variables.push([name, v.value]);
      if (v.secret && v.value !== '') secretValues.push(v.value);
    }
    // Built from entries, so a variable named `__proto__` is a variable like any other; the user's win.
    const environmentVariables = Object.fromEntries(variables);
    const git = isObject(configuration.sourceContext) && isObject(configuration.sourceContext.git) ? configuration.sourceContext.git : {};
    const gitAuth = isObject(git.gitAuth) ? git.gitAuth : {};
    const auth: Record<string, string> = {};
    const take = (key: string, value: Json | undefined) => {
      const v = open(value);
      if (!v || v.value === '') return;
      auth[key] = v.value;
      secretValues.push(v.value);
    };
    take('accessToken', gitAuth.accessToken);
    if (isObject(gitAuth.sshAuth)) {
      take('sshPrivateKey', gitAuth.sshAuth.sshPrivateKey);
      take('sshPassword', gitAuth.sshAuth.password);
    }
    if (isObject(gitAuth.basicAuth)) {
      take('username', gitAuth.basicAuth.userName);
      take('password', gitAuth.basicAuth.password);
    }
    const text = (v: Json | undefined) => (typeof v === 'string' ? v : '');
    const steps = await store.listSteps(this.deps.db, [deployment.id]);
    return {
      deploymentId: deployment.id,
      version: deployment.version,
      organization: stack.organization_name,
      project: stack.project_name,
      stack: stack.name,
      operation: deployment.operation,
      backendUrl: this.deps.publicUrl,
      source: {
        git: {
          repoUrl: text(git.repoUrl),
          ...(text(git.branch) !== '' && { branch: text(git.branch) }),
          ...(text(git.commit) !== '' && { commit: text(git.commit) }),
          ...(text(git.repoDir) !== '' && { repoDir: text(git.repoDir) }),
          ...(Object.keys(auth).length > 0 && { auth }),
        },
      },
      environmentVariables,
      secretValues,
      preRunCommands: Array.isArray(oc.preRunCommands) ? oc.preRunCommands.filter((c): c is string => typeof c === 'string') : [],
      options: {
        skipInstallDependencies: options.skipInstallDependencies === true,
        shell: text(options.shell),
        deleteAfterDestroy: options.deleteAfterDestroy === true,
        remediateIfDriftDetected: options.remediateIfDriftDetected === true,
      },
      steps: steps.map((s) => ({ name: s.name })),
      heartbeatIntervalMs: Math.max(1000, Math.floor(this.deps.claimTtlMs / 3)),
      claimTtlMs: this.deps.claimTtlMs,
    };
  }

  /** Renews the claim; says whether someone cancelled the deployment. */
  async heartbeat(caller: Caller, id: string): Promise<{ canceled: boolean }> {
    return transaction(this.deps.db, async (tx) => {
      const { deployment } = await this.running(tx, caller, id);
      const now = this.deps.clock.now();
      await store.changeDeployment(tx, deployment.id, { claim_expires_at: now + this.deps.claimTtlMs }, store.activeStatuses);
      return { canceled: deployment.cancel_requested === 1 };
    });
  }

  async step(caller: Caller, id: string, index: number, status: 'running' | 'succeeded' | 'failed'): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { deployment, stack } = await this.running(tx, caller, id);
      const now = this.deps.clock.now();
      const changed = await store.changeStep(tx, deployment.id, index, { status, updated_at: now, ...(status === 'running' && { started_at: now }) });
      if (!changed) throw new ApiError('not_found', `deployment ${deployment.version} has no step ${index}`);
      if (status === 'running' && deployment.status === 'accepted') {
        await store.changeDeployment(tx, deployment.id, { status: 'running', modified_at: now }, ['accepted']);
        await this.deps.deployments.fire(tx, stack, { version: deployment.version, operation: deployment.operation, status: 'running' }, 'deployment_started', await this.requester(tx, deployment));
      } else {
        await store.changeDeployment(tx, deployment.id, { modified_at: now });
      }
    });
  }

  async appendLogs(caller: Caller, id: string, step: number, lines: Array<{ timestamp?: string; line: string }>): Promise<void> {
    if (lines.length > maxLinesPerRequest) throw new ApiError('bad_request', `at most ${maxLinesPerRequest} lines per request`);
    await transaction(this.deps.db, async (tx) => {
      const { deployment } = await this.running(tx, caller, id);
      const steps = await store.listSteps(tx, [deployment.id]);
      if (!steps.some((s) => s.idx === step)) throw new ApiError('bad_request', `deployment ${deployment.version} has no step ${step}`);
      const now = this.deps.clock.now();
      await store.appendLogs(
        tx,
        deployment.id,
        step,
        lines.map((l) => {
          const at = l.timestamp === undefined ? now : Date.parse(l.timestamp);
          return { at: Number.isFinite(at) ? at : now, line: l.line.length > maxLineLength ? `${l.line.slice(0, maxLineLength)}…` : l.line };
        }),
      );
    });
  }

  /** Ends the deployment, and does what its options ask after: remediate found drift, delete a destroyed stack. */
  async complete(caller: Caller, id: string, result: { status: 'succeeded' | 'failed'; message?: string; driftDetected?: boolean }): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { deployment, stack } = await this.running(tx, caller, id);
      await this.finish(tx, deployment, stack, result, caller);
    });
    this.deps.jobs.wake();
  }

  /** The job: a claim whose runner stopped renewing it ends the deployment failed; a renewed one is checked again later. */
  async expireClaim(deploymentId: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const deployment = await store.findDeployment(tx, deploymentId);
      if (!deployment || !store.activeStatuses.includes(deployment.status) || deployment.claim_expires_at === null) return;
      const now = this.deps.clock.now();
      if (deployment.claim_expires_at > now) {
        await enqueueJob(tx, this.deps.clock, expireDeploymentClaim, { deploymentId }, deployment.claim_expires_at);
        return;
      }
      const stack = await findStackById(tx, deployment.stack_id);
      if (!stack) return;
      const steps = await store.listSteps(tx, [deployment.id]);
      const last = steps.filter((s) => s.status !== 'not-started').at(-1) ?? steps[0];
      const message = `the runner stopped sending heartbeats: its claim ran out ${Math.round(this.deps.claimTtlMs / 1000)} s after its last one, and the deployment failed`;
      if (last) await store.appendLogs(tx, deployment.id, last.idx, [{ at: now, line: message }]);
      const actor = await this.requester(tx, deployment);
      await this.finish(tx, deployment, stack, { status: 'failed', message }, actor && { user: actor, sourceIp: '' });
    });
    this.deps.jobs.wake();
  }

  private async finish(
    tx: Executor,
    deployment: store.DeploymentRow,
    stack: StackRecord,
    result: { status: 'succeeded' | 'failed'; message?: string; driftDetected?: boolean },
    actor: AuditActor | undefined,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const drift = deployment.operation === 'detect-drift' && result.status === 'succeeded' ? result.driftDetected === true : undefined;
    const ended = await store.changeDeployment(
      tx,
      deployment.id,
      {
        status: result.status,
        finished_at: now,
        modified_at: now,
        claim_expires_at: null,
        message: (result.message ?? '').slice(0, 4000),
        drift_detected: drift === undefined ? null : drift ? 1 : 0,
      },
      store.activeStatuses,
    );
    if (!ended) return;
    await store.endOpenSteps(tx, deployment.id, result.status, now);
    await this.deps.tokens.revokeDeploymentTokens(tx, deployment.id);
    const configuration = JSON.parse(deployment.configuration) as JsonObject;
    const oc = isObject(configuration.operationContext) ? configuration.operationContext : {};
    const options = isObject(oc.options) ? oc.options : {};
    if (options.skipIntermediateDeployments === true) await store.skipIntermediate(tx, stack.id, deployment.operation, now);
    const user = actor?.user;
    const facts = { version: deployment.version, operation: deployment.operation, status: result.status };
    await this.deps.deployments.fire(tx, stack, facts, result.status === 'succeeded' ? 'deployment_succeeded' : 'deployment_failed', user);
    const names = { organization: stack.organization_name, project: stack.project_name, stack: stack.name };
    const run = { version: deployment.version, deploymentId: deployment.id, succeeded: result.status === 'succeeded' };
    const fireDrift = (event: Parameters<typeof driftEvent>[3], extra: { driftDetected?: boolean } = {}) =>
      this.deps.webhooks.fire(tx, { organizationId: stack.organization_id, stackId: stack.id, ...(user && { actor: user }), ...driftEvent(this.deps.publicUrl, names, { ...run, ...extra }, event) });
    if (deployment.operation === 'detect-drift') {
      await fireDrift(result.status === 'succeeded' ? 'drift_detection_succeeded' : 'drift_detection_failed', { driftDetected: drift === true });
      if (drift) {
        await fireDrift('drift_detected', { driftDetected: true });
        if (options.remediateIfDriftDetected === true && actor) {
          await this.deps.deployments.queue(tx, {
            stack,
            operation: 'remediate-drift',
            configuration,
            inheritSettings: deployment.inherit_settings === 1,
            initiator: deployment.initiator,
            requestedBy: actor,
          });
        }
      }
    }
    if (deployment.operation === 'remediate-drift') await fireDrift(result.status === 'succeeded' ? 'drift_remediation_succeeded' : 'drift_remediation_failed');
    if (deployment.operation === 'destroy' && result.status === 'succeeded' && options.deleteAfterDestroy === true && actor) {
      await this.deps.stacks.removeStack(tx, actor, stack, false);
    }
  }

  private async pool(token: string): Promise<PoolIdentity> {
    const pool = await this.deps.pools.authenticate(this.deps.db, token);
    if (!pool) throw new ApiError('unauthorized', 'No credentials provided or are invalid.');
    return pool;
  }

  /** The deployment a job token is for, while it runs; any other is not found. */
  private async running(db: Executor, caller: Caller, id: string) {
    if (caller.scope?.deploymentId !== id) throw new ApiError('not_found', `deployment '${id}' not found`);
    const deployment = await store.findDeployment(db, id);
    if (!deployment) throw new ApiError('not_found', `deployment '${id}' not found`);
    if (!store.activeStatuses.includes(deployment.status)) throw new ApiError('conflict', `deployment ${deployment.version} has ended (${deployment.status})`);
    const stack = await findStackById(db, deployment.stack_id);
    if (!stack) throw new ApiError('not_found', `deployment '${id}' not found`);
    return { deployment, stack };
  }

  private async requester(db: Executor, deployment: store.DeploymentRow) {
    return findUserById(db, deployment.requested_by_user_id);
  }
}

/** The steps a deployment's runner runs, in order (docs/runner-protocol.md). */
export function stepNames(operation: Operation, configuration: JsonObject): string[] {
  const oc = isObject(configuration.operationContext) ? configuration.operationContext : {};
  const options = isObject(oc.options) ? oc.options : {};
  const preRun = Array.isArray(oc.preRunCommands) ? oc.preRunCommands.filter((c) => typeof c === 'string') : [];
  return [
    'Get source',
    ...(options.skipInstallDependencies === true ? [] : ['Install dependencies']),
    ...preRun.map((_, i) => `Pre-run command ${i + 1}`),
    `pulumi ${operation}`,
  ];
}
