import type { Executor } from '../../db/executor.js';

export async function findWrappedKey(db: Executor, stackId: string): Promise<Buffer | undefined> {
  const row = await db.selectFrom('stack_secret_keys').select('wrapped_key').where('stack_id', '=', stackId).executeTakeFirst();
  return row && Buffer.from(row.wrapped_key);
}

/** Stores the key unless the stack already has one; callers read back whichever won. */
export async function insertWrappedKey(db: Executor, stackId: string, wrappedKey: Buffer, createdAt: number): Promise<void> {
  await db
    .insertInto('stack_secret_keys')
    .values({ stack_id: stackId, wrapped_key: wrappedKey, created_at: createdAt })
    .onConflict((oc) => oc.column('stack_id').doNothing())
    .execute();
}

/** One stored stack key, any, so readiness can try the master key on it. */
export async function findAnyWrappedKey(db: Executor): Promise<{ stackId: string; wrappedKey: Buffer } | undefined> {
  const row = await db.selectFrom('stack_secret_keys').select(['stack_id', 'wrapped_key']).limit(1).executeTakeFirst();
  return row && { stackId: row.stack_id, wrappedKey: Buffer.from(row.wrapped_key) };
}
