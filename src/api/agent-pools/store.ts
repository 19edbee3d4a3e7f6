import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { AgentPoolRunnersTable, AgentPoolsTable } from '../../db/schema.js';

export type PoolRow = Selectable<AgentPoolsTable>;
export type RunnerRow = Selectable<AgentPoolRunnersTable>;

/** The runners of the server's default pool are kept under this key. */
export const defaultPoolKey = '';

export async function insertPool(db: Executor, row: Insertable<AgentPoolsTable>): Promise<void> {
  await db.insertInto('agent_pools').values(row).execute();
}

export async function listPools(db: Executor, organizationId: string): Promise<PoolRow[]> {
  return db.selectFrom('agent_pools').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute();
}

export async function findPool(db: Executor, organizationId: string, id: string): Promise<PoolRow | undefined> {
  return db.selectFrom('agent_pools').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export async function findPoolByTokenHash(db: Executor, tokenHash: string): Promise<PoolRow | undefined> {
  return db.selectFrom('agent_pools').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function changePool(db: Executor, id: string, change: Updateable<AgentPoolsTable>): Promise<void> {
  await db.updateTable('agent_pools').set(change).where('id', '=', id).execute();
}

export async function deletePool(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('agent_pool_runners').where('pool_key', '=', id).execute();
  await db.deleteFrom('agent_pools').where('id', '=', id).execute();
}

/** How many stacks' deployment settings name the pool. */
export async function stacksUsingPool(db: Executor, poolId: string): Promise<number> {
  const row = await db.selectFrom('deployment_settings').select((eb) => eb.fn.countAll().as('n')).where('agent_pool_id', '=', poolId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A forced delete: stacks that named the pool fall back to the default pool, and so do their queued deployments. */
export async function releasePool(db: Executor, poolId: string): Promise<void> {
  await db.updateTable('deployment_settings').set({ agent_pool_id: null }).where('agent_pool_id', '=', poolId).execute();
  await db.updateTable('deployments').set({ agent_pool_id: null }).where('agent_pool_id', '=', poolId).where('status', '=', 'not-started').execute();
}

export async function recordRunner(db: Executor, row: AgentPoolRunnersTable): Promise<void> {
  const { pool_key: _, runner_id: __, ...change } = row;
  await db
    .insertInto('agent_pool_runners')
    .values(row)
    .onConflict((oc) => oc.columns(['pool_key', 'runner_id']).doUpdateSet(change))
    .execute();
}

export async function listRunners(db: Executor, poolKey: string, seenSince: number): Promise<RunnerRow[]> {
  return db.selectFrom('agent_pool_runners').selectAll().where('pool_key', '=', poolKey).where('last_seen', '>=', seenSince).orderBy('last_seen', 'desc').execute();
}

/** The newest poll of any runner of each pool. */
export async function lastSeen(db: Executor, poolKeys: string[]): Promise<Map<string, number>> {
  if (poolKeys.length === 0) return new Map();
  const rows = await db
    .selectFrom('agent_pool_runners')
    .select(['pool_key', (eb) => eb.fn.max('last_seen').as('t')])
    .where('pool_key', 'in', poolKeys)
    .groupBy('pool_key')
    .execute();
  return new Map(rows.map((r) => [r.pool_key, Number(r.t)]));
}
