/**
 * The webhook events Pulumi Cloud documents: each filter name, the group it belongs to, the
 * `Pulumi-Webhook-Kind` it is delivered as, and the scopes whose hooks may subscribe to it.
 * Filters of areas this server does not run yet (deployments, drift, policies, change requests)
 * are accepted, as Pulumi accepts them, and fire once those areas do.
 */

export type WebhookScope = 'organization' | 'stack' | 'environment';
export type WebhookFormat = 'raw' | 'slack' | 'ms_teams' | 'pulumi_deployments';
export const webhookFormats: readonly WebhookFormat[] = ['raw', 'slack', 'ms_teams', 'pulumi_deployments'];

interface FilterEntry {
  group: string | undefined;
  kind: string;
  scopes: readonly WebhookScope[];
}

const orgOnly = ['organization'] as const;
const orgAndStack = ['organization', 'stack'] as const;
const orgAndEnv = ['organization', 'environment'] as const;

const filters = {
  stack_created: { group: 'stacks', kind: 'stack', scopes: orgOnly },
  stack_deleted: { group: 'stacks', kind: 'stack', scopes: orgOnly },
  preview_succeeded: { group: 'stacks', kind: 'stack_preview', scopes: orgAndStack },
  preview_failed: { group: 'stacks', kind: 'stack_preview', scopes: orgAndStack },
  update_succeeded: { group: 'stacks', kind: 'stack_update', scopes: orgAndStack },
  update_failed: { group: 'stacks', kind: 'stack_update', scopes: orgAndStack },
  destroy_succeeded: { group: 'stacks', kind: 'stack_update', scopes: orgAndStack },
  destroy_failed: { group: 'stacks', kind: 'stack_update', scopes: orgAndStack },
  refresh_succeeded: { group: 'stacks', kind: 'stack_update', scopes: orgAndStack },
  refresh_failed: { group: 'stacks', kind: 'stack_update', scopes: orgAndStack },
  import_succeeded: { group: 'stacks', kind: 'stack_update', scopes: orgAndStack },
  import_failed: { group: 'stacks', kind: 'stack_update', scopes: orgAndStack },
  deployment_queued: { group: 'deployments', kind: 'deployment', scopes: orgAndStack },
  deployment_started: { group: 'deployments', kind: 'deployment', scopes: orgAndStack },
  deployment_succeeded: { group: 'deployments', kind: 'deployment', scopes: orgAndStack },
  deployment_failed: { group: 'deployments', kind: 'deployment', scopes: orgAndStack },
  deployment_file_ingestion_failed: { group: 'deployments', kind: 'deployment', scopes: orgAndStack },
  drift_detected: { group: 'deployments', kind: 'drift_detection', scopes: orgAndStack },
  drift_detection_succeeded: { group: 'deployments', kind: 'drift_detection', scopes: orgAndStack },
  drift_detection_failed: { group: 'deployments', kind: 'drift_detection', scopes: orgAndStack },
  drift_remediation_succeeded: { group: 'deployments', kind: 'drift_remediation', scopes: orgAndStack },
  drift_remediation_failed: { group: 'deployments', kind: 'drift_remediation', scopes: orgAndStack },
  policy_violation_mandatory: { group: 'policies', kind: 'policy_violation', scopes: orgAndStack },
  policy_violation_advisory: { group: 'policies', kind: 'policy_violation', scopes: orgAndStack },
  environment_created: { group: 'environments', kind: 'environment', scopes: orgOnly },
  environment_deleted: { group: 'environments', kind: 'environment', scopes: orgOnly },
  environment_revision_created: { group: 'environments', kind: 'environment_revision', scopes: orgAndEnv },
  environment_revision_retracted: { group: 'environments', kind: 'environment_revision', scopes: orgAndEnv },
  environment_revision_tag_created: { group: 'environments', kind: 'environment_revision_tag', scopes: orgAndEnv },
  environment_revision_tag_deleted: { group: 'environments', kind: 'environment_revision_tag', scopes: orgAndEnv },
  environment_revision_tag_updated: { group: 'environments', kind: 'environment_revision_tag', scopes: orgAndEnv },
  environment_tag_created: { group: 'environments', kind: 'environment_tag', scopes: orgAndEnv },
  environment_tag_deleted: { group: 'environments', kind: 'environment_tag', scopes: orgAndEnv },
  environment_tag_updated: { group: 'environments', kind: 'environment_tag', scopes: orgAndEnv },
  imported_environment_changed: { group: 'environments', kind: 'imported_environment_changed', scopes: orgAndEnv },
  // In no group of the CLI's tables: only a filter naming them selects them.
  environment_rotation_succeeded: { group: undefined, kind: 'environment_rotation', scopes: orgAndEnv },
  environment_rotation_failed: { group: undefined, kind: 'environment_rotation', scopes: orgAndEnv },
  change_request_created: { group: 'change_requests', kind: 'change_request', scopes: orgAndEnv },
  change_request_updated: { group: 'change_requests', kind: 'change_request', scopes: orgAndEnv },
  change_request_approved: { group: 'change_requests', kind: 'change_request', scopes: orgAndEnv },
  change_request_unapproved: { group: 'change_requests', kind: 'change_request', scopes: orgAndEnv },
  change_request_closed: { group: 'change_requests', kind: 'change_request', scopes: orgAndEnv },
  change_request_applied: { group: 'change_requests', kind: 'change_request', scopes: orgAndEnv },
  change_request_submitted: { group: 'change_requests', kind: 'change_request', scopes: orgAndEnv },
} as const satisfies Record<string, FilterEntry>;

export type WebhookFilter = keyof typeof filters;

/** The groups each scope's hooks may subscribe to (the CLIs' tables). */
const groupsOfScope: Record<WebhookScope, readonly string[]> = {
  organization: ['stacks', 'deployments', 'policies', 'environments', 'change_requests'],
  stack: ['stacks', 'deployments', 'policies'],
  environment: ['environments', 'change_requests'],
};

export function filterEntry(name: string): FilterEntry | undefined {
  return Object.hasOwn(filters, name) ? filters[name as WebhookFilter] : undefined;
}

/** What is wrong with a hook's filters and groups for its scope, or undefined. */
export function subscriptionProblem(scope: WebhookScope, eventFilters: readonly string[], groups: readonly string[]): string | undefined {
  for (const name of eventFilters) {
    const entry = filterEntry(name);
    if (!entry) return `unknown webhook filter '${name}'; known filters: ${Object.keys(filters).join(', ')}`;
    if (!entry.scopes.includes(scope)) return `the filter '${name}' is for ${entry.scopes.join(' and ')} webhooks only, not ${scope} webhooks`;
  }
  const allowed = groupsOfScope[scope];
  for (const group of groups) {
    if (!allowed.includes(group)) return `unknown webhook group '${group}' for ${scope} webhooks; valid groups: ${allowed.join(', ')}`;
  }
  return undefined;
}

/** Whether a hook subscribed to these filters and groups receives the event: none of either means all. */
export function subscribes(eventFilters: readonly string[], groups: readonly string[], event: WebhookFilter): boolean {
  if (eventFilters.length === 0 && groups.length === 0) return true;
  const group = filters[event].group;
  return eventFilters.includes(event) || (group !== undefined && groups.includes(group));
}

export const kindOf = (event: WebhookFilter): string => filters[event].kind;
