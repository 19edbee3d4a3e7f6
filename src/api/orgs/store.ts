import type { Executor } from '../../db/executor.js';
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

/** The user's organizations, oldest membership first (the first is the default). */
export async function listMemberships(
  db: Executor,
  userId: string,
): Promise<Array<OrganizationRow & { role: OrganizationRole }>> {
  return db
    .selectFrom('organization_members as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .select(['o.id', 'o.name', 'o.display_name', 'o.created_at', 'o.default_stack_permission', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('m.created_at')
    .orderBy('o.name')
    .execute();
}

export async function findOrganizationById(db: Executor, id: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}
