import type { Caller } from '../../auth/caller.js';
import { organizationRole, PermissionDenied, requireOrganization, StackPermission, stackPermissionName } from '../../auth/permissions.js';
import { recordAudit } from '../../audit/record.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import type { TeamRole } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { findMembership, type OrganizationRow } from '../orgs/store.js';
import { findStack, type StackRecord } from '../stacks/store.js';
import { findUserByLogin } from '../user/store.js';
import { parseGoDuration } from '../environments/duration.js';
import { environmentPermissionNames } from '../environments/policy.js';
import { findEnvironment } from '../environments/store.js';
import * as store from './store.js';

/** Pulumi's rule for team names. */
const teamNamePattern = /^[A-Za-z0-9_.-]{1,40}$/;
const maxDisplayNameLength = 100;
const grantablePermissions: readonly number[] = [StackPermission.read, StackPermission.edit, StackPermission.admin];
const memberActions = ['add', 'remove', 'promote', 'demote'] as const;
type MemberAction = (typeof memberActions)[number];

/** The caller's role in a team (apitype TeamRole). */
export type TeamUserRole = TeamRole | 'none';

export interface TeamSummaryView {
  kind: 'pulumi';
  name: string;
  displayName: string;
  description: string;
  userRole: TeamUserRole;
}

/** `Team` (apitype), as `GET /api/orgs/{org}/teams/{team}` and team creation answer it. */
export interface TeamView extends TeamSummaryView {
  members: Array<{ name: string; githubLogin: string; avatarUrl: string; role: TeamRole }>;
  stacks: Array<{ projectName: string; stackName: string; permission: number }>;
  /** Left out when the team has no environment grants, as Pulumi's Team omits it. */
  environments?: Array<{ projectName: string; envName: string; permission: string; maxOpenDuration?: string }>;
}

export interface CreateTeamInput {
  name: string;
  displayName?: string;
  description?: string;
}

export interface StackPermissionInput {
  projectName: string;
  stackName: string;
  permission: number;
}

/** `UpdateTeamRequest`: any combination of its fields, applied together. */
export interface UpdateTeamInput {
  newDisplayName?: string;
  newDescription?: string;
  memberAction?: string;
  member?: string;
  addStackPermission?: StackPermissionInput;
  editStackPermission?: StackPermissionInput;
  removeStack?: { projectName: string; stackName: string };
  addEnvironmentPermission?: EnvironmentPermissionInput;
  editEnvironmentPermission?: EnvironmentPermissionInput;
  removeEnvironment?: { projectName: string; envName: string };
}

/** `TeamEnvironmentSettings`: a permission by name, and how long the team may keep the environment open. */
export interface EnvironmentPermissionInput {
  projectName: string;
  envName: string;
  permission: string;
  maxOpenDuration?: string;
}

/** Teams of an organization, their members and their stack permissions. */
export class TeamService {
  constructor(readonly deps: { db: Executor; clock: Clock; ids: IdGenerator }) {}

  async list(caller: Caller, orgName: string): Promise<{ teams: TeamSummaryView[] }> {
    const db = this.deps.db;
    const org = await requireOrganization(db, caller, orgName, 'member');
    const roles = await this.teamRolesOf(db, caller, org);
    const teams = await store.listTeams(db, org.id);
    return { teams: teams.map((team) => this.summaryView(team, roles.get(team.id) ?? 'none')) };
  }

  async get(caller: Caller, orgName: string, teamName: string): Promise<TeamView> {
    const db = this.deps.db;
    const org = await requireOrganization(db, caller, orgName, 'member');
    const team = await this.team(db, org, teamName);
    return this.view(db, caller, org, team);
  }

  /** A Pulumi-backed team; the person creating it becomes its first admin. */
  async createPulumiTeam(caller: Caller, orgName: string, input: CreateTeamInput): Promise<TeamView> {
    return transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'creating a team');
      if (!teamNamePattern.test(input.name)) {
        throw new ApiError('bad_request', `invalid team name '${input.name}': it must be 1 to 40 characters of letters, digits, '-', '_' and '.'`);
      }
      const displayName = input.displayName || input.name;
      this.checkDisplayName(displayName);
      if (await store.findTeamByName(tx, org.id, input.name)) {
        throw new ApiError('conflict', `team '${input.name}' already exists in organization '${org.name}'`);
      }
      const now = this.deps.clock.now();
      const team: store.TeamRow = {
        id: this.deps.ids.next(),
        organization_id: org.id,
        name: input.name,
        display_name: displayName,
        description: input.description ?? '',
        kind: 'pulumi',
        created_at: now,
      };
      await store.insertTeam(tx, team);
      // Organization tokens act as no person, so a team they create starts empty.
      if (caller.principal.kind === 'person') {
        await store.insertTeamMember(tx, { team_id: team.id, user_id: caller.user.id, role: 'admin', created_at: now });
      }
      await recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event: 'team-created', description: `Created team "${team.name}"` });
      return this.view(tx, caller, org, team);
    });
  }

  /** No organization here is backed by GitHub, so there are no GitHub teams to mirror. */
  async createGitHubTeam(caller: Caller, orgName: string): Promise<never> {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'admin', 'creating a team');
    throw new ApiError(
      'bad_request',
      `organization '${org.name}' is not backed by GitHub, so it has no GitHub teams; create a team with POST /api/orgs/${org.name}/teams/pulumi`,
    );
  }

  /** Deletes the team with its members and grants; its tokens are revoked first and stop working at once. */
  async remove(caller: Caller, orgName: string, teamName: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'deleting a team');
      const team = await this.team(tx, org, teamName);
      await store.revokeTeamTokens(tx, team.id, this.deps.clock.now());
      await store.deleteTeam(tx, team.id);
      await recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event: 'team-deleted', description: `Deleted team "${team.name}"` });
    });
  }

  /**
   * `PATCH /api/orgs/{org}/teams/{team}`: every field present is applied, in one transaction with
   * one audit event. Organization admins may change anything; a team's admins may manage its members.
   */
  async update(caller: Caller, orgName: string, teamName: string, input: UpdateTeamInput): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'member');
      const team = await this.team(tx, org, teamName);
      await this.requireTeamManagement(tx, caller, org, team, input);
      const changes: string[] = [];

      if (input.newDisplayName !== undefined || input.newDescription !== undefined) {
        const display_name = input.newDisplayName ?? team.display_name;
        this.checkDisplayName(display_name);
        const description = input.newDescription ?? team.description;
        await store.updateTeam(tx, team.id, { display_name, description });
        if (input.newDisplayName !== undefined) changes.push(`display name set to "${display_name}"`);
        if (input.newDescription !== undefined) changes.push('description changed');
      }
      if (input.memberAction !== undefined || input.member !== undefined) {
        changes.push(await this.applyMemberAction(tx, org, team, input.memberAction, input.member));
      }
      if (input.addStackPermission !== undefined) changes.push(await this.grant(tx, org, team, input.addStackPermission, 'add'));
      if (input.editStackPermission !== undefined) changes.push(await this.grant(tx, org, team, input.editStackPermission, 'edit'));
      if (input.removeStack !== undefined) {
        const stack = await this.stack(tx, org, input.removeStack);
        if (!(await store.findTeamStackPermission(tx, team.id, stack.id))) {
          throw new ApiError('not_found', `team '${team.name}' has no permission on stack '${this.stackLabel(stack)}'`);
        }
        await store.deleteTeamStackPermission(tx, team.id, stack.id);
        changes.push(`removed stack "${this.stackLabel(stack)}"`);
      }

      if (input.addEnvironmentPermission !== undefined) changes.push(await this.grantEnvironment(tx, org, team, input.addEnvironmentPermission, 'add'));
      if (input.editEnvironmentPermission !== undefined) changes.push(await this.grantEnvironment(tx, org, team, input.editEnvironmentPermission, 'edit'));
      if (input.removeEnvironment !== undefined) {
        const env = await this.environment(tx, org, input.removeEnvironment);
        if (!(await store.findTeamEnvironmentPermission(tx, team.id, env.id))) {
          throw new ApiError('not_found', `team '${team.name}' has no permission on environment '${env.project}/${env.name}'`);
        }
        await store.deleteTeamEnvironmentPermission(tx, team.id, env.id);
        changes.push(`removed environment "${env.project}/${env.name}"`);
      }

      if (changes.length === 0) throw new ApiError('bad_request', 'nothing to change: the request names no team update');
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'team-updated',
        description: `Updated team "${team.name}": ${changes.join('; ')}`,
      });
    });
  }

  /**
   * Organization admins manage teams; a person who is an admin of the team may only add, remove,
   * promote and demote its members. Team tokens and non-admin organization tokens manage nothing.
   */
  private async requireTeamManagement(tx: Executor, caller: Caller, org: OrganizationRow, team: store.TeamRow, input: UpdateTeamInput): Promise<void> {
    if ((await organizationRole(tx, caller, org)) === 'admin') return;
    const onlyMembership = Object.keys(input).every((key) => key === 'memberAction' || key === 'member');
    if (!onlyMembership) {
      await requireOrganization(tx, caller, org.name, 'admin', `changing team '${team.name}'`);
      return;
    }
    const teamRole = caller.principal.kind === 'person' ? (await store.findTeamMember(tx, team.id, caller.user.id))?.role : undefined;
    if (teamRole === 'admin') return;
    throw new PermissionDenied(`managing the members of team '${team.name}' needs the 'admin' role in organization '${org.name}' or in the team`, {
      organizationId: org.id,
      event: 'auth-failure-organization-role',
      description: `Refused managing the members of team "${team.name}": the admin role in the organization or the team is required`,
    });
  }

  private async applyMemberAction(
    tx: Executor,
    org: OrganizationRow,
    team: store.TeamRow,
    action: string | undefined,
    login: string | undefined,
  ): Promise<string> {
    if (action === undefined || login === undefined) throw new ApiError('bad_request', 'memberAction and member go together; both are required');
    if (!(memberActions as readonly string[]).includes(action)) {
      throw new ApiError('bad_request', `invalid memberAction '${action}': it must be 'add', 'remove', 'promote' or 'demote'`);
    }
    const user = await findUserByLogin(tx, login);
    if (action === 'add') {
      if (!user || user.kind !== 'person' || !(await findMembership(tx, org.id, user.id))) {
        throw new ApiError('bad_request', `user '${login}' is not a member of organization '${org.name}'; only members can join its teams`);
      }
      if (await store.findTeamMember(tx, team.id, user.id)) throw new ApiError('conflict', `user '${login}' is already a member of team '${team.name}'`);
      await store.insertTeamMember(tx, { team_id: team.id, user_id: user.id, role: 'member', created_at: this.deps.clock.now() });
      return `added member "${login}"`;
    }
    const member = user && (await store.findTeamMember(tx, team.id, user.id));
    if (!user || !member) throw new ApiError('not_found', `user '${login}' is not a member of team '${team.name}'`);
    switch (action as Exclude<MemberAction, 'add'>) {
      case 'remove':
        await store.deleteTeamMember(tx, team.id, user.id);
        return `removed member "${login}"`;
      case 'promote':
        await store.updateTeamMemberRole(tx, team.id, user.id, 'admin');
        return `made "${login}" a team admin`;
      case 'demote':
        await store.updateTeamMemberRole(tx, team.id, user.id, 'member');
        return `made "${login}" a team member`;
    }
  }

  private async grant(tx: Executor, org: OrganizationRow, team: store.TeamRow, input: StackPermissionInput, kind: 'add' | 'edit'): Promise<string> {
    if (!grantablePermissions.includes(input.permission)) {
      throw new ApiError('bad_request', `invalid stack permission ${input.permission}: it must be 101 (read), 102 (edit) or 103 (admin)`);
    }
    const stack = await this.stack(tx, org, input);
    await store.upsertTeamStackPermission(tx, team.id, stack.id, input.permission);
    const verb = kind === 'add' ? 'granted' : 'changed to';
    return `${verb} ${stackPermissionName(input.permission)} on stack "${this.stackLabel(stack)}"`;
  }

  private async grantEnvironment(tx: Executor, org: OrganizationRow, team: store.TeamRow, input: EnvironmentPermissionInput, kind: 'add' | 'edit'): Promise<string> {
    const permission = environmentPermissionNames.indexOf(input.permission as (typeof environmentPermissionNames)[number]);
    if (permission < 0) {
      throw new ApiError('bad_request', `invalid environment permission '${input.permission}': it must be one of ${environmentPermissionNames.join(', ')}`);
    }
    if (input.maxOpenDuration) parseGoDuration(input.maxOpenDuration);
    const env = await this.environment(tx, org, input);
    if (kind === 'edit' && !(await store.findTeamEnvironmentPermission(tx, team.id, env.id))) {
      throw new ApiError('not_found', `team '${team.name}' has no permission on environment '${env.project}/${env.name}' to edit`);
    }
    await store.upsertTeamEnvironmentPermission(tx, { team_id: team.id, environment_id: env.id, permission, max_open_duration: input.maxOpenDuration || null });
    const verb = kind === 'add' ? 'granted' : 'changed to';
    return `${verb} ${input.permission} on environment "${env.project}/${env.name}"`;
  }

  private async environment(db: Executor, org: OrganizationRow, ref: { projectName: string; envName: string }) {
    const env = await findEnvironment(db, org.id, ref.projectName, ref.envName);
    if (!env) throw new ApiError('not_found', `environment '${org.name}/${ref.projectName}/${ref.envName}' not found`);
    return env;
  }

  private async stack(db: Executor, org: OrganizationRow, ref: { projectName: string; stackName: string }): Promise<StackRecord> {
    const stack = await findStack(db, org.id, ref.projectName, ref.stackName);
    if (!stack) throw new ApiError('not_found', `stack '${org.name}/${ref.projectName}/${ref.stackName}' not found`);
    return stack;
  }

  private stackLabel(stack: StackRecord): string {
    return `${stack.project_name}/${stack.name}`;
  }

  private async team(db: Executor, org: OrganizationRow, teamName: string): Promise<store.TeamRow> {
    const team = await store.findTeamByName(db, org.id, teamName);
    if (!team) throw new ApiError('not_found', `team '${teamName}' not found in organization '${org.name}'`);
    return team;
  }

  private checkDisplayName(displayName: string): void {
    if (displayName.length === 0 || displayName.length > maxDisplayNameLength) {
      throw new ApiError('bad_request', `a team's display name must be 1 to ${maxDisplayNameLength} characters; it has ${displayName.length}`);
    }
  }

  /** The caller's roles in the organization's teams: a person's memberships, or a team token's own team. */
  private async teamRolesOf(db: Executor, caller: Caller, org: OrganizationRow): Promise<Map<string, TeamRole>> {
    const principal = caller.principal;
    if (principal.kind === 'person') return store.teamRolesOfUser(db, caller.user.id, org.id);
    if (principal.kind === 'team' && principal.organizationId === org.id) return new Map([[principal.teamId, 'member']]);
    return new Map();
  }

  private summaryView(team: store.TeamRow, userRole: TeamUserRole): TeamSummaryView {
    return { kind: team.kind, name: team.name, displayName: team.display_name, description: team.description, userRole };
  }

  private async view(db: Executor, caller: Caller, org: OrganizationRow, team: store.TeamRow): Promise<TeamView> {
    const roles = await this.teamRolesOf(db, caller, org);
    const members = await store.listTeamMembers(db, team.id);
    const stacks = await store.listTeamStackPermissions(db, team.id);
    const environments = await store.listTeamEnvironmentPermissions(db, team.id);
    const { userRole, ...summary } = this.summaryView(team, roles.get(team.id) ?? 'none');
    return {
      ...summary,
      members: members.map((m) => ({ name: m.name, githubLogin: m.login, avatarUrl: m.avatar_url, role: m.role })),
      stacks: stacks.map((s) => ({ projectName: s.project_name, stackName: s.stack_name, permission: s.permission })),
      ...(environments.length > 0 && {
        environments: environments.map((e) => ({
          projectName: e.project,
          envName: e.name,
          permission: environmentPermissionNames[e.permission] ?? 'none',
          ...(e.max_open_duration && { maxOpenDuration: e.max_open_duration }),
        })),
      }),
      userRole,
    };
  }
}
