import type { Caller } from '../../auth/caller.js';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import type { UpdateKind } from '../../db/schema.js';
import { updateStack, type StackRecord } from '../stacks/store.js';
import { insertUpdate } from '../updates/store.js';
import { addStackVersion } from './versions.js';

export interface CheckpointDeps {
  clock: Clock;
  ids: IdGenerator;
  blobs: BlobStore;
}

/**
 * Records a server-side change (import, rename, transfer) as a completed update. With a
 * checkpoint it produces the stack's next version, so history and `export/{version}` see it like
 * any update; without one (a stack never updated) the version stays. Runs in the caller's transaction.
 */
export async function appendCheckpoint(
  tx: Executor,
  deps: CheckpointDeps,
  caller: Caller,
  stack: StackRecord,
  kind: UpdateKind,
  checkpoint?: { deployment: Buffer; resourceCount: number },
): Promise<{ updateId: string; version: number }> {
  const now = deps.clock.now();
  const version = checkpoint ? stack.version + 1 : stack.version;
  const updateId = deps.ids.next();
  await insertUpdate(tx, {
    id: updateId,
    stack_id: stack.id,
    kind,
    status: 'succeeded',
    version,
    author_user_id: caller.user.id,
    created_at: now,
    started_at: now,
    ended_at: now,
  });
  if (checkpoint) {
    const { deployment, resourceCount } = checkpoint;
    await addStackVersion(tx, deps.blobs, { stack_id: stack.id, version, deployment, resource_count: resourceCount, created_at: now });
  }
  await updateStack(tx, stack.id, { version, active_update_id: updateId });
  return { updateId, version };
}
