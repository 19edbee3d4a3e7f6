import type { Executor } from '../../db/executor.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { UserKind, UsersTable } from '../../db/schema.js';

export type UserRow = UsersTable;

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

/**
 * The machine identity an organization or team token acts as, made on first use: a user of that
 * kind, never a member of anything, whose login (`org:acme`) no person's login can take.
 */
export async function ensureMachineUser(
  db: Executor,
  deps: { clock: Clock; ids: IdGenerator },
  kind: Exclude<UserKind, 'person'>,
  login: string,
  name: string,
): Promise<UserRow> {
  const existing = await findUserByLogin(db, login);
  if (existing) return existing;
  const user: UserRow = { id: deps.ids.next(), login, name, email: '', avatar_url: '', site_admin: 0, created_at: deps.clock.now(), kind };
  await db.insertInto('users').values(user).onConflict((oc) => oc.column('login').doNothing()).execute();
  return (await findUserByLogin(db, login))!;
}
