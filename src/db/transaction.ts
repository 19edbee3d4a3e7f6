import { setTimeout as sleep } from 'node:timers/promises';
import type { Executor } from './executor.js';

/**
 * Tries before a transaction that keeps losing races gives up with the database's error. Twenty
 * updates running at once on two replicas (`npm run bench`, replicas part) lost eight races in a
 * row now and then: on small tables PostgreSQL reads by whole-table scans, whose serializable
 * read locks cover every row another transaction writes, whatever its stack.
 */
const maxAttempts = 24;
/** The longest pause between two tries, so that a transaction unlucky many times is not kept waiting seconds. */
const maxRetryPauseMs = 400;

/**
 * PostgreSQL refuses a serializable transaction that raced another (40001) or deadlocked
 * (40P01); SQLite runs one writer at a time and never does.
 */
const isRaceLost = (error: unknown): boolean => {
  const code = (error as { code?: unknown })?.code;
  return code === '40001' || code === '40P01';
};

/**
 * The database or the disk under it is out of space: SQLite's SQLITE_FULL, PostgreSQL's disk_full
 * (53100), or ENOSPC from a file write such as the folder blob store's.
 */
export const isStorageFull = (error: unknown): boolean => {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC';
};

/** How long after a write failed for want of space a server still reports it (readiness). */
export const storageFullHoldMs = 30_000;

const lastStorageFull = new WeakMap<Executor, { at: number; message: string }>();

/**
 * The last write on `db` that failed for want of space, when no write has succeeded since and it
 * is recent; readiness reports it, so a load balancer sends traffic to a replica that can write.
 */
export function recentStorageFull(db: Executor, now = Date.now()): { at: number; message: string } | undefined {
  const failure = lastStorageFull.get(db);
  return failure && now - failure.at < storageFullHoldMs ? failure : undefined;
}

const onCommit = new WeakMap<Executor, (() => void)[]>();

/**
 * Runs `callback` once the transaction `tx` has committed (at once when `tx` is no transaction of
 * `transaction()`); not at all when it rolls back. For what others may only see after the commit,
 * such as a job it enqueued.
 */
export function afterCommit(tx: Executor, callback: () => void): void {
  const callbacks = onCommit.get(tx);
  if (callbacks) callbacks.push(callback);
  else callback();
}

/**
 * Runs `work` in one serializable transaction, again from the start when it loses a race with
 * another process: every rule a service checks inside (a lease, the next sequence number, a free
 * name) then holds across replicas as it does within one process. `work` may run more than once,
 * so it changes nothing outside the database.
 */
export async function transaction<T>(db: Executor, work: (tx: Executor) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const committed: (() => void)[] = [];
      const result = await db
        .transaction()
        .setIsolationLevel('serializable')
        .execute((tx) => {
          onCommit.set(tx, committed);
          return work(tx);
        });
      lastStorageFull.delete(db);
      for (const callback of committed) callback();
      return result;
    } catch (error) {
      if (isStorageFull(error)) lastStorageFull.set(db, { at: Date.now(), message: (error as Error).message });
      if (attempt >= maxAttempts || !isRaceLost(error)) throw error;
      // Spread the retries so that the same transactions do not meet again.
      await sleep(Math.random() * Math.min(maxRetryPauseMs, 5 * 2 ** attempt));
    }
  }
}
