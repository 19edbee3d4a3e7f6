import type { Executor } from '../../db/executor.js';
import { preparedQuery } from '../../db/prepared.js';
import type { OrganizationMembersTable, OrganizationRole, OrganizationsTable } from '../../db/schema.js';

export type OrganizationRow = OrganizationsTable;
export type MembershipRow = OrganizationMembersTable;

export async function insertOrganization(db: Executor, org: OrganizationRow): Promise<void> {
  await db.insertInto('organizations').values(org).execute();
}

export async function findOrganizationByName(db: Executor, name: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function upsertMembership(db: Executor, membership: MembershipRow): Promise<void> {
  await db
    .insertInto('organization_members')
    .values(membership)
    .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doUpdateSet({ role: membership.role }))
    .execute();
}

export async function findMembership(
  db: Executor,
  organizationId: string,
  userId: string,
): Promise<MembershipRow | undefined> {
  return db
    .selectFrom('organization_members')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

// Prepared: `GET /api/user`, which the CLI asks at the start of most commands, reads it.
const membershipsOfUser = preparedQuery((db: Executor, userId: string) =>
  db
    .selectFrom('organization_members as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .select(['o.id', 'o.name', 'o.display_name', 'o.created_at', 'o.default_stack_permission', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('m.created_at')
    .orderBy('o.name'),
);

/** The user's organizations, oldest membership first (the first is the default). */
export async function listMemberships(db: Executor, userId: string): Promise<Array<OrganizationRow & { role: OrganizationRole }>> {
  return membershipsOfUser(db, userId);
}

export async function findOrganizationById(db: Executor, id: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One member of an organization with the user fields a listing shows. */
export interface MemberRecord {
  user_id: string;
  login: string;
  name: string;
  email: string;
  avatar_url: string;
  role: OrganizationRole;
  created_at: number;
}

function memberRecords(db: Executor, organizationId: string) {
  return db
    .selectFrom('organization_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id as user_id', 'u.login', 'u.name', 'u.email', 'u.avatar_url', 'm.role', 'm.created_at'])
    .where('m.organization_id', '=', organizationId)
    // Organization and team tokens act as machine users; they are never members to list.
    .where('u.kind', '=', 'person');
}

/** Up to `limit` members in login order, after the login `after`. */
export async function listMembers(db: Executor, organizationId: string, after: string | undefined, limit: number): Promise<MemberRecord[]> {
  let query = memberRecords(db, organizationId);
  if (after !== undefined) query = query.where('u.login', '>', after);
  return query.orderBy('u.login').limit(limit).execute();
}

export async function findMember(db: Executor, organizationId: string, userId: string): Promise<MemberRecord | undefined> {
  return memberRecords(db, organizationId).where('u.id', '=', userId).executeTakeFirst();
}

export async function insertMembership(db: Executor, membership: MembershipRow): Promise<void> {
  await db.insertInto('organization_members').values(membership).execute();
}

export async function updateMembershipRole(db: Executor, organizationId: string, userId: string, role: OrganizationRole): Promise<void> {
  await db
    .updateTable('organization_members')
    .set({ role })
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteMembership(db: Executor, organizationId: string, userId: string): Promise<void> {
  await db.deleteFrom('organization_members').where('organization_id', '=', organizationId).where('user_id', '=', userId).execute();
}

export async function countAdmins(db: Executor, organizationId: string): Promise<number> {
  const row = await db
    .selectFrom('organization_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateDefaultStackPermission(db: Executor, organizationId: string, permission: number): Promise<void> {
  await db.updateTable('organizations').set({ default_stack_permission: permission }).where('id', '=', organizationId).execute();
}

/** How many people belong to the organization and how many stacks it holds. */
export async function organizationCounts(db: Executor, organizationId: string): Promise<{ members: number; stacks: number }> {
  const members = await memberRecords(db, organizationId)
    .clearSelect()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const stacks = await db
    .selectFrom('stacks as s')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('p.organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  return { members: Number(members.n), stacks: Number(stacks.n) };
}
