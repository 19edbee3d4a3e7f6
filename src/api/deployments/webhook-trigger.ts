import type { Caller } from '../../auth/caller.js';
import { requireStack } from '../../auth/permissions.js';
import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import { findOrganizationById } from '../orgs/store.js';
import { findUserById } from '../user/store.js';
import type { DeploymentService } from './service.js';
import { findSettings } from './store.js';

/** What a `pulumi_deployments` delivery records in place of an HTTP response. */
export interface TriggerOutcome {
  status: number;
  body: string;
}

/**
 * `pulumi_deployments` webhooks: an event starts an update of the stack the hook names
 * (`<project>/<stack>` in the hook's organization) with that stack's own deployment settings, which
 * it cannot override. The deployment is requested by the person whose action raised the event, who
 * must be able to edit the target stack: a hook on one stack is no way into another.
 */
export class WebhookDeploymentTrigger {
  constructor(private readonly deps: { db: Executor; deployments: DeploymentService }) {}

  /** `check`: a ping, which says whether an event would start a deployment, and starts none. */
  async trigger(organizationId: string, target: string, actorUserId: string | undefined, check: boolean): Promise<TriggerOutcome> {
    try {
      const org = await findOrganizationById(this.deps.db, organizationId);
      const user = actorUserId === undefined ? undefined : await findUserById(this.deps.db, actorUserId);
      if (!org) throw new ApiError('not_found', 'the organization of the webhook no longer exists');
      if (!user) throw new ApiError('bad_request', `the event names no user to request the deployment of '${target}' as`);
      const [project = '', stackName = ''] = target.split('/');
      const ref = { organization: org.name, project, stack: stackName };
      const caller: Caller = { user, principal: { kind: 'person' }, token: { id: '', name: 'pulumi_deployments webhook', kind: 'personal' }, sourceIp: '' };
      const stack = await requireStack(this.deps.db, caller, ref, 'edit');
      if (!(await findSettings(this.deps.db, stack.id))) throw new ApiError('bad_request', `stack '${target}' has no deployment settings to run with`);
      if (check) return { status: 200, body: JSON.stringify({ message: `an event would start an update of '${target}'` }) };
      const queued = await this.deps.deployments.create(caller, ref, { operation: 'update' }, 'webhook');
      return { status: 202, body: JSON.stringify(queued) };
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status, body: JSON.stringify(error.toBody()) };
      throw error;
    }
  }
}
