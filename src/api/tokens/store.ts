import type { Executor } from '../../db/executor.js';
import type { AccessTokensTable, TokenKind } from '../../db/schema.js';

export type AccessTokenRow = AccessTokensTable;

export async function insertAccessToken(db: Executor, token: AccessTokenRow): Promise<void> {
  await db.insertInto('access_tokens').values(token).execute();
}

/** The token with this hash, unless it was revoked; expiry is the caller's to judge. */
export async function findUnrevokedToken(db: Executor, tokenHash: string): Promise<AccessTokenRow | undefined> {
  return db
    .selectFrom('access_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function findTokenById(db: Executor, id: string): Promise<AccessTokenRow | undefined> {
  return db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchAccessToken(db: Executor, id: string, usedAt: number): Promise<void> {
  await db.updateTable('access_tokens').set({ last_used_at: usedAt }).where('id', '=', id).execute();
}

export async function revokeAccessToken(db: Executor, id: string, revokedAt: number): Promise<void> {
  await db.updateTable('access_tokens').set({ revoked_at: revokedAt }).where('id', '=', id).execute();
}

/** Whether an organization or team token of this organization ever had the name, revoked ones included. */
export async function tokenNameTaken(db: Executor, organizationId: string, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('access_tokens')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row !== undefined;
}

export interface TokenOwner {
  kind: TokenKind;
  userId?: string;
  organizationId?: string;
  teamId?: string;
}

/** Unrevoked tokens of one owner, newest first, with their creator's login. */
export async function listTokens(db: Executor, owner: TokenOwner): Promise<Array<AccessTokenRow & { created_by_login: string | null }>> {
  let query = db
    .selectFrom('access_tokens as t')
    .leftJoin('users as c', 'c.id', 't.created_by_user_id')
    .selectAll('t')
    .select('c.login as created_by_login')
    .where('t.kind', '=', owner.kind)
    .where('t.revoked_at', 'is', null);
  if (owner.userId !== undefined) query = query.where('t.user_id', '=', owner.userId);
  if (owner.organizationId !== undefined) query = query.where('t.organization_id', '=', owner.organizationId);
  if (owner.teamId !== undefined) query = query.where('t.team_id', '=', owner.teamId);
  return query.orderBy('t.created_at', 'desc').orderBy('t.id').execute();
}

/** Ends a deployment's job tokens: the deployment is over. */
export async function revokeDeploymentTokens(db: Executor, deploymentId: string, revokedAt: number): Promise<void> {
  await db.updateTable('access_tokens').set({ revoked_at: revokedAt }).where('scope_deployment_id', '=', deploymentId).where('revoked_at', 'is', null).execute();
}
