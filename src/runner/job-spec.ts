/** The wire shapes of docs/runner-protocol.md that the runner reads and sends. */

export type DeploymentOperation = 'update' | 'preview' | 'refresh' | 'destroy' | 'detect-drift' | 'remediate-drift';

export const deploymentOperations: readonly DeploymentOperation[] = ['update', 'preview', 'refresh', 'destroy', 'detect-drift', 'remediate-drift'];

/** `GET /api/deployments/poll` when a deployment was claimed. */
export interface DeploymentClaim {
  deploymentID: string;
  jobToken: string;
}

export interface GitAuth {
  accessToken?: string;
  sshPrivateKey?: string;
  sshPassword?: string;
  username?: string;
  password?: string;
}

export interface GitSource {
  repoUrl: string;
  branch?: string;
  commit?: string;
  repoDir?: string;
  auth?: GitAuth;
}

/** `GET /api/deployments/{id}/job`, with the optional parts filled in by `parseJobSpec`. */
export interface JobSpec {
  deploymentId: string;
  organization: string;
  project: string;
  stack: string;
  operation: DeploymentOperation;
  backendUrl: string;
  source: { git?: GitSource };
  environmentVariables: Record<string, string>;
  secretValues: string[];
  preRunCommands: string[];
  options: { skipInstallDependencies: boolean; shell: string };
  steps: { name: string }[];
  heartbeatIntervalMs: number;
}

export type StepStatus = 'running' | 'succeeded' | 'failed';

export interface Completion {
  status: 'succeeded' | 'failed';
  message?: string;
  driftDetected?: true;
}

const defaultHeartbeatIntervalMs = 20_000;

/** Checks what the runner cannot do without and fills in what the document marks optional. */
export function parseJobSpec(body: unknown): JobSpec {
  const job = (body ?? {}) as Record<string, any>;
  const text = (name: string): string => {
    if (typeof job[name] !== 'string' || job[name] === '') throw new Error(`the job has no '${name}'`);
    return job[name];
  };
  if (!deploymentOperations.includes(job.operation)) throw new Error(`the job's operation '${String(job.operation)}' is not one this runner knows`);
  if (!Array.isArray(job.steps) || job.steps.some((s: any) => typeof s?.name !== 'string')) throw new Error('the job has no list of named steps');
  // A git source without a repoUrl is no source at all.
  const git = typeof job.source?.git?.repoUrl === 'string' && job.source.git.repoUrl !== '' ? job.source.git : undefined;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  return {
    deploymentId: text('deploymentId'),
    organization: text('organization'),
    project: text('project'),
    stack: text('stack'),
    operation: job.operation,
    backendUrl: text('backendUrl'),
    source: git ? { git } : {},
    environmentVariables: Object.fromEntries(
      Object.entries((job.environmentVariables ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
    secretValues: strings(job.secretValues),
    preRunCommands: strings(job.preRunCommands),
    options: { skipInstallDependencies: job.options?.skipInstallDependencies === true, shell: typeof job.options?.shell === 'string' ? job.options.shell : '' },
    steps: job.steps.map((s: { name: string }) => ({ name: s.name })),
    heartbeatIntervalMs: Number.isFinite(job.heartbeatIntervalMs) && job.heartbeatIntervalMs > 0 ? job.heartbeatIntervalMs : defaultHeartbeatIntervalMs,
  };
}
