import { stackLabel, stackPath, type StackNames } from './stack-events.js';
import type { WebhookFilter } from './events.js';
import type { EventContent } from './payloads.js';

/** What webhooks say of a deployment (kind `deployment`) and of what a drift run found. */
export interface DeploymentFacts {
  version: number;
  operation: string;
  status: string;
}

export function deploymentEvent(publicUrl: string, stack: StackNames, facts: DeploymentFacts, event: WebhookFilter): { event: WebhookFilter; content: EventContent } {
  const url = `${publicUrl}/${stackPath(stack)}/deployments/${facts.version}`;
  const outcome = facts.status === 'succeeded' ? 'succeeded' : facts.status === 'failed' ? 'failed' : undefined;
  return {
    event,
    content: {
      fields: { projectName: stack.project, stackName: stack.stack, deploymentUrl: url, version: facts.version, operation: facts.operation, status: facts.status },
      summary: {
        title: `Deployment ${facts.version} (${facts.operation}) of ${stackLabel(stack)}: ${facts.status}`,
        ...(outcome && { outcome }),
        facts: [
          ['Stack', stackLabel(stack)],
          ['Operation', facts.operation],
          ['Status', facts.status],
        ],
        link: { label: 'View deployment', url },
      },
    },
  };
}

/** `drift_detected`, `drift_detection_*` or `drift_remediation_*`, pointing at the deployment that ran. */
export function driftEvent(
  publicUrl: string,
  stack: StackNames,
  run: { version: number; deploymentId: string; succeeded: boolean; driftDetected?: boolean },
  event: WebhookFilter,
): { event: WebhookFilter; content: EventContent } {
  const url = `${publicUrl}/${stackPath(stack)}/deployments/${run.version}`;
  const status = run.succeeded ? 'succeeded' : 'failed';
  return {
    event,
    content: {
      fields: {
        projectName: stack.project,
        stackName: stack.stack,
        ...(run.driftDetected !== undefined && { driftDetected: run.driftDetected, driftRunId: run.deploymentId }),
        status,
        referenceUrl: url,
      },
      summary: {
        title: `${event.startsWith('drift_remediation') ? 'Drift remediation' : 'Drift detection'} of ${stackLabel(stack)}: ${run.driftDetected ? 'drift detected' : status}`,
        outcome: run.succeeded && !run.driftDetected ? 'succeeded' : 'failed',
        facts: [
          ['Stack', stackLabel(stack)],
          ['Status', status],
        ],
        link: { label: 'View deployment', url },
      },
    },
  };
}
