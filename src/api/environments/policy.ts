import { organizationRole, PermissionDenied, requireOrganization, type OrganizationRoleName } from '../../auth/permissions.js';
import type { Caller } from '../../auth/caller.js';
import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import type { OrganizationRow } from '../orgs/store.js';
import { bestTeamEnvironmentPermission, teamIdsOfUser } from '../teams/store.js';
import { findEnvironment, type EnvironmentRow } from './store.js';

/**
 * Environment permissions, as Pulumi ESC names them: read the definition, open it (secrets
 * revealed), write new revisions and tags, administer (delete). Organization admins and an
 * environment's creator hold admin; members write, as they edit stacks by default, or more where
 * a team of theirs grants it; a team token holds exactly its team's grant.
 */
export const EnvironmentPermission = { none: 0, read: 1, open: 2, write: 3, admin: 4 } as const;
export const environmentPermissionNames = ['none', 'read', 'open', 'write', 'admin'] as const;
export type EnvironmentAction = Exclude<keyof typeof EnvironmentPermission, 'none'>;


export async function environmentPermission(db: Executor, caller: Caller, org: OrganizationRow, env: EnvironmentRow): Promise<number> {
  const principal = caller.principal;
  if (principal.kind === 'team') {
    if (principal.organizationId !== org.id) return EnvironmentPermission.none;
    return (await bestTeamEnvironmentPermission(db, [principal.teamId], env.id))?.permission ?? EnvironmentPermission.none;
  }
  const byRole = environmentPermissionOfRole(caller, await organizationRole(db, caller, org), env);
  if (byRole === EnvironmentPermission.none || principal.kind !== 'person') return byRole;
  const granted = await bestTeamEnvironmentPermission(db, await teamIdsOfUser(db, caller.user.id, org.id), env.id);
  return Math.max(byRole, granted?.permission ?? 0);
}

/** The shortest open a team token's grant allows, in its Go duration form, if it sets one. */
export async function maxOpenDuration(db: Executor, caller: Caller, env: EnvironmentRow): Promise<string | undefined> {
  if (caller.principal.kind !== 'team') return undefined;
  return (await bestTeamEnvironmentPermission(db, [caller.principal.teamId], env.id))?.max_open_duration ?? undefined;
}

/** What the organization role alone gives (no team grants): enough to decide reads for people and organization tokens. */
export function environmentPermissionOfRole(caller: Caller, role: OrganizationRoleName, env: EnvironmentRow): number {
  if (caller.principal.kind === 'team' || role === 'none') return EnvironmentPermission.none;
  if (role === 'admin' || env.created_by_user_id === caller.user.id) return EnvironmentPermission.admin;
  return EnvironmentPermission.write;
}

export interface EnvironmentRef {
  organization: string;
  project: string;
  name: string;
}

export const environmentLabel = (ref: EnvironmentRef) => `${ref.organization}/${ref.project}/${ref.name}`;

/**
 * The environment, if the caller may `action` it: one it cannot read is not found, as for an
 * outsider; one it reads but may not `action` is a 403, audited.
 */
export async function requireEnvironment(
  db: Executor,
  caller: Caller,
  ref: EnvironmentRef,
  action: EnvironmentAction,
): Promise<{ org: OrganizationRow; env: EnvironmentRow }> {
  const org = await requireOrganization(db, caller, ref.organization, 'member');
  const env = await findEnvironment(db, org.id, ref.project, ref.name);
  const held = env ? await environmentPermission(db, caller, org, env) : EnvironmentPermission.none;
  if (!env || held < EnvironmentPermission.read) throw new ApiError('not_found', `environment '${environmentLabel(ref)}' not found`);
  if (held < EnvironmentPermission[action]) {
    throw new PermissionDenied(`${action} permission on environment '${environmentLabel(ref)}' is required`, {
      organizationId: org.id,
      event: 'auth-failure-environment-permission',
      description: `Refused an operation on environment "${ref.project}/${ref.name}": ${action} permission is required, ${environmentPermissionNames[held]} is held`,
    });
  }
  return { org, env };
}
