import { AccessCache } from '../../auth/access-cache.js';
import type { Caller } from '../../auth/caller.js';
import { requireOrganization } from '../../auth/permissions.js';
import { generateAccessToken, hashAccessToken } from '../../auth/tokens.js';
import { recordAudit } from '../../audit/record.js';
import type { Clock, IdGenerator } from '../../clock.js';
import { readAccessGeneration } from '../../db/access-generation.js';
import type { Executor } from '../../db/executor.js';
import type { TokenKind } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { findOrganizationById, listMemberships, type OrganizationRow } from '../orgs/store.js';
import { findTeamById, findTeamByName, type TeamRow } from '../teams/store.js';
import { ensureMachineUser, findUserById } from '../user/store.js';
import * as store from './store.js';

/** Tokens are looked up again for last-used bookkeeping at most this often: one write a minute per token. */
const touchIntervalMs = 60_000;
const maxLifetimeSeconds = 2 * 366 * 24 * 3600;
const maxNameLength = 40;

/** `AccessToken` as the tokens APIs list it (apitype AccessToken). */
export interface AccessTokenView {
  id: string;
  name: string;
  description: string;
  created: string;
  lastUsed: number;
  expires: number;
  admin: boolean;
  createdBy: string;
  type: TokenKind;
}

export interface CreateTokenInput {
  description: string;
  expires?: number;
  name?: string;
  admin?: boolean;
}

const seconds = (ms: number | null) => (ms === null ? 0 : Math.floor(ms / 1000));

/** Personal, organization and team access tokens: issuing, listing, revoking, and authenticating requests. */
export class TokenService {
  private readonly accessCache = new AccessCache();

  constructor(private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator }) {}

  /**
   * The caller a token stands for, or undefined for an unknown, revoked or expired token, or one
   * whose owner is gone.
   */
  async authenticate(token: string, sourceIp: string): Promise<Caller | undefined> {
    const db = this.deps.db;
    const lookups = this.accessCache.at(await readAccessGeneration(db));
    const hash = hashAccessToken(token);
    const known = await lookups.get(db, `token:${hash}`, async () => {
      const row = await store.findUnrevokedToken(db, hash);
      const identity = row && (await this.identityOf(db, row));
      return identity && { row, identity };
    });
    const now = this.deps.clock.now();
    if (!known || (known.row.expires_at !== null && known.row.expires_at <= now)) return undefined;
    const { row, identity } = known;
    if (row.last_used_at === null || now - row.last_used_at > touchIntervalMs) {
      await store.touchAccessToken(db, row.id, now);
      // The kept row, so that this process touches it once a minute; last use is not access (migration 0022).
      row.last_used_at = now;
    }
    return { ...identity, token: { id: row.id, name: row.name ?? '', kind: row.kind }, sourceIp, lookups };
  }

  private async identityOf(db: Executor, row: store.AccessTokenRow): Promise<Pick<Caller, 'user' | 'principal' | 'scope'> | undefined> {
    if (row.kind === 'personal') {
      const user = row.user_id === null ? undefined : await findUserById(db, row.user_id);
      return user && { user, principal: { kind: 'person' } };
    }
    const org = row.organization_id === null ? undefined : await findOrganizationById(db, row.organization_id);
    if (!org) return undefined;
    if (row.kind === 'organization') {
      const user = await ensureMachineUser(db, this.deps, 'organization', `org:${org.name}`, org.name);
      return { user, principal: { kind: 'organization', organizationId: org.id, organizationName: org.name, admin: row.admin === 1 } };
    }
    if (row.kind === 'deployment') {
      const user = row.user_id === null ? undefined : await findUserById(db, row.user_id);
      if (!user || row.scope_stack_id === null || row.scope_deployment_id === null) return undefined;
      return {
        user,
        principal: { kind: 'organization', organizationId: org.id, organizationName: org.name, admin: false },
        scope: { stackId: row.scope_stack_id, deploymentId: row.scope_deployment_id },
      };
    }
    const team = row.team_id === null ? undefined : await findTeamById(db, row.team_id);
    if (!team) return undefined;
    const user = await ensureMachineUser(db, this.deps, 'team', `team:${org.name}/${team.name}`, team.name);
    return {
      user,
      principal: { kind: 'team', organizationId: org.id, organizationName: org.name, teamId: team.id, teamName: team.name },
    };
  }

  /**
   * A deployment's job token: it acts as the person who asked for the deployment, as a member of
   * the stack's organization, with edit on that one stack and nothing on any other, until it
   * expires or the deployment ends (`revokeDeploymentTokens`).
   */
  async issueDeploymentToken(
    tx: Executor,
    spec: { userId: string; organizationId: string; stackId: string; deploymentId: string; expiresAt: number },
  ): Promise<string> {
    const { token } = await this.issue(tx, {
      kind: 'deployment',
      user_id: spec.userId,
      organization_id: spec.organizationId,
      created_by_user_id: spec.userId,
      description: `deployment ${spec.deploymentId}`,
      expires_at: spec.expiresAt,
      scope_stack_id: spec.stackId,
      scope_deployment_id: spec.deploymentId,
    });
    return token;
  }

  async revokeDeploymentTokens(tx: Executor, deploymentId: string): Promise<void> {
    await store.revokeDeploymentTokens(tx, deploymentId, this.deps.clock.now());
  }

  /** Issues a personal token; its value is returned this once and stored only as a hash. */
  async issuePersonalToken(db: Executor, userId: string, description: string, expires = 0): Promise<{ id: string; token: string }> {
    return this.issue(db, { kind: 'personal', user_id: userId, created_by_user_id: userId, description, expires_at: this.expiryOf(expires) });
  }

  /**
   * A short-lived token of an OIDC token exchange: a person's, an organization's (admin or member)
   * or a team's, and the caller it will stand for, who the exchange's audit event names.
   */
  async issueExchangedToken(
    tx: Executor,
    spec: { kind: TokenKind; userId?: string; organizationId?: string; teamId?: string; admin?: boolean; description: string; expiresAt: number },
    sourceIp: string,
  ): Promise<{ token: string; caller: Caller }> {
    const { id, token } = await this.issue(tx, {
      kind: spec.kind,
      user_id: spec.userId ?? null,
      organization_id: spec.organizationId ?? null,
      team_id: spec.teamId ?? null,
      admin: spec.admin ? 1 : 0,
      created_by_user_id: null,
      description: spec.description,
      expires_at: spec.expiresAt,
    });
    const row = (await store.findTokenById(tx, id))!;
    const identity = await this.identityOf(tx, row);
    if (!identity) throw new ApiError('internal', 'an exchanged token stands for no one');
    return { token, caller: { ...identity, token: { id, name: '', kind: spec.kind }, sourceIp } };
  }

  async createPersonalToken(caller: Caller, input: CreateTokenInput): Promise<{ id: string; tokenValue: string }> {
    this.requirePerson(caller, 'create personal tokens');
    const expiresAt = this.expiryOf(input.expires ?? 0);
    return transaction(this.deps.db, async (tx) => {
      const { id, token } = await this.issue(tx, {
        kind: 'personal',
        user_id: caller.user.id,
        created_by_user_id: caller.user.id,
        description: input.description,
        expires_at: expiresAt,
      });
      await this.auditPersonal(tx, caller, 'personal-token-created', `Created personal access token "${input.description}" for "${caller.user.login}"`);
      return { id, tokenValue: token };
    });
  }

  async listPersonalTokens(caller: Caller, showExpired: boolean): Promise<{ tokens: AccessTokenView[] }> {
    this.requirePerson(caller, 'list personal tokens');
    return { tokens: await this.list(this.deps.db, { kind: 'personal', userId: caller.user.id }, showExpired) };
  }

  async deletePersonalToken(caller: Caller, tokenId: string): Promise<void> {
    this.requirePerson(caller, 'delete personal tokens');
    await transaction(this.deps.db, async (tx) => {
      const row = await this.revoke(tx, tokenId, (t) => t.kind === 'personal' && t.user_id === caller.user.id, 'access token');
      await this.auditPersonal(tx, caller, 'personal-token-deleted', `Deleted personal access token "${row.description}" of "${caller.user.login}"`);
    });
  }

  async createOrganizationToken(caller: Caller, orgName: string, input: CreateTokenInput): Promise<{ id: string; tokenValue: string }> {
    const name = this.validName(input.name);
    const expiresAt = this.expiryOf(input.expires ?? 0);
    return transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'creating an organization token');
      await this.assertNameFree(tx, org, name);
      const { id, token } = await this.issue(tx, {
        kind: 'organization',
        organization_id: org.id,
        name,
        admin: input.admin ? 1 : 0,
        created_by_user_id: caller.user.id,
        description: input.description,
        expires_at: expiresAt,
      });
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'organization-token-created',
        description: `Created ${input.admin ? 'admin ' : ''}organization access token "${name}"`,
      });
      return { id, tokenValue: token };
    });
  }

  async listOrganizationTokens(caller: Caller, orgName: string, showExpired: boolean): Promise<{ tokens: AccessTokenView[] }> {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'admin', 'listing organization tokens');
    return { tokens: await this.list(this.deps.db, { kind: 'organization', organizationId: org.id }, showExpired) };
  }

  async deleteOrganizationToken(caller: Caller, orgName: string, tokenId: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'deleting an organization token');
      const row = await this.revoke(tx, tokenId, (t) => t.kind === 'organization' && t.organization_id === org.id, 'organization access token');
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'organization-token-deleted',
        description: `Deleted organization access token "${row.name}"`,
      });
    });
  }

  async createTeamToken(caller: Caller, orgName: string, teamName: string, input: CreateTokenInput): Promise<{ id: string; tokenValue: string }> {
    const name = this.validName(input.name);
    const expiresAt = this.expiryOf(input.expires ?? 0);
    return transaction(this.deps.db, async (tx) => {
      const { org, team } = await this.teamOf(tx, caller, orgName, teamName, 'creating a team token');
      await this.assertNameFree(tx, org, name);
      const { id, token } = await this.issue(tx, {
        kind: 'team',
        organization_id: org.id,
        team_id: team.id,
        name,
        created_by_user_id: caller.user.id,
        description: input.description,
        expires_at: expiresAt,
      });
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'team-token-created',
        description: `Created access token "${name}" for team "${team.name}"`,
      });
      return { id, tokenValue: token };
    });
  }

  async listTeamTokens(caller: Caller, orgName: string, teamName: string, showExpired: boolean): Promise<{ tokens: AccessTokenView[] }> {
    const { team } = await this.teamOf(this.deps.db, caller, orgName, teamName, 'listing team tokens');
    return { tokens: await this.list(this.deps.db, { kind: 'team', teamId: team.id }, showExpired) };
  }

  async deleteTeamToken(caller: Caller, orgName: string, teamName: string, tokenId: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { org, team } = await this.teamOf(tx, caller, orgName, teamName, 'deleting a team token');
      const row = await this.revoke(tx, tokenId, (t) => t.kind === 'team' && t.team_id === team.id, 'team access token');
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'team-token-deleted',
        description: `Deleted access token "${row.name}" of team "${team.name}"`,
      });
    });
  }

  /** Revokes a live token the owner check accepts; any other id is not found, so ids of others' tokens tell nothing. */
  private async revoke(
    tx: Executor,
    tokenId: string,
    ownedHere: (row: store.AccessTokenRow) => boolean,
    what: string,
  ): Promise<store.AccessTokenRow> {
    const row = await store.findTokenById(tx, tokenId);
    if (!row || row.revoked_at !== null || !ownedHere(row)) throw new ApiError('not_found', `${what} '${tokenId}' not found`);
    await store.revokeAccessToken(tx, row.id, this.deps.clock.now());
    return row;
  }

  /** Team tokens are managed by organization admins. */
  private async teamOf(db: Executor, caller: Caller, orgName: string, teamName: string, action: string): Promise<{ org: OrganizationRow; team: TeamRow }> {
    const org = await requireOrganization(db, caller, orgName, 'admin', action);
    const team = await findTeamByName(db, org.id, teamName);
    if (!team) throw new ApiError('not_found', `team '${teamName}' not found in organization '${orgName}'`);
    return { org, team };
  }

  private async list(db: Executor, owner: store.TokenOwner, showExpired: boolean): Promise<AccessTokenView[]> {
    const now = this.deps.clock.now();
    const rows = await store.listTokens(db, owner);
    return rows
      .filter((r) => showExpired || r.expires_at === null || r.expires_at > now)
      .map((r) => ({
        id: r.id,
        name: r.name ?? '',
        description: r.description,
        created: new Date(r.created_at).toISOString(),
        lastUsed: seconds(r.last_used_at),
        expires: seconds(r.expires_at),
        admin: r.admin === 1,
        createdBy: r.created_by_login ?? '',
        type: r.kind,
      }));
  }

  private async issue(
    db: Executor,
    fields: Pick<store.AccessTokenRow, 'kind' | 'description' | 'expires_at' | 'created_by_user_id'> &
      Partial<Pick<store.AccessTokenRow, 'user_id' | 'organization_id' | 'team_id' | 'name' | 'admin' | 'scope_stack_id' | 'scope_deployment_id'>>,
  ): Promise<{ id: string; token: string }> {
    const token = generateAccessToken();
    const id = this.deps.ids.next();
    await store.insertAccessToken(db, {
      id,
      user_id: null,
      organization_id: null,
      team_id: null,
      name: null,
      admin: 0,
      scope_stack_id: null,
      scope_deployment_id: null,
      ...fields,
      token_hash: hashAccessToken(token),
      created_at: this.deps.clock.now(),
      last_used_at: null,
      revoked_at: null,
    });
    return { id, token };
  }

  /** `expires`: 0 for never, else a Unix time in the future and at most two years ahead. */
  private expiryOf(expires: number): number | null {
    if (expires === 0) return null;
    const now = Math.floor(this.deps.clock.now() / 1000);
    if (!Number.isInteger(expires) || expires <= now) {
      throw new ApiError('bad_request', `expires must be 0 (never) or a Unix time in the future; ${expires} is not`);
    }
    if (expires > now + maxLifetimeSeconds) {
      throw new ApiError('bad_request', `expires must be at most two years from now; ${expires} is later`);
    }
    return expires * 1000;
  }

  private validName(name: string | undefined): string {
    if (name === undefined || name.trim() === '') throw new ApiError('bad_request', 'a token name is required');
    if (name.length > maxNameLength) throw new ApiError('bad_request', `token name must be at most ${maxNameLength} characters`);
    return name;
  }

  private async assertNameFree(db: Executor, org: OrganizationRow, name: string): Promise<void> {
    if (await store.tokenNameTaken(db, org.id, name)) {
      throw new ApiError('conflict', `a token named '${name}' already exists or existed in organization '${org.name}'; token names are never reused`);
    }
  }

  private requirePerson(caller: Caller, action: string): void {
    if (caller.principal.kind !== 'person') {
      throw new ApiError('forbidden', `only a person's token may ${action}; this is an ${caller.principal.kind} token`);
    }
  }

  /** A personal token can reach every organization of its owner: each one's log records it. */
  private async auditPersonal(tx: Executor, caller: Caller, event: 'personal-token-created' | 'personal-token-deleted', description: string) {
    for (const org of await listMemberships(tx, caller.user.id)) {
      await recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event, description });
    }
  }
}
