import { stackFolder, type BlobStore } from '../blobs/blob-store.js';
import type { Executor } from '../db/executor.js';
import type { JobHandlers } from './runner.js';

/** Deletes a deleted stack's blobs: payload `{ stackId }`. */
export const deleteStackBlobs = 'delete-stack-blobs';

/** Every kind of background job the server runs. */
export function jobHandlers(deps: { db: Executor; blobs: BlobStore }): JobHandlers {
  return {
    [deleteStackBlobs]: async (payload) => {
      const { stackId } = payload as { stackId: string };
      await deps.blobs.deletePrefix(deps.db, stackFolder(stackId));
    },
  };
}
