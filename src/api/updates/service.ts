import type { Caller } from '../../auth/caller.js';
import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import { stackLabel, type StackRef, type StackService } from '../stacks/service.js';
import { findUpdate } from './store.js';

/** `UpdateResults`; a token is present while the update can still produce events. */
export interface UpdateResultsView {
  status: string;
  events: unknown[];
  continuationToken?: string;
}

export class UpdateService {
  constructor(private readonly deps: { db: Executor; stacks: StackService }) {}

  async results(caller: Caller, ref: StackRef, updateId: string): Promise<UpdateResultsView> {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref);
    const update = await findUpdate(this.deps.db, stack.id, updateId);
    if (!update) throw new ApiError('not_found', `update '${updateId}' not found on stack '${stackLabel(ref)}'`);
    const finished = update.status === 'succeeded' || update.status === 'failed' || update.status === 'cancelled';
    return { status: update.status, events: [], ...(!finished && { continuationToken: '0' }) };
  }
}
