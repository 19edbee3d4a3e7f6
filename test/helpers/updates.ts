import assert from 'node:assert/strict';
import type { ApiClient, RequestOptions } from './http.js';

export const program = (dryRun: boolean) => ({
  name: 'proj',
  runtime: 'nodejs',
  main: '',
  description: '',
  options: { localPolicyPackPaths: [], color: 'raw', dryRun, parallel: 16, showConfig: false, showReplacementSteps: false, showNames: false, summary: false, debug: false },
  config: { 'proj:greeting': { string: 'hello', secret: false, object: false } },
  metadata: { message: 'a test update', environment: { 'exec.kind': 'cli', 'git.head': 'abc123' } },
});

/** An update as the CLI runs one: created at `.../{kind}`, started at `.../update/{id}`. */
export async function beginUpdate(
  api: ApiClient,
  stackPath: string,
  kind = 'update',
  dryRun = kind === 'preview',
  journalVersion = 0,
) {
  const created = await api.post(`${stackPath}/${kind}`, program(dryRun));
  assert.equal(created.status, 200, created.text);
  const updateId = created.body.updateID as string;
  // As the CLI does: the project tag names the stack's own project (`/api/stacks/{org}/{project}/{stack}`).
  const project = stackPath.split('/')[4];
  const started = await api.post(`${stackPath}/update/${updateId}`, { tags: { 'pulumi:project': project }, journalVersion });
  assert.equal(started.status, 200, started.text);
  return { updateId, token: started.body.token as string, version: started.body.version as number, started: started.body };
}

/** What the CLI sends on the calls an update makes with its lease. */
export function withLease(token: string, options: RequestOptions = {}): RequestOptions {
  return { ...options, token: null, headers: { Authorization: `update-token ${token}`, ...options.headers } };
}
