import type { Executor } from '../../db/executor.js';
import { insertResourceCount, lastResourceCount } from './store.js';

/**
 * Records that a stack of `organizationId` holds `resourceCount` resources from `at` on, in the
 * transaction that changed its state. Nothing is written when that is what was last recorded; a
 * stack last recorded in another organization (a transfer) first drops to 0 there.
 */
export async function recordResourceCount(tx: Executor, stack: { id: string; organizationId: string }, resourceCount: number, at: number): Promise<void> {
  const last = await lastResourceCount(tx, stack.id);
  if (last && last.organization_id !== stack.organizationId && last.resource_count !== 0) {
    await insertResourceCount(tx, { organization_id: last.organization_id, stack_id: stack.id, at, resource_count: 0 });
  }
  // A stack never recorded here counts 0 here.
  const current = last?.organization_id === stack.organizationId ? last.resource_count : 0;
  if (current === resourceCount) return;
  await insertResourceCount(tx, { organization_id: stack.organizationId, stack_id: stack.id, at, resource_count: resourceCount });
}
