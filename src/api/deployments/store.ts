import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { StackVisibility } from '../../auth/permissions.js';
import type { DialectInfo } from '../../db/dialect.js';
import type { Executor } from '../../db/executor.js';
import type { DeploymentsTable, DeploymentSettingsTable, DeploymentStatus, DeploymentStepsTable } from '../../db/schema.js';
import { readableStack, stacksWithOwners } from '../stacks/store.js';

export type DeploymentRow = Selectable<DeploymentsTable>;
export type SettingsRow = Selectable<DeploymentSettingsTable>;
export type StepRow = Selectable<DeploymentStepsTable>;

/** Statuses of a deployment that holds its stack: at most one per stack. */
export const activeStatuses: DeploymentStatus[] = ['accepted', 'running'];
export const finishedStatuses: DeploymentStatus[] = ['failed', 'succeeded', 'skipped'];

// Settings and pauses.

export async function findSettings(db: Executor, stackId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('deployment_settings').selectAll().where('stack_id', '=', stackId).executeTakeFirst();
}

export async function upsertSettings(db: Executor, row: Insertable<DeploymentSettingsTable>): Promise<void> {
  const { stack_id: _, paused: __, ...change } = row;
  await db
    .insertInto('deployment_settings')
    .values(row)
    .onConflict((oc) => oc.column('stack_id').doUpdateSet(change))
    .execute();
}

export async function deleteSettings(db: Executor, stackId: string): Promise<boolean> {
  const result = await db.deleteFrom('deployment_settings').where('stack_id', '=', stackId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function setStackPaused(db: Executor, stackId: string, paused: boolean): Promise<void> {
  await db.updateTable('deployment_settings').set({ paused: paused ? 1 : 0 }).where('stack_id', '=', stackId).execute();
}

export async function organizationPaused(db: Executor, organizationId: string): Promise<boolean> {
  return (await db.selectFrom('organization_deployment_pauses').select('organization_id').where('organization_id', '=', organizationId).executeTakeFirst()) !== undefined;
}

export async function setOrganizationPaused(db: Executor, organizationId: string, paused: boolean, now: number): Promise<void> {
  if (paused) {
    await db.insertInto('organization_deployment_pauses').values({ organization_id: organizationId, paused_at: now }).onConflict((oc) => oc.column('organization_id').doNothing()).execute();
  } else {
    await db.deleteFrom('organization_deployment_pauses').where('organization_id', '=', organizationId).execute();
  }
}

/** `project/stack` of the organization's stacks whose deployments are paused. */
export async function pausedStacks(db: Executor, organizationId: string): Promise<string[]> {
  const rows = await stacksWithOwners(db)
    .innerJoin('deployment_settings as ds', 'ds.stack_id', 's.id')
    .select(['p.name as project', 's.name as stack'])
    .where('o.id', '=', organizationId)
    .where('ds.paused', '=', 1)
    .orderBy('p.name')
    .orderBy('s.name')
    .execute();
  return rows.map((r) => `${r.project}/${r.stack}`);
}

// Deployments.

/** Holds the stack row until the transaction ends, so concurrent claims and numberings of one stack wait for each other. */
export async function lockStack(db: Executor, dialect: DialectInfo, stackId: string): Promise<void> {
  let query = db.selectFrom('stacks').select('id').where('id', '=', stackId);
  if (dialect.skipLocked) query = query.forUpdate();
  await query.execute();
}

export async function nextDeploymentVersion(db: Executor, stackId: string): Promise<number> {
  const row = await db.selectFrom('deployments').select((eb) => eb.fn.max('version').as('v')).where('stack_id', '=', stackId).executeTakeFirst();
  return Number(row?.v ?? 0) + 1;
}

export async function insertDeployment(db: Executor, row: Insertable<DeploymentsTable>): Promise<void> {
  await db.insertInto('deployments').values(row).execute();
}

export async function findDeployment(db: Executor, id: string): Promise<DeploymentRow | undefined> {
  return db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findStackDeployment(db: Executor, stackId: string, by: { id: string } | { version: number }): Promise<DeploymentRow | undefined> {
  let query = db.selectFrom('deployments').selectAll().where('stack_id', '=', stackId);
  query = 'id' in by ? query.where('id', '=', by.id) : query.where('version', '=', by.version);
  return query.executeTakeFirst();
}

/**
 * Changes a deployment if it is still in one of `from` (when given): the number of rows changed
 * says whether it was, so two writers never both move it.
 */
export async function changeDeployment(db: Executor, id: string, change: Updateable<DeploymentsTable>, from?: DeploymentStatus[]): Promise<boolean> {
  let query = db.updateTable('deployments').set(change).where('id', '=', id);
  if (from) query = query.where('status', 'in', from);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface DeploymentListFilter {
  stackId?: string;
  organizationId?: string;
  visibility?: StackVisibility;
  status?: DeploymentStatus;
  page: number;
  pageSize: number;
  asc: boolean;
}

export type DeploymentListRow = DeploymentRow & { project_name: string; stack_name: string };

export async function listDeployments(db: Executor, filter: DeploymentListFilter): Promise<{ rows: DeploymentListRow[]; total: number }> {
  let query = stacksWithOwners(db).innerJoin('deployments as d', 'd.stack_id', 's.id');
  if (filter.stackId !== undefined) query = query.where('d.stack_id', '=', filter.stackId);
  if (filter.organizationId !== undefined) query = query.where('d.organization_id', '=', filter.organizationId);
  if (filter.visibility) query = query.where(readableStack(filter.visibility));
  if (filter.status !== undefined) query = query.where('d.status', '=', filter.status);
  const counted = await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const direction = filter.asc ? 'asc' : 'desc';
  const rows = await query
    .selectAll('d')
    .select(['p.name as project_name', 's.name as stack_name'])
    .orderBy('d.created_at', direction)
    .orderBy('d.version', direction)
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize)
    .execute();
  return { rows: rows as DeploymentListRow[], total: Number(counted?.n ?? 0) };
}

export async function countByStatus(db: Executor, organizationId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('deployments')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .where('organization_id', '=', organizationId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * Takes the oldest queued deployment of a pool (`null`: the default pool) that may start now: no
 * other deployment of its stack holds it, and neither its stack nor its organization is paused.
 */
export async function claimCandidate(db: Executor, dialect: DialectInfo, poolId: string | null): Promise<DeploymentRow | undefined> {
  let query = db
    .selectFrom('deployments as d')
    .selectAll('d')
    .where('d.status', '=', 'not-started')
    .where(poolId === null ? sql<boolean>`d.agent_pool_id IS NULL` : sql<boolean>`d.agent_pool_id = ${poolId}`)
    .where(sql<boolean>`NOT EXISTS (SELECT 1 FROM deployments r WHERE r.stack_id = d.stack_id AND r.status IN ('accepted', 'running'))`)
    .where(sql<boolean>`NOT EXISTS (SELECT 1 FROM deployment_settings ds WHERE ds.stack_id = d.stack_id AND ds.paused = 1)`)
    .where(sql<boolean>`NOT EXISTS (SELECT 1 FROM organization_deployment_pauses op WHERE op.organization_id = d.organization_id)`)
    // Version orders a stack's deployments queued within one millisecond.
    .orderBy('d.created_at')
    .orderBy('d.version')
    .orderBy('d.id')
    .limit(1);
  if (dialect.skipLocked) query = query.forUpdate().skipLocked();
  return query.executeTakeFirst();
}

export async function stackHasActiveDeployment(db: Executor, stackId: string, except: string): Promise<boolean> {
  const row = await db
    .selectFrom('deployments')
    .select('id')
    .where('stack_id', '=', stackId)
    .where('status', 'in', activeStatuses)
    .where('id', '!=', except)
    .executeTakeFirst();
  return row !== undefined;
}

/** Queued deployments of the stack and operation older than `newest`: superseded when intermediate ones are skipped. */
export async function skipIntermediate(db: Executor, stackId: string, operation: string, now: number): Promise<void> {
  const newest = await db
    .selectFrom('deployments')
    .select('id')
    .where('stack_id', '=', stackId)
    .where('operation', '=', operation)
    .where('status', '=', 'not-started')
    .orderBy('created_at', 'desc')
    .orderBy('version', 'desc')
    .executeTakeFirst();
  if (!newest) return;
  await db
    .updateTable('deployments')
    .set({ status: 'skipped', modified_at: now, finished_at: now, message: 'skipped: a newer deployment of the same operation is queued' })
    .where('stack_id', '=', stackId)
    .where('operation', '=', operation)
    .where('status', '=', 'not-started')
    .where('id', '!=', newest.id)
    .execute();
}

// Steps, logs and updates.

export async function insertSteps(db: Executor, rows: Insertable<DeploymentStepsTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('deployment_steps').values(rows).execute();
}

export async function listSteps(db: Executor, deploymentIds: string[]): Promise<StepRow[]> {
  if (deploymentIds.length === 0) return [];
  return db.selectFrom('deployment_steps').selectAll().where('deployment_id', 'in', deploymentIds).orderBy('deployment_id').orderBy('idx').execute();
}

export async function changeStep(db: Executor, deploymentId: string, idx: number, change: Updateable<DeploymentStepsTable>): Promise<boolean> {
  const result = await db.updateTable('deployment_steps').set(change).where('deployment_id', '=', deploymentId).where('idx', '=', idx).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Steps still going when the deployment ends end with it. */
export async function endOpenSteps(db: Executor, deploymentId: string, status: 'failed' | 'succeeded', now: number): Promise<void> {
  await db.updateTable('deployment_steps').set({ status, updated_at: now }).where('deployment_id', '=', deploymentId).where('status', '=', 'running').execute();
}

export async function appendLogs(db: Executor, deploymentId: string, step: number, lines: Array<{ at: number; line: string }>): Promise<void> {
  if (lines.length === 0) return;
  await db
    .insertInto('deployment_logs')
    .values(lines.map((l) => ({ deployment_id: deploymentId, step, at: l.at, line: l.line })))
    .execute();
}

export interface LogRow {
  id: number;
  step: number;
  at: number;
  line: string;
}

/** Lines after the one with id `afterId`, in order of arrival. */
export async function logsAfter(db: Executor, deploymentId: string, afterId: number, limit: number): Promise<LogRow[]> {
  const rows = await db
    .selectFrom('deployment_logs')
    .select(['id', 'step', 'at', 'line'])
    .where('deployment_id', '=', deploymentId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), step: Number(r.step), at: Number(r.at) }));
}

export async function stepLogs(db: Executor, deploymentId: string, step: number, offset: number, count: number): Promise<LogRow[]> {
  const rows = await db
    .selectFrom('deployment_logs')
    .select(['id', 'step', 'at', 'line'])
    .where('deployment_id', '=', deploymentId)
    .where('step', '=', step)
    .orderBy('id')
    .limit(count)
    .offset(offset)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), step: Number(r.step), at: Number(r.at) }));
}

export async function linkUpdate(db: Executor, deploymentId: string, updateId: string): Promise<void> {
  await db.insertInto('deployment_updates').values({ deployment_id: deploymentId, update_id: updateId }).onConflict((oc) => oc.doNothing()).execute();
}

export async function deploymentUpdates(db: Executor, deploymentIds: string[]) {
  if (deploymentIds.length === 0) return [];
  return db
    .selectFrom('deployment_updates as du')
    .innerJoin('updates as u', 'u.id', 'du.update_id')
    .innerJoin('users as a', 'a.id', 'u.author_user_id')
    .selectAll('u')
    .select(['du.deployment_id', 'a.login as author_login', 'a.name as author_name', 'a.avatar_url as author_avatar_url'])
    .where('du.deployment_id', 'in', deploymentIds)
    .orderBy('u.created_at')
    .execute();
}

export async function latestVersions(db: Executor, stackIds: string[]): Promise<Map<string, number>> {
  if (stackIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('deployments')
    .select(['stack_id', (eb) => eb.fn.max('version').as('v')])
    .where('stack_id', 'in', stackIds)
    .groupBy('stack_id')
    .execute();
  return new Map(rows.map((r) => [r.stack_id, Number(r.v)]));
}

export async function hasSchedules(db: Executor, stackId: string): Promise<boolean> {
  return (await db.selectFrom('deployment_schedules').select('id').where('stack_id', '=', stackId).executeTakeFirst()) !== undefined;
}
