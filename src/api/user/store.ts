import type { Executor } from '../../db/executor.js';
import type { AccessTokensTable, UsersTable } from '../../db/schema.js';

export type UserRow = UsersTable;
export type AccessTokenRow = AccessTokensTable;

export async function insertUser(db: Executor, user: UserRow): Promise<void> {
  await db.insertInto('users').values(user).execute();
}

export async function findUserByLogin(db: Executor, login: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countUsers(db: Executor): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertAccessToken(db: Executor, token: AccessTokenRow): Promise<void> {
  await db.insertInto('access_tokens').values(token).execute();
}

/** The token with this hash and its user, unless it was revoked. */
export async function findActiveToken(
  db: Executor,
  tokenHash: string,
): Promise<{ token: AccessTokenRow; user: UserRow } | undefined> {
  const token = await db
    .selectFrom('access_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!token) return undefined;
  const user = await findUserById(db, token.user_id);
  return user && { token, user };
}

export async function touchAccessToken(db: Executor, id: string, usedAt: number): Promise<void> {
  await db.updateTable('access_tokens').set({ last_used_at: usedAt }).where('id', '=', id).execute();
}

export async function revokeAccessToken(db: Executor, id: string, revokedAt: number): Promise<void> {
  await db.updateTable('access_tokens').set({ revoked_at: revokedAt }).where('id', '=', id).execute();
}
