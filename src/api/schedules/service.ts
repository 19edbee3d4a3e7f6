import { Cron } from 'croner';
import type { Caller } from '../../auth/caller.js';
import { requireStack } from '../../auth/permissions.js';
import { recordAudit, type AuditEntry } from '../../audit/record.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { afterCommit, transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { enqueueJob } from '../../jobs/runner.js';
import type { DeploymentService } from '../deployments/service.js';
import { isObject, normalizeSettings, sealSecrets, sqlTime, type JsonObject, type SettingsSecrets } from '../deployments/settings.js';
import { findSettings } from '../deployments/store.js';
import type { StackRef } from '../stacks/names.js';
import { findStackById, type StackRecord } from '../stacks/store.js';
import { findUserById } from '../user/store.js';
import * as store from './store.js';

/** The job that fires a schedule at its next execution: payload `{scheduleId, due}`. */
export const fireDeploymentSchedule = 'fire-deployment-schedule';

/** The `initiator` of the deployments schedules queue: Pulumi's value for them is not public. */
const scheduleInitiator = 'schedule';

/**
 * Raw schedules run any create-deployment request; drift and TTL ones are the same schedules with
 * a request made for them. Which one a schedule is shows only in its definition, as Pulumi's CLI
 * and console tell them apart.
 */
export type ScheduleKind = 'raw' | 'drift' | 'ttl';

export interface SchedulesDeps {
  db: Executor;
  clock: Clock;
  ids: IdGenerator;
  secrets: SettingsSecrets;
  deployments: DeploymentService;
  jobs: { wake(): void };
}

/** When a schedule fires and what it queues, as a create or update body gives them. */
interface Timing {
  cron: string | null;
  once: number | null;
  request: JsonObject;
}

/**
 * Deployment schedules of a stack: a cron expression (UTC) or one time, and the create-deployment
 * request queued at each firing. A firing is a durable job due at the schedule's next execution;
 * whichever process takes it first moves the schedule on, so it fires once however many run jobs.
 */
export class ScheduleService {
  constructor(private readonly deps: SchedulesDeps) {}

  async list(caller: Caller, ref: StackRef) {
    const stack = await requireStack(this.deps.db, caller, ref, 'read');
    const schedules = (await store.listSchedules(this.deps.db, stack.id)).map(view);
    // `schedules` is what Pulumi's spec and clients read; its REST docs show `scheduledDeployments`.
    return { schedules, scheduledDeployments: schedules };
  }

  async get(caller: Caller, ref: StackRef, id: string) {
    const stack = await requireStack(this.deps.db, caller, ref, 'read');
    return view(await this.find(this.deps.db, stack, ref, id));
  }

  async create(caller: Caller, ref: StackRef, kind: ScheduleKind, body: JsonObject) {
    const timing = timingOf(kind, body, this.deps.clock.now());
    return transaction(this.deps.db, async (tx) => {
      const stack = await requireStack(tx, caller, ref, 'edit');
      const request = await this.checkRequest(tx, stack, ref, timing.request);
      const now = this.deps.clock.now();
      const fields = { schedule_cron: timing.cron, schedule_once: timing.once, last_executed: null };
      const row: store.ScheduleRow = {
        id: this.deps.ids.next(),
        stack_id: stack.id,
        organization_id: stack.organization_id,
        created_by_user_id: caller.user.id,
        ...fields,
        next_execution: nextExecution(fields, now),
        paused: 0,
        request: JSON.stringify(request),
        version: 1,
        created_at: now,
        modified_at: now,
      };
      await store.insertSchedule(tx, row);
      await this.arm(tx, row);
      await this.audit(tx, caller, stack, 'scheduled-deployment-created', `Created ${label(row, ref)}`);
      return view(row);
    });
  }

  /** A full replacement (an omitted boolean is false); the next execution is computed again. */
  async update(caller: Caller, ref: StackRef, kind: ScheduleKind, id: string, body: JsonObject) {
    const timing = timingOf(kind, body, this.deps.clock.now());
    return transaction(this.deps.db, async (tx) => {
      const stack = await requireStack(tx, caller, ref, 'edit');
      const current = await this.find(tx, stack, ref, id);
      if (kind !== 'raw' && kindOf(current) !== kind) throw new ApiError('bad_request', `Invalid schedule: schedule '${id}' is not a ${kind} schedule`);
      const request = await this.checkRequest(tx, stack, ref, timing.request);
      const now = this.deps.clock.now();
      const change = {
        created_by_user_id: caller.user.id,
        schedule_cron: timing.cron,
        schedule_once: timing.once,
        request: JSON.stringify(request),
        version: current.version + 1,
        modified_at: now,
      };
      const row = { ...current, ...change, next_execution: nextExecution({ ...current, ...change }, now) };
      await store.changeSchedule(tx, id, { ...change, next_execution: row.next_execution });
      await this.arm(tx, row);
      await this.audit(tx, caller, stack, 'scheduled-deployment-updated', `Updated ${label(row, ref)}`);
      return view(row);
    });
  }

  /** Idempotent, as Pulumi's spec has it: a schedule already gone (a fired TTL schedule) is no error. */
  async delete(caller: Caller, ref: StackRef, id: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const stack = await requireStack(tx, caller, ref, 'edit');
      const current = await store.findSchedule(tx, stack.id, id);
      if (!current) return;
      await store.deleteSchedule(tx, stack.id, id);
      await this.audit(tx, caller, stack, 'scheduled-deployment-deleted', `Deleted ${label(current, ref)}`);
    });
  }

  /** A paused schedule keeps its timing and does not fire; resumed, it fires next at its next time from now. */
  async setPaused(caller: Caller, ref: StackRef, id: string, paused: boolean): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const stack = await requireStack(tx, caller, ref, 'edit');
      const current = await this.find(tx, stack, ref, id);
      if (current.paused === (paused ? 1 : 0)) return;
      const now = this.deps.clock.now();
      const row = { ...current, paused: paused ? 1 : 0, modified_at: now, next_execution: paused ? current.next_execution : nextExecution(current, now) };
      await store.changeSchedule(tx, id, { paused: row.paused, modified_at: now, next_execution: row.next_execution });
      await this.arm(tx, row);
      await this.audit(tx, caller, stack, 'scheduled-deployment-updated', `${paused ? 'Paused' : 'Resumed'} ${label(row, ref)}`);
    });
  }

  /** Each firing with the status of the deployment it queued, or why it queued none (`skipped`). */
  async history(caller: Caller, ref: StackRef, id: string) {
    const stack = await requireStack(this.deps.db, caller, ref, 'read');
    const schedule = await this.find(this.deps.db, stack, ref, id);
    const events = (await store.listHistory(this.deps.db, schedule.id)).map((row) => ({
      id: row.id,
      scheduledActionID: row.schedule_id,
      executed: sqlTime(row.executed),
      version: row.version,
      result: row.deployment_status ?? row.result,
    }));
    // `scheduleHistoryEvents` is what Pulumi's spec and SDK read; its REST docs show `scheduledDeploymentsHistory`.
    return { scheduleHistoryEvents: events, scheduledDeploymentsHistory: events };
  }

  /**
   * The job: fires the schedule if it is still due at `due` (not changed, paused, deleted or fired
   * since). What cannot be queued now (no source, a pool gone, its author gone) is recorded as a
   * skipped firing rather than retried, and the schedule moves on.
   */
  async fire(scheduleId: string, due: number): Promise<void> {
    try {
      await transaction(this.deps.db, (tx) => this.fireOnce(tx, scheduleId, due, true));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      await transaction(this.deps.db, (tx) => this.fireOnce(tx, scheduleId, due, false));
    }
  }

  private async fireOnce(tx: Executor, scheduleId: string, due: number, queue: boolean): Promise<void> {
    const schedule = await store.findScheduleById(tx, scheduleId);
    if (!schedule || schedule.paused === 1 || schedule.next_execution !== due) return;
    const stack = await findStackById(tx, schedule.stack_id);
    if (!stack) return;
    const now = this.deps.clock.now();
    // From now, not from `due`: a server that was down fires a missed schedule once, not once per missed time.
    const next = schedule.schedule_cron === null ? null : cronNext(schedule.schedule_cron, now);
    if (!(await store.takeFiring(tx, schedule.id, due, next, now))) return;
    let deploymentId: string | null = null;
    if (queue) {
      const user = await findUserById(tx, schedule.created_by_user_id);
      if (!user) throw new ApiError('bad_request', `the author of schedule ${schedule.id} no longer exists`);
      const prepared = await this.deps.deployments.prepare(tx, stack, JSON.parse(schedule.request) as JsonObject);
      deploymentId = (await this.deps.deployments.queue(tx, { stack, ...prepared, initiator: scheduleInitiator, requestedBy: { user, sourceIp: '' } })).id;
    }
    await store.insertHistory(tx, {
      id: this.deps.ids.next(),
      schedule_id: schedule.id,
      executed: now,
      version: schedule.version,
      result: deploymentId === null ? 'skipped' : 'not-started',
      deployment_id: deploymentId,
    });
    // A TTL schedule is gone once it fired (Pulumi's spec, DeleteScheduledDeployment); a raw one-time one stays, with no next execution.
    if (kindOf(schedule) === 'ttl') await store.deleteSchedule(tx, stack.id, schedule.id);
    else await this.arm(tx, { ...schedule, next_execution: next });
  }

  private async find(db: Executor, stack: StackRecord, ref: StackRef, id: string): Promise<store.ScheduleRow> {
    const schedule = await store.findSchedule(db, stack.id, id);
    if (!schedule) throw new ApiError('not_found', `schedule '${id}' of stack '${ref.project}/${ref.stack}' not found`);
    return schedule;
  }

  /** The request checked as `POST …/deployments` checks it, on a stack with settings; returned with its secrets sealed. */
  private async checkRequest(tx: Executor, stack: StackRecord, ref: StackRef, request: JsonObject): Promise<JsonObject> {
    if (!(await findSettings(tx, stack.id))) throw new ApiError('bad_request', `stack '${ref.project}/${ref.stack}' does not have deployment settings configured`);
    await this.deps.deployments.prepare(tx, stack, request);
    return sealSecrets(normalizeSettings(request), this.deps.secrets, stack.organization_id) as JsonObject;
  }

  /** Enqueues the firing at the schedule's next execution, when it has one and is not paused. */
  private async arm(tx: Executor, row: store.ScheduleRow): Promise<void> {
    if (row.paused === 1 || row.next_execution === null) return;
    await enqueueJob(tx, this.deps.clock, fireDeploymentSchedule, { scheduleId: row.id, due: row.next_execution }, row.next_execution);
    afterCommit(tx, () => this.deps.jobs.wake());
  }

  private audit(tx: Executor, caller: Caller, stack: StackRecord, event: AuditEntry['event'], description: string): Promise<void> {
    return recordAudit(tx, this.deps.clock, caller, { organizationId: stack.organization_id, event, description });
  }
}

/** `ScheduledAction`, times in the SQL style Pulumi's clients parse (`2026-05-13 10:51:00.000`, UTC). */
function view(row: store.ScheduleRow) {
  const time = (ms: number | null) => (ms === null ? null : sqlTime(ms));
  return {
    id: row.id,
    orgID: row.organization_id,
    ...(row.schedule_cron !== null && { scheduleCron: row.schedule_cron }),
    ...(row.schedule_once !== null && { scheduleOnce: sqlTime(row.schedule_once) }),
    nextExecution: time(row.next_execution),
    paused: row.paused === 1,
    kind: 'deployment',
    definition: { programID: row.stack_id, request: JSON.parse(row.request) as JsonObject },
    created: sqlTime(row.created_at),
    modified: sqlTime(row.modified_at),
    lastExecuted: time(row.last_executed),
  };
}

/** `raw schedule <id> of stack "project/stack"`, for audit events. */
const label = (row: store.ScheduleRow, ref: StackRef) => `${kindOf(row)} schedule ${row.id} of stack "${ref.project}/${ref.stack}"`;

/** As Pulumi's CLI classifies schedules "matching the Cloud UI": by the operation and its options. */
function kindOf(row: Pick<store.ScheduleRow, 'schedule_once' | 'request'>): ScheduleKind {
  const request = JSON.parse(row.request) as JsonObject;
  if (request.operation === 'detect-drift') return 'drift';
  if (request.operation === 'destroy' && row.schedule_once !== null && isObject(request.operationContext)) return 'ttl';
  return 'raw';
}

/** A cron schedule's next time after `now`; a one-time schedule's time until it has fired at it. */
function nextExecution(row: Pick<store.ScheduleRow, 'schedule_cron' | 'schedule_once' | 'last_executed'>, now: number): number | null {
  if (row.schedule_cron !== null) return cronNext(row.schedule_cron, now);
  return row.last_executed !== null && row.schedule_once! <= row.last_executed ? null : row.schedule_once;
}

function cronNext(expression: string, now: number): number | null {
  return new Cron(expression, { timezone: 'UTC' }).nextRun(new Date(now))?.getTime() ?? null;
}

/** A field that is set: the CLI and the SDK send `null` or `""` for the one they leave out. */
const given = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The three bodies, checked (400s naming the field) and turned into when and what. */
function timingOf(kind: ScheduleKind, body: JsonObject, now: number): Timing {
  if (kind === 'drift') {
    if (!given(body.scheduleCron)) throw new ApiError('bad_request', 'scheduleCron is required: when to detect drift, as a cron expression');
    const options = { remediateIfDriftDetected: body.autoRemediate === true };
    return { cron: checkCron(body.scheduleCron, now), once: null, request: { operation: 'detect-drift', inheritSettings: true, operationContext: { options } } };
  }
  if (kind === 'ttl') {
    if (!given(body.timestamp)) throw new ApiError('bad_request', 'timestamp needs to be set: when to destroy the stack, as an RFC 3339 time');
    const once = parseTime('timestamp', body.timestamp);
    if (once <= now) throw new ApiError('bad_request', `timestamp '${body.timestamp}' must be in the future`);
    // operationContext.options always, even all false: it is how clients tell a TTL schedule.
    const options = { deleteAfterDestroy: body.deleteAfterDestroy === true };
    return { cron: null, once, request: { operation: 'destroy', inheritSettings: true, operationContext: { options } } };
  }
  const cron = given(body.scheduleCron), once = given(body.scheduleOnce);
  if (cron === once) throw new ApiError('bad_request', `exactly one of scheduleCron and scheduleOnce must be set${cron ? ', not both' : ''}`);
  if (!isObject(body.request)) throw new ApiError('bad_request', 'request is required: the create-deployment request to run at each firing');
  return {
    cron: cron ? checkCron(body.scheduleCron as string, now) : null,
    once: once ? parseTime('scheduleOnce', body.scheduleOnce as string) : null,
    request: body.request,
  };
}

/** Five fields (MIN HOUR DOM MON DOW) evaluated in UTC, as Pulumi's spec has it, that fire at some time. */
function checkCron(expression: string, now: number): string {
  const trimmed = expression.trim();
  const invalid = (why: string) => new ApiError('bad_request', `scheduleCron '${expression}' is not a 5-field cron expression (MIN HOUR DOM MON DOW): ${why}`);
  if (trimmed.split(/\s+/).length !== 5) throw invalid(`it has ${trimmed === '' ? 0 : trimmed.split(/\s+/).length} fields`);
  let next: number | null;
  try {
    next = cronNext(trimmed, now);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (next === null) throw new ApiError('bad_request', `scheduleCron '${expression}' never fires`);
  return trimmed;
}

const rfc3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d{1,9})?([Zz]|[+-]\d\d:\d\d)$/;

/** An RFC 3339 time with its zone (`2026-12-31T23:59:00Z`, Go's with nanoseconds and an offset) in unix milliseconds. */
function parseTime(field: string, value: string): number {
  const match = rfc3339.exec(value);
  const [year, month, day, hour, minute, second] = (match?.slice(1, 7) ?? []).map(Number);
  // Date.parse takes 2026-02-31 for 2026-03-03; the day must exist in its month.
  const date = match ? new Date(Date.UTC(year!, month! - 1, day!)) : undefined;
  const ms = match ? Date.parse(value.replace(' ', 'T')) : NaN;
  if (!date || date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day || hour! > 23 || minute! > 59 || second! > 59 || !Number.isFinite(ms)) {
    throw new ApiError('bad_request', `${field} '${value}' is not an RFC 3339 time with a zone, such as 2026-12-31T23:59:00Z`);
  }
  return ms;
}
