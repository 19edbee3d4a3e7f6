import type { Executor } from '../../db/executor.js';
import type { UpdatesTable } from '../../db/schema.js';

export type UpdateRow = Omit<UpdatesTable, 'seq'>;

export async function insertUpdate(db: Executor, update: UpdateRow): Promise<void> {
  await db.insertInto('updates').values(update).execute();
}

export async function findUpdate(db: Executor, stackId: string, updateId: string): Promise<UpdateRow | undefined> {
  return db
    .selectFrom('updates')
    .select(['id', 'stack_id', 'kind', 'status', 'version', 'author_user_id', 'created_at', 'started_at', 'ended_at'])
    .where('stack_id', '=', stackId)
    .where('id', '=', updateId)
    .executeTakeFirst();
}

/** The update holding the stack, if any, with its author's login. */
export async function findRunningUpdate(
  db: Executor,
  stackId: string,
): Promise<(UpdateRow & { author_login: string }) | undefined> {
  return db
    .selectFrom('updates as u')
    .innerJoin('users as a', 'a.id', 'u.author_user_id')
    .select([
      'u.id',
      'u.stack_id',
      'u.kind',
      'u.status',
      'u.version',
      'u.author_user_id',
      'u.created_at',
      'u.started_at',
      'u.ended_at',
      'a.login as author_login',
    ])
    .where('u.stack_id', '=', stackId)
    .where('u.status', '=', 'running')
    .executeTakeFirst();
}
