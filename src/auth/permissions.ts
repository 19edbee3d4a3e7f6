import { findMembership, findOrganizationByName, type OrganizationRow } from '../api/orgs/store.js';
import type { Executor } from '../db/executor.js';
import type { OrganizationRole } from '../db/schema.js';
import { ApiError } from '../errors.js';
import type { Caller } from './caller.js';

const rank: Record<OrganizationRole, number> = { member: 1, admin: 2 };

/**
 * The organization, if the caller holds at least `role` in it. Non-members get the same 404 as
 * a missing organization, so names of other organizations do not leak.
 */
export async function requireOrganizationRole(
  db: Executor,
  caller: Caller,
  organizationName: string,
  role: OrganizationRole,
): Promise<OrganizationRow> {
  const org = await findOrganizationByName(db, organizationName);
  const membership = org && (await findMembership(db, org.id, caller.user.id));
  if (!org || !membership) {
    throw new ApiError('not_found', `organization '${organizationName}' not found`);
  }
  if (rank[membership.role] < rank[role]) {
    throw new ApiError('forbidden', `this operation needs the '${role}' role in organization '${organizationName}'`);
  }
  return org;
}
