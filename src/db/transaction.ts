import { setTimeout as sleep } from 'node:timers/promises';
import type { Executor } from './executor.js';

/** Tries before a transaction that keeps losing races gives up with the database's error. */
const maxAttempts = 8;

/**
 * PostgreSQL refuses a serializable transaction that raced another (40001) or deadlocked
 * (40P01); SQLite runs one writer at a time and never does.
 */
const isRaceLost = (error: unknown): boolean => {
  const code = (error as { code?: unknown })?.code;
  return code === '40001' || code === '40P01';
};

/**
 * Runs `work` in one serializable transaction, again from the start when it loses a race with
 * another process: every rule a service checks inside (a lease, the next sequence number, a free
 * name) then holds across replicas as it does within one process. `work` may run more than once,
 * so it changes nothing outside the database.
 */
export async function transaction<T>(db: Executor, work: (tx: Executor) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().setIsolationLevel('serializable').execute(work);
    } catch (error) {
      if (attempt >= maxAttempts || !isRaceLost(error)) throw error;
      // Spread the retries so that the same transactions do not meet again.
      await sleep(Math.random() * 5 * 2 ** attempt);
    }
  }
}
