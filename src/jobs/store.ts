import type { DialectInfo } from '../db/dialect.js';
import type { Executor } from '../db/executor.js';

export interface ClaimedJob {
  id: number;
  kind: string;
  payload: string;
  attempts: number;
}

export async function countJobs(db: Executor): Promise<number> {
  const row = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertJob(db: Executor, job: { kind: string; payload: string; run_after: number; created_at: number }): Promise<void> {
  await db.insertInto('jobs').values({ ...job, locked_until: null, last_error: null }).execute();
}

/**
 * Takes the oldest due job that no process holds, and holds it until `lockedUntil`. On
 * PostgreSQL the row is read `FOR UPDATE SKIP LOCKED`, so concurrent workers pass over each
 * other's rows instead of waiting for them; a holder that dies lets go when its hold runs out.
 */
export async function claimJob(tx: Executor, dialect: DialectInfo, now: number, lockedUntil: number): Promise<ClaimedJob | undefined> {
  let query = tx
    .selectFrom('jobs')
    .select(['id', 'kind', 'payload', 'attempts'])
    .where('run_after', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .orderBy('id')
    .limit(1);
  if (dialect.skipLocked) query = query.forUpdate().skipLocked();
  const job = await query.executeTakeFirst();
  if (!job) return undefined;
  await tx.updateTable('jobs').set({ locked_until: lockedUntil }).where('id', '=', job.id).execute();
  return { ...job, attempts: Number(job.attempts) };
}

export async function deleteJob(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('jobs').where('id', '=', id).execute();
}

export async function postponeJob(db: Executor, id: number, change: { attempts: number; run_after: number; last_error: string }): Promise<void> {
  await db.updateTable('jobs').set({ ...change, locked_until: null }).where('id', '=', id).execute();
}

export async function listJobs(db: Executor) {
  return db.selectFrom('jobs').selectAll().orderBy('id').execute();
}
