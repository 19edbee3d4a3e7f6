import type { Caller } from '../../auth/caller.js';
import { requireOrganization, requireStack, stackVisibility } from '../../auth/permissions.js';
import { recordAudit, type AuditActor, type AuditEntry } from '../../audit/record.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { DialectInfo } from '../../db/dialect.js';
import type { Executor } from '../../db/executor.js';
import type { DeploymentStatus } from '../../db/schema.js';
import { afterCommit, transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import type { StackRef } from '../stacks/names.js';
import type { StackRecord } from '../stacks/store.js';
import { findUserById, type UserRow } from '../user/store.js';
import { serviceUpdate, updateInfo } from '../updates/presenter.js';
import type { UpdateRow } from '../updates/store.js';
import type { WebhookService } from '../webhooks/service.js';
import { deploymentEvent } from '../webhooks/deployment-events.js';
import { findPool } from '../agent-pools/store.js';
import {
  isObject,
  mergePatch,
  normalizeSettings,
  operations,
  overlay,
  sealSecrets,
  secretValue,
  sqlTime,
  validateSettings,
  type Json,
  type JsonObject,
  type Operation,
  type SettingsSecrets,
} from './settings.js';
import * as store from './store.js';

/** Job and step times: RFC 3339, and Go's zero time for what has not happened (never ""). */
const zeroTime = '0001-01-01T00:00:00Z';
const rfc3339 = (ms: number | null) => (ms === null ? zeroTime : new Date(ms).toISOString());

export interface DeploymentsDeps {
  db: Executor;
  dialect: DialectInfo;
  clock: Clock;
  ids: IdGenerator;
  secrets: SettingsSecrets;
  webhooks: WebhookService;
  jobs: { wake(): void };
  publicUrl: string;
}

/** What queues a deployment: a request, a schedule firing, or a drift run that found drift. */
export interface QueueRequest {
  stack: StackRecord;
  operation: Operation;
  /** The settings it runs with, secrets sealed. */
  configuration: JsonObject;
  inheritSettings: boolean;
  initiator: string;
  requestedBy: AuditActor;
}

export interface ListQuery {
  page?: number;
  pageSize?: number;
  asc?: boolean;
  status?: string;
}

/**
 * Deployment settings of stacks, and deployments: queued here, run by a runner of their pool
 * (runs.ts), read back with their steps, logs and updates.
 */
export class DeploymentService {
  constructor(private readonly deps: DeploymentsDeps) {}

  // Settings.

  async getSettings(caller: Caller, ref: StackRef) {
    const stack = await requireStack(this.deps.db, caller, ref, 'read');
    const row = await store.findSettings(this.deps.db, stack.id);
    if (!row) throw new ApiError('not_found', `stack '${ref.project}/${ref.stack}' has no deployment settings`);
    return settingsView(row);
  }

  /** PUT replaces the settings; POST merges a patch into them (and creates them when absent). */
  async writeSettings(caller: Caller, ref: StackRef, body: JsonObject, mode: 'replace' | 'merge') {
    return transaction(this.deps.db, async (tx) => {
      const stack = await requireStack(tx, caller, ref, 'edit');
      const current = await store.findSettings(tx, stack.id);
      const patch = normalizeSettings(stripResponseFields(body));
      const base = mode === 'merge' && current ? (JSON.parse(current.settings) as JsonObject) : {};
      const merged = (mode === 'merge' ? mergePatch(base, patch) : dropNulls(patch)) as JsonObject;
      validateSettings(merged);
      const sealed = sealSecrets(merged, this.deps.secrets, stack.organization_id) as JsonObject;
      const poolId = await this.checkPool(tx, stack.organization_id, sealed.agentPoolID, 'Invalid agent pool id');
      await store.upsertSettings(tx, {
        stack_id: stack.id,
        settings: JSON.stringify(sealed),
        agent_pool_id: poolId,
        version: (current?.version ?? 0) + 1,
        source: 'api',
        paused: current?.paused ?? 0,
        modified_at: this.deps.clock.now(),
      });
      await this.audit(tx, caller, stack, 'deployment-settings-updated', `${current ? 'Updated' : 'Created'} the deployment settings of stack "${ref.project}/${ref.stack}"`);
      return settingsView((await store.findSettings(tx, stack.id))!);
    });
  }

  async deleteSettings(caller: Caller, ref: StackRef): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const stack = await requireStack(tx, caller, ref, 'edit');
      if (!(await store.deleteSettings(tx, stack.id))) throw new ApiError('not_found', `stack '${ref.project}/${ref.stack}' has no deployment settings`);
      await this.audit(tx, caller, stack, 'deployment-settings-deleted', `Deleted the deployment settings of stack "${ref.project}/${ref.stack}"`);
    });
  }

  async encryptSecret(caller: Caller, ref: StackRef, secret: string): Promise<{ ciphertext: string }> {
    const stack = await requireStack(this.deps.db, caller, ref, 'edit');
    if (secret === '') throw new ApiError('bad_request', 'Invalid empty value');
    return { ciphertext: this.deps.secrets.seal(stack.organization_id, secret) };
  }

  // Deployments.

  /** `POST …/deployments`: the request over the stack's settings (unless `inheritSettings` is false). */
  async create(caller: Caller, ref: StackRef, body: JsonObject, initiator: string) {
    const parsed = parseRequest(body);
    return transaction(this.deps.db, async (tx) => {
      const stack = await requireStack(tx, caller, ref, 'edit');
      const prepared = await this.configure(tx, stack, parsed);
      const queued = await this.queue(tx, { stack, ...prepared, initiator, requestedBy: caller });
      await this.audit(tx, caller, stack, 'deployment-created', `Queued deployment ${queued.version} (${prepared.operation}) of stack "${ref.project}/${ref.stack}"`);
      return queued;
    });
  }

  /**
   * A create-deployment request checked as `create` checks it (400s), and the configuration it runs
   * with now: the stack's settings under the request unless `inheritSettings` is false. Schedules
   * call it when they are written, and again when they fire, as the settings may have changed.
   */
  async prepare(tx: Executor, stack: StackRecord, body: JsonObject): Promise<Pick<QueueRequest, 'operation' | 'configuration' | 'inheritSettings'>> {
    const prepared = await this.configure(tx, stack, parseRequest(body));
    await this.poolOf(tx, stack, prepared.configuration);
    return prepared;
  }

  private async configure(tx: Executor, stack: StackRecord, parsed: ParsedRequest) {
    const sealed = sealSecrets(parsed.request, this.deps.secrets, stack.organization_id) as JsonObject;
    const settings = parsed.inheritSettings ? await store.findSettings(tx, stack.id) : undefined;
    const configuration = (settings ? overlay(JSON.parse(settings.settings) as Json, sealed) : dropEmpty(sealed)) as JsonObject;
    return { operation: parsed.operation, configuration, inheritSettings: parsed.inheritSettings };
  }

  /**
   * Queues a deployment in the caller's transaction. Its pool is the configuration's (the request's
   * or the stack's settings'), else the server's default pool; a pool that does not exist is a 400.
   */
  async queue(tx: Executor, request: QueueRequest): Promise<{ id: string; version: number; consoleUrl: string }> {
    const { stack, configuration } = request;
    const poolId = await this.poolOf(tx, stack, configuration);
    await store.lockStack(tx, this.deps.dialect, stack.id);
    const version = await store.nextDeploymentVersion(tx, stack.id);
    const id = this.deps.ids.next();
    const now = this.deps.clock.now();
    await store.insertDeployment(tx, {
      id,
      stack_id: stack.id,
      organization_id: stack.organization_id,
      version,
      status: 'not-started',
      operation: request.operation,
      initiator: request.initiator,
      requested_by_user_id: request.requestedBy.user.id,
      agent_pool_id: poolId,
      configuration: JSON.stringify(configuration),
      inherit_settings: request.inheritSettings ? 1 : 0,
      created_at: now,
      modified_at: now,
      claimed_by: null,
      claim_expires_at: null,
      started_at: null,
      finished_at: null,
      cancel_requested: 0,
      drift_detected: null,
      message: '',
    });
    await this.fire(tx, stack, { version, operation: request.operation, status: 'not-started' }, 'deployment_queued', request.requestedBy.user);
    afterCommit(tx, () => this.deps.jobs.wake());
    return { id, version, consoleUrl: this.consoleUrl(stack, version) };
  }

  async list(caller: Caller, ref: StackRef, query: ListQuery) {
    const stack = await requireStack(this.deps.db, caller, ref, 'read');
    return this.page(store.listDeployments(this.deps.db, { stackId: stack.id, ...pageOf(query) }));
  }

  async listOrganization(caller: Caller, orgName: string, query: ListQuery) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const visibility = await stackVisibility(this.deps.db, caller);
    return this.page(store.listDeployments(this.deps.db, { organizationId: org.id, visibility, ...pageOf(query) }));
  }

  async get(caller: Caller, ref: StackRef, by: { id: string } | { version: number }) {
    const { stack, deployment } = await this.find(caller, ref, by, 'read');
    const [view] = await this.views([{ ...deployment, project_name: stack.project_name, stack_name: stack.name }]);
    return view!;
  }

  async updates(caller: Caller, ref: StackRef, id: string) {
    const { stack, deployment } = await this.find(caller, ref, { id }, 'read');
    const rows = await store.deploymentUpdates(this.deps.db, [deployment.id]);
    return rows.map((row) => serviceUpdate(row, stack.version));
  }

  /** Streaming mode (`continuationToken`) or one step's lines (`job`, `step`, `offset`, `count`). */
  async logs(caller: Caller, ref: StackRef, id: string, query: { continuationToken?: string; job?: number; step?: number; offset?: number; count?: number }) {
    const { deployment } = await this.find(caller, ref, { id }, 'read');
    const steps = await store.listSteps(this.deps.db, [deployment.id]);
    if (query.step !== undefined || query.job !== undefined) {
      if ((query.job ?? 0) !== 0) throw new ApiError('not_found', `deployment ${deployment.version} has one job, job 0`);
      const index = query.step ?? 0;
      const step = steps.find((s) => s.idx === index);
      if (!step) throw new ApiError('not_found', `deployment ${deployment.version} has no step ${index}`);
      const count = query.count ?? 100;
      if (count < 1 || count > 499) throw new ApiError('bad_request', 'Count must be less than 500 and more than 0');
      const offset = query.offset ?? 0;
      const lines = await store.stepLogs(this.deps.db, deployment.id, index, offset, count);
      const more = lines.length === count || step.status === 'running' || step.status === 'not-started';
      return {
        __type: 'DeploymentLogsStep',
        name: step.name,
        lines: lines.map((l) => ({ timestamp: rfc3339(l.at), line: l.line })),
        ...(more && { nextOffset: offset + lines.length }),
      };
    }
    const [afterId, lastStep] = parseLogToken(query.continuationToken);
    const lines = await store.logsAfter(this.deps.db, deployment.id, afterId, 500);
    const names = new Map(steps.map((s) => [s.idx, s.name]));
    const out: Array<{ header?: string; timestamp: string; line?: string }> = [];
    let step = lastStep;
    for (const l of lines) {
      if (l.step !== step) out.push({ header: names.get(l.step) ?? `Step ${l.step + 1}`, timestamp: zeroTime });
      step = l.step;
      out.push({ timestamp: rfc3339(l.at), line: l.line });
    }
    const last = lines.at(-1);
    const finished = store.finishedStatuses.includes(deployment.status);
    // The CLI stops at an empty token, and asks again with the same one while nothing is new.
    const nextToken = last ? `${last.id}.${step}` : finished ? '' : (query.continuationToken ?? `0.-1`);
    return { __type: 'DeploymentLogs', lines: out, nextToken };
  }

  /** A queued deployment ends at once; a running one is told through its runner's next heartbeat. */
  async cancel(caller: Caller, ref: StackRef, id: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { stack, deployment } = await this.find(caller, ref, { id }, 'edit', tx);
      const now = this.deps.clock.now();
      if (deployment.status === 'not-started') {
        const ended = await store.changeDeployment(tx, deployment.id, { status: 'failed', finished_at: now, modified_at: now, message: `canceled by ${caller.user.login}` }, ['not-started']);
        if (ended) await this.fire(tx, stack, { version: deployment.version, operation: deployment.operation, status: 'failed' }, 'deployment_failed', caller.user);
      } else if (store.activeStatuses.includes(deployment.status)) {
        await store.changeDeployment(tx, deployment.id, { cancel_requested: 1, modified_at: now });
      } else {
        return;
      }
      await this.audit(tx, caller, stack, 'deployment-canceled', `Canceled deployment ${deployment.version} of stack "${ref.project}/${ref.stack}"`);
    });
  }

  async pauseStack(caller: Caller, ref: StackRef, paused: boolean): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const stack = await requireStack(tx, caller, ref, 'admin');
      if (!(await store.findSettings(tx, stack.id))) throw new ApiError('bad_request', `stack '${ref.project}/${ref.stack}' has no deployment settings to pause`);
      await store.setStackPaused(tx, stack.id, paused);
      await this.audit(tx, caller, stack, paused ? 'stack-deployments-paused' : 'stack-deployments-resumed', `${paused ? 'Paused' : 'Resumed'} deployments of stack "${ref.project}/${ref.stack}"`);
    });
    if (!paused) this.deps.jobs.wake();
  }

  async pauseOrganization(caller: Caller, orgName: string, paused: boolean): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', `${paused ? 'pausing' : 'resuming'} deployments`);
      await store.setOrganizationPaused(tx, org.id, paused, this.deps.clock.now());
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: paused ? 'organization-deployments-paused' : 'organization-deployments-resumed',
        description: `${paused ? 'Paused' : 'Resumed'} the deployments of organization "${org.name}"`,
      });
    });
  }

  async stackMetadata(caller: Caller, ref: StackRef) {
    const stack = await requireStack(this.deps.db, caller, ref, 'read');
    const settings = await store.findSettings(this.deps.db, stack.id);
    const stackPaused = settings?.paused === 1;
    const organizationPaused = await store.organizationPaused(this.deps.db, stack.organization_id);
    const hasSchedules = await store.hasSchedules(this.deps.db, stack.id);
    return { paused: stackPaused || organizationPaused, stackPaused, organizationPaused, hasSchedules };
  }

  async organizationMetadata(caller: Caller, orgName: string) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const counts = await store.countByStatus(this.deps.db, org.id);
    const statuses: DeploymentStatus[] = ['not-started', 'accepted', 'running', 'failed', 'succeeded', 'skipped'];
    const deploymentCounts: Record<string, number> = {};
    let total = 0;
    for (const status of statuses) {
      const key = status === 'not-started' ? 'notStarted' : status;
      deploymentCounts[key] = counts[status] ?? 0;
      total += counts[status] ?? 0;
    }
    return {
      paused: await store.organizationPaused(this.deps.db, org.id),
      // Runners take one deployment each, and one per stack at a time; there is no other limit.
      concurrency: 0,
      deploymentCounts: { ...deploymentCounts, total },
      pausedStacks: await store.pausedStacks(this.deps.db, org.id),
    };
  }

  // Shared with the runner protocol (runs.ts) and schedules.

  consoleUrl(stack: { organization_name: string; project_name: string; name: string }, version: number): string {
    return `${this.deps.publicUrl}/${[stack.organization_name, stack.project_name, stack.name].map(encodeURIComponent).join('/')}/deployments/${version}`;
  }

  async fire(tx: Executor, stack: StackRecord, facts: { version: number; operation: string; status: string }, event: Parameters<typeof deploymentEvent>[3], actor?: UserRow | AuditActor['user']): Promise<void> {
    const names = { organization: stack.organization_name, project: stack.project_name, stack: stack.name };
    await this.deps.webhooks.fire(tx, { organizationId: stack.organization_id, stackId: stack.id, ...(actor && { actor }), ...deploymentEvent(this.deps.publicUrl, names, facts, event) });
  }

  private async find(caller: Caller, ref: StackRef, by: { id: string } | { version: number }, action: 'read' | 'edit', db: Executor = this.deps.db) {
    const stack = await requireStack(db, caller, ref, action);
    const deployment = await store.findStackDeployment(db, stack.id, by);
    if (!deployment) throw new ApiError('not_found', `deployment ${'id' in by ? `'${by.id}'` : by.version} of stack '${ref.project}/${ref.stack}' not found`);
    return { stack, deployment };
  }

  /** Where a configuration runs: 400 when it has no source, or names a pool the organization lacks. */
  private async poolOf(tx: Executor, stack: StackRecord, configuration: JsonObject): Promise<string | null> {
    const git = isObject(configuration.sourceContext) && isObject(configuration.sourceContext.git) ? configuration.sourceContext.git : undefined;
    if (!git || typeof git.repoUrl !== 'string' || git.repoUrl === '') {
      throw new ApiError('bad_request', 'the deployment has no source: set sourceContext.git.repoUrl in the stack\'s deployment settings or in the request');
    }
    return this.checkPool(tx, stack.organization_id, configuration.agentPoolID, 'the agent pool specified in the deployment settings does not exist');
  }

  /** A pool id the organization has, or null for none named; `message` for a 400 otherwise. */
  private async checkPool(db: Executor, organizationId: string, value: Json | undefined, message: string): Promise<string | null> {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string' || !(await findPool(db, organizationId, value))) throw new ApiError('bad_request', `${message}: '${String(value)}'`);
    return value;
  }

  private async page(listed: Promise<{ rows: store.DeploymentListRow[]; total: number }>) {
    const { rows, total } = await listed;
    return { deployments: await this.views(rows), itemsPerPage: rows.length, total };
  }

  /** `GetDeploymentResponse` of each row; list entries are the same, as Pulumi's snapshot is a subset. */
  private async views(rows: store.DeploymentListRow[]) {
    const db = this.deps.db;
    const ids = rows.map((r) => r.id);
    const [steps, updates, latest] = await Promise.all([store.listSteps(db, ids), store.deploymentUpdates(db, ids), store.latestVersions(db, [...new Set(rows.map((r) => r.stack_id))])]);
    const users = new Map<string, UserRow | undefined>();
    const pools = new Map<string, string>();
    for (const row of rows) {
      if (!users.has(row.requested_by_user_id)) users.set(row.requested_by_user_id, await findUserById(db, row.requested_by_user_id));
      if (row.agent_pool_id !== null && !pools.has(row.agent_pool_id)) pools.set(row.agent_pool_id, (await findPool(db, row.organization_id, row.agent_pool_id))?.name ?? '');
    }
    return rows.map((row) => {
      const user = users.get(row.requested_by_user_id);
      const own = steps.filter((s) => s.deployment_id === row.id);
      const configuration = JSON.parse(row.configuration) as JsonObject;
      return {
        id: row.id,
        created: sqlTime(row.created_at),
        modified: sqlTime(row.modified_at),
        status: row.status,
        version: row.version,
        latestVersion: latest.get(row.stack_id) ?? row.version,
        requestedBy: { name: user?.name ?? '', githubLogin: user?.login ?? '', avatarUrl: user?.avatar_url ?? '', ...(user?.email && { email: user.email }) },
        jobs:
          row.started_at === null
            ? []
            : [
                {
                  status: row.status,
                  started: rfc3339(row.started_at),
                  lastUpdated: rfc3339(row.modified_at),
                  steps: own.map((s) => ({ name: s.name, status: s.status, started: rfc3339(s.started_at), lastUpdated: rfc3339(s.updated_at) })),
                },
              ],
        configuration: this.configurationView(row.organization_id, configuration),
        initiator: row.initiator,
        pulumiOperation: row.operation,
        projectName: row.project_name,
        stackName: row.stack_name,
        updates: updates
          .filter((u) => u.deployment_id === row.id)
          .map((u) => {
            const info = updateInfo(u as unknown as UpdateRow);
            return {
              id: u.id,
              updateID: u.id,
              version: u.version,
              startTime: info.startTime,
              endTime: info.endTime,
              result: info.result,
              kind: u.dry_run === 1 ? `P${u.kind}` : u.kind,
              message: info.message,
              environment: info.environment,
            };
          }),
        ...(row.agent_pool_id !== null && { agentPool: { id: row.agent_pool_id, name: pools.get(row.agent_pool_id) ?? '' } }),
        inheritSettings: row.inherit_settings === 1,
      };
    });
  }

  /** What a deployment ran with, as GET shows it: variables without secret values, the source without credentials. */
  private configurationView(organizationId: string, configuration: JsonObject) {
    const oc = isObject(configuration.operationContext) ? configuration.operationContext : {};
    const env = isObject(oc.environmentVariables) ? oc.environmentVariables : {};
    const environmentVariables = Object.entries(env).map(([name, value]) => {
      const v = secretValue(value, this.deps.secrets, organizationId);
      return v?.secret ? { name, secret: true } : { name, value: v?.value ?? '', secret: false };
    });
    const git = isObject(configuration.sourceContext) && isObject(configuration.sourceContext.git) ? configuration.sourceContext.git : undefined;
    const text = (v: Json | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);
    return {
      environmentVariables,
      ...(git && {
        source: {
          git: {
            repoURL: text(git.repoUrl) ?? '',
            ...(text(git.branch) && { branch: text(git.branch) }),
            ...(text(git.repoDir) && { repoDir: text(git.repoDir) }),
            ...(text(git.commit) && { commit: text(git.commit) }),
          },
        },
      }),
    };
  }

  private audit(tx: Executor, caller: AuditActor, stack: StackRecord, event: AuditEntry['event'], description: string): Promise<void> {
    return recordAudit(tx, this.deps.clock, caller, { organizationId: stack.organization_id, event, description });
  }
}

interface ParsedRequest {
  operation: Operation;
  inheritSettings: boolean;
  /** The settings it carries, `operation` and `inheritSettings` taken out. */
  request: JsonObject;
}

/** The checks of a create-deployment body that need no database: 400s naming what is wrong. */
function parseRequest(body: JsonObject): ParsedRequest {
  const { operation, inheritSettings, ...requested } = body;
  if (operation === undefined || operation === null || operation === '') throw new ApiError('bad_request', "Missing top level required field 'operation'");
  if (typeof operation !== 'string' || !operations.includes(operation as Operation)) {
    throw new ApiError('bad_request', `operation '${String(operation)}' is not one of ${operations.join(', ')}`);
  }
  if (inheritSettings !== undefined && inheritSettings !== null && typeof inheritSettings !== 'boolean') throw new ApiError('bad_request', 'inheritSettings must be a boolean');
  const nested = isObject(requested.operationContext) ? requested.operationContext.operation : undefined;
  if (nested !== undefined && nested !== null && nested !== '') throw new ApiError('bad_request', "'operation' must only be set at the top level");
  const request = normalizeSettings(stripResponseFields(requested));
  validateSettings(request, 'request');
  return { operation: operation as Operation, inheritSettings: inheritSettings !== false, request };
}

function settingsView(row: store.SettingsRow) {
  return { ...(JSON.parse(row.settings) as JsonObject), version: row.version, source: row.source };
}

/** `version` and `source` are the server's; a client sending back what it read does not set them. */
function stripResponseFields(body: JsonObject): JsonObject {
  const { version: _, source: __, ...rest } = body;
  return rest;
}

function dropNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, dropNulls(v)]));
}

/** A request run without the stack's settings: its empty fields (as the CLI sends them) mean nothing. */
function dropEmpty(value: JsonObject): JsonObject {
  return overlay({}, value) as JsonObject;
}

function pageOf(query: ListQuery): Omit<store.DeploymentListFilter, 'stackId' | 'organizationId' | 'visibility'> {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 10;
  // Safe integers only: a page past 2^53 makes an OFFSET the database refuses.
  if (!Number.isSafeInteger(page) || page < 1) throw new ApiError('bad_request', 'page must be 1 or more');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw new ApiError('bad_request', 'pageSize must be between 1 and 100');
  const statuses: DeploymentStatus[] = ['not-started', 'accepted', 'running', 'failed', 'succeeded', 'skipped'];
  if (query.status !== undefined && !statuses.includes(query.status as DeploymentStatus)) throw new ApiError('bad_request', `status must be one of ${statuses.join(', ')}`);
  return { page, pageSize, asc: query.asc === true, ...(query.status !== undefined && { status: query.status as DeploymentStatus }) };
}

/** `<last line id>.<its step>`: where the reader is, and which step's header it has seen. */
function parseLogToken(token: string | undefined): [number, number] {
  if (token === undefined || token === '') return [0, -1];
  const match = /^(\d{1,15})\.(-1|\d{1,6})$/.exec(token);
  if (!match) throw new ApiError('bad_request', `continuationToken '${token}' is not one this server issued`);
  return [Number(match[1]), Number(match[2])];
}

