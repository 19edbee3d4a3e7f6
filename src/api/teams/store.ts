import type { Executor } from '../../db/executor.js';
import type { TeamEnvironmentPermissionsTable, TeamMembersTable, TeamRole, TeamStackPermissionsTable, TeamsTable } from '../../db/schema.js';

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

export type TeamStackPermissionRow = TeamStackPermissionsTable;

export async function listTeams(db: Executor, organizationId: string): Promise<TeamRow[]> {
  return db.selectFrom('teams').selectAll().where('organization_id', '=', organizationId).orderBy('name').execute();
}

export async function insertTeam(db: Executor, team: TeamRow): Promise<void> {
  await db.insertInto('teams').values(team).execute();
}

export async function updateTeam(db: Executor, id: string, changes: Partial<Pick<TeamRow, 'display_name' | 'description'>>): Promise<void> {
  await db.updateTable('teams').set(changes).where('id', '=', id).execute();
}

/** Deletes the team with its members and stack grants; its tokens must be detached first (revokeTeamTokens). */
export async function deleteTeam(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', id).execute();
  await db.deleteFrom('team_stack_permissions').where('team_id', '=', id).execute();
  await db.deleteFrom('team_environment_permissions').where('team_id', '=', id).execute();
  await db.deleteFrom('teams').where('id', '=', id).execute();
}

/**
 * Revokes every token of the team and detaches it, so the rows outlive the team: a revoked
 * token's name stays taken in its organization.
 */
export async function revokeTeamTokens(db: Executor, teamId: string, revokedAt: number): Promise<void> {
  await db.updateTable('access_tokens').set({ revoked_at: revokedAt }).where('team_id', '=', teamId).where('revoked_at', 'is', null).execute();
  await db.updateTable('access_tokens').set({ team_id: null }).where('team_id', '=', teamId).execute();
}

/** The user's role in each team of the organization they belong to, by team id. */
export async function teamRolesOfUser(db: Executor, userId: string, organizationId: string): Promise<Map<string, TeamRole>> {
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select(['t.id', 'm.role'])
    .where('m.user_id', '=', userId)
    .where('t.organization_id', '=', organizationId)
    .execute();
  return new Map(rows.map((r) => [r.id, r.role]));
}

/** Names of the organization's teams each of these users belongs to, in name order, by user id. */
export async function teamNamesOfUsers(db: Executor, organizationId: string, userIds: string[]): Promise<Map<string, string[]>> {
  const names = new Map<string, string[]>();
  if (userIds.length === 0) return names;
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select(['m.user_id', 't.name'])
    .where('t.organization_id', '=', organizationId)
    .where('m.user_id', 'in', userIds)
    .orderBy('t.name')
    .execute();
  for (const row of rows) names.set(row.user_id, [...(names.get(row.user_id) ?? []), row.name]);
  return names;
}

export async function findTeamMember(db: Executor, teamId: string, userId: string): Promise<TeamMemberRow | undefined> {
  return db.selectFrom('team_members').selectAll().where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
}

export async function insertTeamMember(db: Executor, member: TeamMemberRow): Promise<void> {
  await db.insertInto('team_members').values(member).execute();
}

export async function updateTeamMemberRole(db: Executor, teamId: string, userId: string, role: TeamRole): Promise<void> {
  await db.updateTable('team_members').set({ role }).where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

export async function deleteTeamMember(db: Executor, teamId: string, userId: string): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

/** Takes the user out of every team of the organization. */
export async function deleteTeamMembershipsInOrganization(db: Executor, organizationId: string, userId: string): Promise<void> {
  await db
    .deleteFrom('team_members')
    .where('user_id', '=', userId)
    .where('team_id', 'in', (eb) => eb.selectFrom('teams').select('id').where('organization_id', '=', organizationId))
    .execute();
}

/** The team's members with their user fields, in login order. */
export async function listTeamMembers(
  db: Executor,
  teamId: string,
): Promise<Array<{ login: string; name: string; avatar_url: string; role: TeamRole }>> {
  return db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.login', 'u.name', 'u.avatar_url', 'm.role'])
    .where('m.team_id', '=', teamId)
    .orderBy('u.login')
    .execute();
}

/** The team's stack grants, in project and stack order. */
export async function listTeamStackPermissions(
  db: Executor,
  teamId: string,
): Promise<Array<{ project_name: string; stack_name: string; permission: number }>> {
  return db
    .selectFrom('team_stack_permissions as g')
    .innerJoin('stacks as s', 's.id', 'g.stack_id')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .select(['p.name as project_name', 's.name as stack_name', 'g.permission'])
    .where('g.team_id', '=', teamId)
    .orderBy('p.name')
    .orderBy('s.name')
    .execute();
}

export async function findTeamStackPermission(db: Executor, teamId: string, stackId: string): Promise<TeamStackPermissionRow | undefined> {
  return db
    .selectFrom('team_stack_permissions')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('stack_id', '=', stackId)
    .executeTakeFirst();
}

export async function deleteTeamStackPermission(db: Executor, teamId: string, stackId: string): Promise<void> {
  await db.deleteFrom('team_stack_permissions').where('team_id', '=', teamId).where('stack_id', '=', stackId).execute();
}

export type TeamEnvironmentPermissionRow = TeamEnvironmentPermissionsTable;

export async function findTeamEnvironmentPermission(db: Executor, teamId: string, environmentId: string): Promise<TeamEnvironmentPermissionRow | undefined> {
  return db
    .selectFrom('team_environment_permissions')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('environment_id', '=', environmentId)
    .executeTakeFirst();
}

export async function upsertTeamEnvironmentPermission(db: Executor, row: TeamEnvironmentPermissionRow): Promise<void> {
  await db
    .insertInto('team_environment_permissions')
    .values(row)
    .onConflict((oc) => oc.columns(['team_id', 'environment_id']).doUpdateSet({ permission: row.permission, max_open_duration: row.max_open_duration }))
    .execute();
}

export async function deleteTeamEnvironmentPermission(db: Executor, teamId: string, environmentId: string): Promise<void> {
  await db.deleteFrom('team_environment_permissions').where('team_id', '=', teamId).where('environment_id', '=', environmentId).execute();
}

export async function listTeamEnvironmentPermissions(db: Executor, teamId: string) {
  return db
    .selectFrom('team_environment_permissions as g')
    .innerJoin('environments as e', 'e.id', 'g.environment_id')
    .select(['e.project as project', 'e.name as name', 'g.permission as permission', 'g.max_open_duration as max_open_duration'])
    .where('g.team_id', '=', teamId)
    .orderBy('e.project')
    .orderBy('e.name')
    .execute();
}

/** The best grant any of the teams holds on the environment, and the shortest open limit among those grants. */
export async function bestTeamEnvironmentPermission(db: Executor, teamIds: string[], environmentId: string): Promise<TeamEnvironmentPermissionRow | undefined> {
  if (teamIds.length === 0) return undefined;
  return db
    .selectFrom('team_environment_permissions')
    .selectAll()
    .where('team_id', 'in', teamIds)
    .where('environment_id', '=', environmentId)
    .orderBy('permission', 'desc')
    .executeTakeFirst();
}
