// Deployments as the API gives them (`GetDeploymentResponse`), shared by the organization's page and the stack's tab.

export interface Deployment {
  id: string;
  created: string;
  modified: string;
  status: string;
  version: number;
  requestedBy: { githubLogin: string; name: string };
  initiator: string;
  pulumiOperation: string;
  projectName: string;
  stackName: string;
  jobs: Array<{ steps: Array<{ name: string; status: string }> }>;
}

export interface DeploymentList {
  deployments: Deployment[];
  itemsPerPage: number;
  total: number;
}

/** The badge class of a status: green when it succeeded, red when it failed, plain otherwise. */
export const statusClass = (status: string): string => (status === 'succeeded' ? 'badge succeeded' : status === 'failed' ? 'badge failed' : 'badge');

/** A deployment in one of these states changes no more; the pages poll while one is not. */
export const isFinished = (status: string): boolean => ['failed', 'succeeded', 'skipped'].includes(status);

/** How often a list with a deployment still running is read again. */
export const pollWhileRunning = (list: DeploymentList | undefined): number | false => (list?.deployments.some((d) => !isFinished(d.status)) ? 5_000 : false);
