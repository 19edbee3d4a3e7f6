import { timingSafeEqual } from 'node:crypto';
import { hashAccessToken } from '../../auth/tokens.js';
import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import type { StackRef } from '../stacks/service.js';
import { findUpdateLease } from './store.js';

/** One answer for every lease that is not this update's: it must not tell whether the stack or update exists. */
export const unknownLeaseMessage = 'the update token is not a lease of this update';

/**
 * Checks an `update-token` before the request's body is read, so a caller without a real lease
 * costs one indexed lookup, never a decompression or a parse. The service checks the lease again
 * in its transaction; this is the door, not the authority.
 */
export class LeaseGate {
  constructor(private readonly deps: { db: Executor; clock: Clock; expired?: () => void }) {}

  /**
   * 401 unless `lease` is the lease of update `updateId` of stack `ref`; 403 when it is but the
   * update has ended or the lease expired (the CLI reads 403 as "lease lost"), unless `allowEnded`
   * (`complete` is retried after it succeeded).
   */
  async check(ref: StackRef, updateId: string, lease: string, options: { allowEnded?: boolean } = {}): Promise<void> {
    // No stored name or id holds a NUL, and PostgreSQL refuses one in a query.
    if ([ref.organization, ref.project, ref.stack, updateId].some((part) => part.includes('\0'))) {
      throw new ApiError('unauthorized', unknownLeaseMessage);
    }
    const update = await findUpdateLease(this.deps.db, ref, updateId);
    const presented = Buffer.from(hashAccessToken(lease), 'hex');
    const stored = update?.lease_token_hash ? Buffer.from(update.lease_token_hash, 'hex') : undefined;
    if (!update || !stored || stored.length !== presented.length || !timingSafeEqual(stored, presented)) {
      throw new ApiError('unauthorized', unknownLeaseMessage);
    }
    const ended = update.status !== 'running' && update.status !== 'not started';
    if (ended && options.allowEnded) return;
    if (update.status !== 'running') {
      throw new ApiError('forbidden', `the lease of update '${updateId}' is no longer valid (status: ${update.status})`);
    }
    if (update.lease_expires_at === null || update.lease_expires_at <= this.deps.clock.now()) {
      this.deps.expired?.();
      throw new ApiError('forbidden', `the lease of update '${updateId}' has expired`);
    }
  }
}
