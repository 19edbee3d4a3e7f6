import type { Executor } from '../../db/executor.js';
import type { TeamMembersTable, TeamsTable } from '../../db/schema.js';

export type TeamRow = TeamsTable;
export type TeamMemberRow = TeamMembersTable;

export async function findTeamById(db: Executor, id: string): Promise<TeamRow | undefined> {
  return db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findTeamByName(db: Executor, organizationId: string, name: string): Promise<TeamRow | undefined> {
  return db.selectFrom('teams').selectAll().where('organization_id', '=', organizationId).where('name', '=', name).executeTakeFirst();
}

/** Ids of the organization's teams the user belongs to. */
export async function teamIdsOfUser(db: Executor, userId: string, organizationId?: string): Promise<string[]> {
  let query = db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select('t.id')
    .where('m.user_id', '=', userId);
  if (organizationId !== undefined) query = query.where('t.organization_id', '=', organizationId);
  return (await query.execute()).map((r) => r.id);
}

/** The highest permission any of these teams holds on the stack; 0 when none does. */
export async function bestTeamPermission(db: Executor, teamIds: string[], stackId: string): Promise<number> {
  if (teamIds.length === 0) return 0;
  const row = await db
    .selectFrom('team_stack_permissions')
    .select((eb) => eb.fn.max('permission').as('permission'))
    .where('stack_id', '=', stackId)
    .where('team_id', 'in', teamIds)
    .executeTakeFirst();
  return Number(row?.permission ?? 0);
}

export async function upsertTeamStackPermission(db: Executor, teamId: string, stackId: string, permission: number): Promise<void> {
  await db
    .insertInto('team_stack_permissions')
    .values({ team_id: teamId, stack_id: stackId, permission })
    .onConflict((oc) => oc.columns(['team_id', 'stack_id']).doUpdateSet({ permission }))
    .execute();
}

export async function deleteStackPermissionsOfStack(db: Executor, stackId: string): Promise<void> {
  await db.deleteFrom('team_stack_permissions').where('stack_id', '=', stackId).execute();
}
