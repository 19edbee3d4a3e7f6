import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { DeploymentScheduleHistoryTable, DeploymentSchedulesTable } from '../../db/schema.js';

export type ScheduleRow = Selectable<DeploymentSchedulesTable>;

export async function insertSchedule(db: Executor, row: Insertable<DeploymentSchedulesTable>): Promise<void> {
  await db.insertInto('deployment_schedules').values(row).execute();
}

export async function findSchedule(db: Executor, stackId: string, id: string): Promise<ScheduleRow | undefined> {
  return db.selectFrom('deployment_schedules').selectAll().where('stack_id', '=', stackId).where('id', '=', id).executeTakeFirst();
}

export async function findScheduleById(db: Executor, id: string): Promise<ScheduleRow | undefined> {
  return db.selectFrom('deployment_schedules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listSchedules(db: Executor, stackId: string): Promise<ScheduleRow[]> {
  return db.selectFrom('deployment_schedules').selectAll().where('stack_id', '=', stackId).orderBy('created_at').orderBy('id').execute();
}

export async function changeSchedule(db: Executor, id: string, change: Updateable<DeploymentSchedulesTable>): Promise<void> {
  await db.updateTable('deployment_schedules').set(change).where('id', '=', id).execute();
}

export async function deleteSchedule(db: Executor, stackId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('deployment_schedules').where('stack_id', '=', stackId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Takes the firing due at `due`: moves the schedule on to `next` if it is still due then and not
 * paused. Only one of any number of processes trying at once changes the row, and so fires.
 */
export async function takeFiring(db: Executor, id: string, due: number, next: number | null, now: number): Promise<boolean> {
  const result = await db
    .updateTable('deployment_schedules')
    .set({ next_execution: next, last_executed: now })
    .where('id', '=', id)
    .where('next_execution', '=', due)
    .where('paused', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function insertHistory(db: Executor, row: Insertable<DeploymentScheduleHistoryTable>): Promise<void> {
  await db.insertInto('deployment_schedule_history').values(row).execute();
}

/**
 * A schedule's firings in the order they happened ("a chronological list", Pulumi's spec), each
 * with the current status of the deployment it queued.
 */
export async function listHistory(db: Executor, scheduleId: string) {
  return db
    .selectFrom('deployment_schedule_history as h')
    .leftJoin('deployments as d', 'd.id', 'h.deployment_id')
    .select(['h.id', 'h.schedule_id', 'h.executed', 'h.version', 'h.result', 'd.status as deployment_status'])
    .where('h.schedule_id', '=', scheduleId)
    .orderBy('h.executed')
    .orderBy('h.id')
    .execute();
}
