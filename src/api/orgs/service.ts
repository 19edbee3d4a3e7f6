import type { Caller } from '../../auth/caller.js';
import { requireOrganization, StackPermission, stackPermissionName } from '../../auth/permissions.js';
import { recordAudit } from '../../audit/record.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import type { OrganizationRole } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { decodeContinuationToken, encodeContinuationToken } from '../../http/pagination.js';
import { validateOrganizationName } from '../stacks/names.js';
import { deleteTeamMembershipsInOrganization, teamNamesOfUsers } from '../teams/store.js';
import { findUserByLogin, type UserRow } from '../user/store.js';
import * as store from './store.js';

/**
 * What members may do with every stack of a new organization: edit (Pulumi's Write), so a small
 * team works as before; admins narrow it with `PATCH /api/orgs/{org}` (setDefaultStackPermission).
 */
export const defaultStackPermission = 102;

/** Members listed per page of `GET /api/orgs/{org}/members`. */
export const membersPageSize = 100;

const organizationRoles: readonly string[] = ['admin', 'member'] satisfies OrganizationRole[];
const settableStackPermissions: readonly number[] = Object.values(StackPermission);

/** `OrganizationMember` (apitype). */
export interface OrganizationMemberView {
  role: OrganizationRole;
  user: { name: string; githubLogin: string; avatarUrl: string; email: string };
  created: string;
  knownToPulumi: boolean;
  virtualAdmin: boolean;
  fgaRole: { id: string; name: string; modifiedAt: string };
  teams: string[];
}

/** `Organization` (apitype), with the one setting Stackyard has. */
export interface OrganizationView {
  githubLogin: string;
  name: string;
  avatarUrl: string;
  repos: never[];
  defaultStackPermission: number;
}

/** The part of `OrganizationMetadata` that Stackyard has facts for. */
export interface OrganizationMetadataView {
  id: string;
  kind: 'pulumi';
  created: string;
  defaultStackPermission: number;
  memberCount: number;
  stackCount: number;
  userRole: 'admin' | 'member';
}

export interface UpdateOrganizationInput {
  setDefaultStackPermission?: number;
  [setting: string]: unknown;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class OrganizationService {
  constructor(private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator }) {}

  async create(db: Executor, name: string, displayName?: string): Promise<store.OrganizationRow> {
    validateOrganizationName(name);
    if (await store.findOrganizationByName(db, name)) throw new ApiError('conflict', `organization '${name}' already exists`);
    const org = {
      id: this.deps.ids.next(),
      name,
      display_name: displayName ?? name,
      created_at: this.deps.clock.now(),
      default_stack_permission: defaultStackPermission,
    };
    await store.insertOrganization(db, org);
    return org;
  }

  /** The operator's way in (`stackyard admin`): no caller, no audit, and an existing member just gets the role. */
  async addMember(db: Executor, organizationName: string, userId: string, role: OrganizationRole): Promise<void> {
    const org = await store.findOrganizationByName(db, organizationName);
    if (!org) throw new ApiError('not_found', `organization '${organizationName}' not found`);
    await store.upsertMembership(db, { organization_id: org.id, user_id: userId, role, created_at: this.deps.clock.now() });
  }

  async get(caller: Caller, orgName: string): Promise<OrganizationView> {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    return { githubLogin: org.name, name: org.display_name, avatarUrl: '', repos: [], defaultStackPermission: org.default_stack_permission };
  }

  async updateSettings(caller: Caller, orgName: string, input: UpdateOrganizationInput): Promise<OrganizationMetadataView> {
    return transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'changing organization settings');
      // Settings Stackyard does not have are refused rather than silently dropped.
      const unsupported = Object.keys(input).filter((key) => key !== 'setDefaultStackPermission');
      if (unsupported.length > 0) {
        throw new ApiError('bad_request', `unsupported organization setting ${unsupported.map((k) => `'${k}'`).join(', ')}; only setDefaultStackPermission can be changed`);
      }
      const permission = input.setDefaultStackPermission;
      if (permission === undefined) throw new ApiError('bad_request', 'no setting to change: setDefaultStackPermission is missing');
      if (!settableStackPermissions.includes(permission)) {
        throw new ApiError('bad_request', `invalid default stack permission ${permission}: it must be 0 (none), 101 (read), 102 (edit) or 103 (admin)`);
      }
      if (permission !== org.default_stack_permission) {
        await store.updateDefaultStackPermission(tx, org.id, permission);
        await recordAudit(tx, this.deps.clock, caller, {
          organizationId: org.id,
          event: 'organization-settings-changed',
          description: `Changed the default stack permission of organization "${org.name}" from ${stackPermissionName(org.default_stack_permission)} to ${stackPermissionName(permission)}`,
        });
      }
      const counts = await store.organizationCounts(tx, org.id);
      return {
        id: org.id,
        kind: 'pulumi',
        created: iso(org.created_at),
        defaultStackPermission: permission,
        memberCount: counts.members,
        stackCount: counts.stacks,
        userRole: 'admin',
      };
    });
  }

  async listMembers(
    caller: Caller,
    orgName: string,
    query: { type?: string; continuationToken?: string },
  ): Promise<{ members: OrganizationMemberView[]; continuationToken?: string }> {
    const db = this.deps.db;
    const org = await requireOrganization(db, caller, orgName, 'admin', 'listing organization members');
    // Pulumi lists members of a backing identity provider for other types; Stackyard has none.
    if (query.type !== undefined && query.type !== 'backend') {
      throw new ApiError('bad_request', `invalid member type '${query.type}': it must be 'backend'`);
    }
    const after = query.continuationToken === undefined ? undefined : decodeContinuationToken(query.continuationToken);
    if (after !== undefined && typeof after !== 'string') throw new ApiError('bad_request', 'invalid continuation token');
    const rows = await store.listMembers(db, org.id, after, membersPageSize + 1);
    const page = rows.slice(0, membersPageSize);
    const teams = await teamNamesOfUsers(db, org.id, page.map((r) => r.user_id));
    const members = page.map((r) => this.memberView(org, r, teams.get(r.user_id) ?? []));
    return rows.length > membersPageSize ? { members, continuationToken: encodeContinuationToken(page.at(-1)!.login) } : { members };
  }

  /** `POST /api/orgs/{org}/members/{login}`: an admin adds an existing user. */
  async addUser(caller: Caller, orgName: string, login: string, role: string): Promise<OrganizationMemberView> {
    return transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'adding organization members');
      const validRole = this.validRole(role);
      const user = await this.person(tx, login);
      if (await store.findMembership(tx, org.id, user.id)) {
        throw new ApiError('conflict', `user '${login}' is already a member of organization '${org.name}'`);
      }
      await store.insertMembership(tx, { organization_id: org.id, user_id: user.id, role: validRole, created_at: this.deps.clock.now() });
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'member-added',
        description: `Added "${login}" to organization "${org.name}" as ${validRole}`,
      });
      return this.memberView(org, (await store.findMember(tx, org.id, user.id))!, []);
    });
  }

  async changeUserRole(caller: Caller, orgName: string, login: string, role: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'changing organization roles');
      const validRole = this.validRole(role);
      const { user, membership } = await this.member(tx, org, login);
      if (membership.role === validRole) return;
      if (membership.role === 'admin' && (await store.countAdmins(tx, org.id)) === 1) {
        throw new ApiError('bad_request', `cannot demote '${login}': they are the last admin of organization '${org.name}', which must keep at least one`);
      }
      await store.updateMembershipRole(tx, org.id, user.id, validRole);
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'member-role-changed',
        description: `Changed organization role for "${login}" to ${validRole}`,
      });
    });
  }

  /** Removes the member and their team memberships at once: nothing they held opens the organization afterwards. */
  async removeUser(caller: Caller, orgName: string, login: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'removing organization members');
      const { user, membership } = await this.member(tx, org, login);
      if (membership.role === 'admin' && (await store.countAdmins(tx, org.id)) === 1) {
        throw new ApiError('bad_request', `cannot remove '${login}': they are the last admin of organization '${org.name}', which must keep at least one`);
      }
      await deleteTeamMembershipsInOrganization(tx, org.id, user.id);
      await store.deleteMembership(tx, org.id, user.id);
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'member-removed',
        description: `Removed "${login}" from organization "${org.name}"`,
      });
    });
  }

  private validRole(role: string): OrganizationRole {
    if (!organizationRoles.includes(role)) throw new ApiError('bad_request', `invalid organization role '${role}': it must be 'admin' or 'member'`);
    return role as OrganizationRole;
  }

  /** A person by login; machine identities of tokens are not users one can add. */
  private async person(db: Executor, login: string): Promise<UserRow> {
    const user = await findUserByLogin(db, login);
    if (!user || user.kind !== 'person') throw new ApiError('not_found', `user '${login}' not found`);
    return user;
  }

  private async member(db: Executor, org: store.OrganizationRow, login: string): Promise<{ user: UserRow; membership: store.MembershipRow }> {
    const user = await this.person(db, login);
    const membership = await store.findMembership(db, org.id, user.id);
    if (!membership) throw new ApiError('not_found', `user '${login}' is not a member of organization '${org.name}'`);
    return { user, membership };
  }

  private memberView(org: store.OrganizationRow, member: store.MemberRecord, teams: string[]): OrganizationMemberView {
    return {
      role: member.role,
      user: { name: member.name, githubLogin: member.login, avatarUrl: member.avatar_url, email: member.email },
      created: iso(member.created_at),
      knownToPulumi: true,
      virtualAdmin: false,
      // Built-in roles only, unchanged since the organization began.
      fgaRole: { id: member.role, name: member.role === 'admin' ? 'Admin' : 'Member', modifiedAt: iso(org.created_at) },
      teams,
    };
  }
}
