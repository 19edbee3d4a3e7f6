import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import { findRunningUpdate } from './store.js';

/** 409 while an update holds the stack: what import, rename, transfer and delete must wait for. */
export async function assertNoRunningUpdate(tx: Executor, stackId: string): Promise<void> {
  const running = await findRunningUpdate(tx, stackId);
  if (running) {
    // Exactly Pulumi's words: the Automation API recognises a concurrent update by them.
    throw new ApiError('conflict', 'Another update is currently in progress.');
  }
}
