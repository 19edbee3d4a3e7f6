import type { Executor } from '../../db/executor.js';
import type { StackRecord } from '../stacks/store.js';
import { forgetStackResources, indexStackState } from '../search/maintain.js';
import { recordResourceCount } from '../usage/record.js';

/** A stack whose newest state just changed, by the names it has after the change. */
export interface SettledStack {
  id: string;
  organizationId: string;
  project: string;
  stack: string;
}

export const settledStackOf = (stack: StackRecord): SettledStack => ({
  id: stack.id,
  organizationId: stack.organization_id,
  project: stack.project_name,
  stack: stack.name,
});

/**
 * Everything derived from a stack's newest state follows it here, in the transaction that changed
 * it: an update's end, an import, a rename or transfer, a stack created with a state, a backend
 * import. `state` is the stored UntypedDeployment's bytes with the resource count its caller
 * already made of them (undefined: no state yet); `at` is when the change happened (unix ms).
 */
export async function stackStateSettled(
  tx: Executor,
  stack: SettledStack,
  state: { deployment: Buffer; resourceCount: number } | undefined,
  at: number,
): Promise<void> {
  await indexStackState(tx, stack, state?.deployment);
  await recordResourceCount(tx, stack, state?.resourceCount ?? 0, at);
}

/** The stack is being deleted: what was derived from its state goes with it. */
export async function stackRemoved(tx: Executor, stack: { id: string; organizationId: string }, at: number): Promise<void> {
  await forgetStackResources(tx, stack.id);
  // Usage history stays: the stack counts 0 from now on.
  await recordResourceCount(tx, stack, 0, at);
}
