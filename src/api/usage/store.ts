import type { Executor } from '../../db/executor.js';
import type { ResourceCountHistoryTable } from '../../db/schema.js';

export type NewResourceCount = Omit<ResourceCountHistoryTable, 'id'>;

/** A stack's count from a moment on, as the summary replays them. */
export interface ResourceCountChange {
  stack_id: string;
  at: number;
  resource_count: number;
}

export async function insertResourceCount(db: Executor, row: NewResourceCount): Promise<void> {
  await db.insertInto('resource_count_history').values(row).execute();
}

/** The newest count recorded for a stack, and the organization it was recorded in. */
export async function lastResourceCount(db: Executor, stackId: string): Promise<{ organization_id: string; resource_count: number } | undefined> {
  return db
    .selectFrom('resource_count_history')
    .select(['organization_id', 'resource_count'])
    .where('stack_id', '=', stackId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** When the organization's first count was recorded; undefined when none ever was. */
export async function firstResourceCountAt(db: Executor, organizationId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('resource_count_history')
    .select('at')
    .where('organization_id', '=', organizationId)
    .orderBy('at')
    .limit(1)
    .executeTakeFirst();
  return row?.at;
}

/** Each stack's newest count in the organization recorded before `beforeMs`. */
export async function resourceCountsBefore(db: Executor, organizationId: string, beforeMs: number): Promise<Array<{ stack_id: string; resource_count: number }>> {
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom('resource_count_history')
        .select((s) => [
          'stack_id',
          'resource_count',
          s.fn
            .agg<number>('row_number')
            .over((over) => over.partitionBy('stack_id').orderBy('at', 'desc').orderBy('id', 'desc'))
            .as('recency'),
        ])
        .where('organization_id', '=', organizationId)
        .where('at', '<', beforeMs)
        .as('counts'),
    )
    .select(['stack_id', 'resource_count'])
    .where('recency', '=', 1)
    .execute();
}

/** The organization's counts recorded in [fromMs, untilMs), in the order they happened. */
export async function resourceCountChanges(db: Executor, organizationId: string, fromMs: number, untilMs: number): Promise<ResourceCountChange[]> {
  return db
    .selectFrom('resource_count_history')
    .select(['stack_id', 'at', 'resource_count'])
    .where('organization_id', '=', organizationId)
    .where('at', '>=', fromMs)
    .where('at', '<', untilMs)
    .orderBy('at')
    .orderBy('id')
    .execute();
}
