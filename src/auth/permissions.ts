import { findMembership, findOrganizationByName, listMemberships, type OrganizationRow } from '../api/orgs/store.js';
import { stackLabel, type StackRef } from '../api/stacks/names.js';
import { findStack, type StackRecord } from '../api/stacks/store.js';
import { bestTeamPermission, teamIdsOfUser } from '../api/teams/store.js';
import type { AuditEntry } from '../audit/record.js';
import type { Executor } from '../db/executor.js';
import { ApiError } from '../errors.js';
import type { Caller } from './caller.js';

/**
 * Who may do what. Services ask here before they act; routes and stores never decide.
 *
 * Organization roles: a person's membership; an organization token is the organization's admin or
 * member, as created; a team token is a member restricted to its team's grants.
 * Stack permissions (Pulumi's StackPermission values): organization admins hold admin on every
 * stack; a stack's creator holds admin on it; members hold the organization's default permission
 * and whatever their teams grant, whichever is highest; a team token holds exactly its team's grant.
 */
export const StackPermission = { none: 0, read: 101, edit: 102, admin: 103 } as const;
export type StackAction = 'read' | 'edit' | 'admin';
export type OrganizationRoleName = 'none' | 'member' | 'admin';

const stackPermissionNames: Record<number, string> = { 0: 'none', 101: 'read', 102: 'edit', 103: 'admin' };
export const stackPermissionName = (permission: number) => stackPermissionNames[permission] ?? String(permission);

/** A refusal that is itself recorded: the service's transaction rolls back, and the error handler writes the event. */
export class PermissionDenied extends ApiError {
  constructor(message: string, readonly audit: AuditEntry) {
    super('forbidden', message);
  }
}

/** A lookup memoized for the request's access generation, when the caller has one (src/auth/access-cache.ts). */
function lookup<T>(db: Executor, caller: Caller, key: string, load: () => Promise<T>): Promise<T> {
  return caller.lookups ? caller.lookups.get(db, key, load) : load();
}

export async function organizationRole(db: Executor, caller: Caller, org: OrganizationRow): Promise<OrganizationRoleName> {
  const principal = caller.principal;
  switch (principal.kind) {
    case 'person': {
      const membership = await lookup(db, caller, `membership:${org.id}:${caller.user.id}`, () => findMembership(db, org.id, caller.user.id));
      return membership?.role ?? 'none';
    }
    case 'organization':
      if (principal.organizationId !== org.id) return 'none';
      return principal.admin ? 'admin' : 'member';
    case 'team':
      return principal.organizationId === org.id ? 'member' : 'none';
  }
}

/**
 * The organization, if the caller holds at least `role` in it. Outsiders get the same 404 as a
 * missing organization, so names of other organizations do not leak; members without the role
 * get a 403 that is audited.
 */
export async function requireOrganization(
  db: Executor,
  caller: Caller,
  organizationName: string,
  role: 'member' | 'admin',
  action = 'this operation',
): Promise<OrganizationRow> {
  const org = await lookup(db, caller, `organization:${organizationName}`, () => findOrganizationByName(db, organizationName));
  const held = org ? await organizationRole(db, caller, org) : 'none';
  if (!org || held === 'none') throw new ApiError('not_found', `organization '${organizationName}' not found`);
  if (role === 'admin' && held !== 'admin') {
    throw new PermissionDenied(`${action} needs the 'admin' role in organization '${organizationName}'`, {
      organizationId: org.id,
      event: 'auth-failure-organization-role',
      description: `Refused ${action} in organization "${organizationName}": the admin role is required`,
    });
  }
  return org;
}

/** The caller's StackPermission on a stack of an organization it can see. */
export async function stackPermission(db: Executor, caller: Caller, org: OrganizationRow, stack: StackRecord): Promise<number> {
  const principal = caller.principal;
  if (caller.scope) return caller.scope.stackId === stack.id ? StackPermission.edit : StackPermission.none;
  if (principal.kind === 'team') {
    return principal.organizationId === org.id ? teamPermission(db, caller, [principal.teamId], stack.id) : StackPermission.none;
  }
  const role = await organizationRole(db, caller, org);
  if (role === 'none') return StackPermission.none;
  if (role === 'admin' || stack.created_by_user_id === caller.user.id) return StackPermission.admin;
  const teams =
    principal.kind === 'person'
      ? await teamPermission(db, caller, await lookup(db, caller, `teams:${caller.user.id}:${org.id}`, () => teamIdsOfUser(db, caller.user.id, org.id)), stack.id)
      : 0;
  return Math.max(org.default_stack_permission, teams);
}

function teamPermission(db: Executor, caller: Caller, teamIds: string[], stackId: string): Promise<number> {
  if (teamIds.length === 0) return Promise.resolve(0);
  return lookup(db, caller, `team-grant:${stackId}:${teamIds.join(',')}`, () => bestTeamPermission(db, teamIds, stackId));
}

const requiredPermission: Record<StackAction, number> = {
  read: StackPermission.read,
  edit: StackPermission.edit,
  admin: StackPermission.admin,
};

/**
 * The stack, if the caller may `action` it. A stack the caller cannot read is not found, as for an
 * outsider; one it can read but not `action` is a 403 naming the missing permission, audited.
 */
export async function requireStack(db: Executor, caller: Caller, ref: StackRef, action: StackAction): Promise<StackRecord> {
  const org = await requireOrganization(db, caller, ref.organization, 'member');
  const stack = await findStack(db, org.id, ref.project, ref.stack);
  const held = stack ? await stackPermission(db, caller, org, stack) : 0;
  if (!stack || held < StackPermission.read) throw new ApiError('not_found', `stack '${stackLabel(ref)}' not found`);
  if (held < requiredPermission[action]) {
    throw new PermissionDenied(`${action} permission on stack '${stackLabel(ref)}' is required`, {
      organizationId: org.id,
      event: 'auth-failure-stack-permission',
      description: `Refused an operation on stack "${ref.project}/${ref.stack}": ${action} permission is required, ${stackPermissionName(held)} is held`,
    });
  }
  return stack;
}

/** Which stacks a listing may show the caller: the store turns this into one WHERE clause. */
export interface StackVisibility {
  /** Organizations whose every stack the caller reads. */
  allOf: string[];
  /** Organizations in which the caller reads the stacks it created. */
  createdIn: string[];
  creatorUserId: string;
  /** Teams whose read-or-better grants the caller holds. */
  teamIds: string[];
}

export async function stackVisibility(db: Executor, caller: Caller): Promise<StackVisibility> {
  const principal = caller.principal;
  const visibility: StackVisibility = { allOf: [], createdIn: [], creatorUserId: caller.user.id, teamIds: [] };
  // A deployment token lists nothing: it reaches its one stack by name.
  if (caller.scope) return visibility;
  if (principal.kind === 'team') {
    visibility.teamIds.push(principal.teamId);
    return visibility;
  }
  const memberships =
    principal.kind === 'person'
      ? await lookup(db, caller, `memberships:${caller.user.id}`, () => listMemberships(db, caller.user.id))
      : await (async () => {
          const org = await lookup(db, caller, `organization:${principal.organizationName}`, () => findOrganizationByName(db, principal.organizationName));
          return org ? [{ ...org, role: principal.admin ? ('admin' as const) : ('member' as const) }] : [];
        })();
  for (const m of memberships) {
    if (m.role === 'admin' || m.default_stack_permission >= StackPermission.read) visibility.allOf.push(m.id);
    else visibility.createdIn.push(m.id);
  }
  if (principal.kind === 'person') visibility.teamIds = [...(await lookup(db, caller, `teams:${caller.user.id}`, () => teamIdsOfUser(db, caller.user.id)))];
  return visibility;
}
