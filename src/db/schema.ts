import type { Generated } from 'kysely';

/** Row types. Times are unix milliseconds; booleans are 0/1 so both dialects agree. */
export interface Database {
  users: UsersTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  access_tokens: AccessTokensTable;
  projects: ProjectsTable;
  stacks: StacksTable;
  stack_tags: StackTagsTable;
  stack_settings: StackSettingsTable;
  stack_versions: StackVersionsTable;
  updates: UpdatesTable;
  update_events: UpdateEventsTable;
  update_journal_entries: UpdateJournalEntriesTable;
  update_checkpoint_deltas: UpdateCheckpointDeltasTable;
  stack_secret_keys: StackSecretKeysTable;
  blobs: BlobsTable;
  jobs: JobsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  team_stack_permissions: TeamStackPermissionsTable;
  audit_events: AuditEventsTable;
  environments: EnvironmentsTable;
  environment_revisions: EnvironmentRevisionsTable;
  environment_revision_tags: EnvironmentRevisionTagsTable;
  environment_tags: EnvironmentTagsTable;
  environment_keys: EnvironmentKeysTable;
  environment_open_sessions: EnvironmentOpenSessionsTable;
  team_environment_permissions: TeamEnvironmentPermissionsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  oidc_issuers: OidcIssuersTable;
  oidc_auth_policies: OidcAuthPoliciesTable;
  resource_count_history: ResourceCountHistoryTable;
  indexed_stacks: IndexedStacksTable;
  indexed_stack_entries: IndexedStackEntriesTable;
  indexed_types: IndexedTypesTable;
  resource_index: ResourceIndexTable;
  resource_index_details: ResourceIndexDetailsTable;
  resource_index_counts: ResourceIndexCountsTable;
  policy_packs: PolicyPacksTable;
  policy_pack_versions: PolicyPackVersionsTable;
  policy_groups: PolicyGroupsTable;
  policy_group_stacks: PolicyGroupStacksTable;
  policy_group_exclusions: PolicyGroupStacksTable;
  policy_group_packs: PolicyGroupPacksTable;
  policy_violations: PolicyViolationsTable;
  agent_pools: AgentPoolsTable;
  agent_pool_runners: AgentPoolRunnersTable;
  deployment_settings: DeploymentSettingsTable;
  organization_deployment_pauses: OrganizationDeploymentPausesTable;
  deployments: DeploymentsTable;
  deployment_steps: DeploymentStepsTable;
  deployment_logs: DeploymentLogsTable;
  deployment_updates: DeploymentUpdatesTable;
  deployment_schedules: DeploymentSchedulesTable;
  deployment_schedule_history: DeploymentScheduleHistoryTable;
  access_generation: AccessGenerationTable;
}

/** One row (id 1): bumped by triggers on every change to tokens, organizations, memberships and teams (migration 0022). */
export interface AccessGenerationTable {
  id: number;
  value: number;
}

/** Background work (src/jobs/): claimed by one process at a time until `locked_until`. */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON. */
  payload: string;
  run_after: number;
  attempts: Generated<number>;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
}

/** The database's own blob store (src/blobs/database.ts), the default one. */
export interface BlobsTable {
  key: string;
  bytes: Uint8Array;
  created_at: number;
}

export interface UsersTable {
  id: string;
  login: string;
  name: string;
  email: string;
  avatar_url: string;
  site_admin: number;
  created_at: number;
  /** `person`, or the machine identity an organization or team token acts as (login `org:<org>`, `team:<org>/<team>`). */
  kind: UserKind;
}

export type UserKind = 'person' | 'organization' | 'team';

export interface OrganizationsTable {
  id: string;
  name: string;
  display_name: string;
  created_at: number;
  /** What every member may do with every stack: a StackPermission (0, 101, 102, 103). */
  default_stack_permission: number;
}

export type OrganizationRole = 'admin' | 'member';

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  created_at: number;
}

export type TokenKind = 'personal' | 'organization' | 'team' | 'deployment';

export interface AccessTokensTable {
  id: string;
  kind: TokenKind;
  /** The person a personal token belongs to. */
  user_id: string | null;
  /** The organization of an organization or team token. */
  organization_id: string | null;
  team_id: string | null;
  /** Organization and team tokens are named, uniquely in their organization (revoked ones included). */
  name: string | null;
  description: string;
  /** 1 for an organization token with the admin role. */
  admin: number;
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string;
  created_by_user_id: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  /** A deployment token: the one stack it may change, for the one deployment it runs (migration 0021). */
  scope_stack_id: string | null;
  scope_deployment_id: string | null;
}

export interface TeamsTable {
  id: string;
  organization_id: string;
  name: string;
  display_name: string;
  description: string;
  kind: 'pulumi';
  created_at: number;
}

export type TeamRole = 'member' | 'admin';

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: TeamRole;
  created_at: number;
}

/** A team's StackPermission (101 read, 102 edit, 103 admin) on one stack. */
export interface TeamStackPermissionsTable {
  team_id: string;
  stack_id: string;
  permission: number;
}

/** One audit log entry, written in the transaction of what it records. */
export interface AuditEventsTable {
  id: Generated<number>;
  organization_id: string;
  occurred_at: number;
  source_ip: string;
  /** The event id (`stack-created`); display names and flags come from the catalog. */
  event: string;
  description: string;
  user_id: string | null;
  /** Who acted, as they were named then. */
  user_login: string;
  user_name: string;
  user_avatar_url: string;
  token_id: string | null;
  token_name: string | null;
  actor_name: string | null;
  req_org_admin: number;
  req_stack_admin: number;
  auth_failure: number;
}

export interface ProjectsTable {
  id: string;
  organization_id: string;
  name: string;
  created_at: number;
}

export interface StacksTable {
  id: string;
  project_id: string;
  name: string;
  /** The version of the newest checkpoint; 0 before the first one. */
  version: number;
  /** Id of the most recent update, completed or running; '' when there is none. */
  active_update_id: string;
  created_at: number;
  /** Who created it (a person or a token's machine identity): they hold admin on it. Null before 0006. */
  created_by_user_id: string | null;
}

export interface StackSettingsTable {
  stack_id: string;
  notify_update_failure: number;
  notify_update_success: number;
  /** The StackConfig JSON when an ESC environment holds the stack's configuration. */
  config: string | null;
}

export interface StackTagsTable {
  stack_id: string;
  name: string;
  value: string;
}

/** One stored checkpoint: the blob holding the exact bytes of the UntypedDeployment a client sent. */
export interface StackVersionsTable {
  stack_id: string;
  version: number;
  deployment_key: string;
  resource_count: number;
  created_at: number;
}

/**
 * A stack's resource count from `at` on, in an organization: appended when it changes, 0 when the
 * stack is deleted or leaves the organization. Never cascaded: usage outlives the stack.
 */
export interface ResourceCountHistoryTable {
  id: Generated<number>;
  organization_id: string;
  stack_id: string;
  at: number;
  resource_count: number;
}

export type UpdateKind = 'update' | 'preview' | 'refresh' | 'destroy' | 'import' | 'rename';
export type UpdateStatus = 'not started' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface UpdatesTable {
  id: string;
  stack_id: string;
  kind: UpdateKind;
  status: UpdateStatus;
  /** Stack version this update produced; 0 when it produced none. */
  version: number;
  author_user_id: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  seq: Generated<number>;
  /** 1 for previews and the preview phase of up/refresh/destroy: no version, no checkpoints. */
  dry_run: Generated<number>;
  /** JSON: the UpdateProgramRequest's name, runtime, main, description and options. */
  program: Generated<string>;
  /** JSON: the config map the CLI sent, secrets as ciphertexts. */
  config: Generated<string>;
  message: Generated<string>;
  /** JSON: metadata.environment (git, CI, exec.kind ...). */
  environment: Generated<string>;
  /** SHA-256 of the lease token; the lease itself is never stored. */
  lease_token_hash: string | null;
  lease_expires_at: number | null;
  /** Last applied sequenceNumber of a verbatim or delta checkpoint; 0 before the first. */
  checkpoint_sequence: Generated<number>;
  /** JSON: resourceChanges from the engine's summary event. */
  resource_changes: string | null;
  resource_count: number | null;
  /** The CLI's version, from its User-Agent; journaled states carry it in their manifest. */
  cli_version: Generated<string>;
  /** 1 when the update sends journal entries instead of checkpoints. */
  journal_version: Generated<number>;
  /** How many distinct journal entries the update has sent. */
  journal_entry_count: Generated<number>;
  /** How many of them are already folded into the stored state. */
  materialized_entry_count: Generated<number>;
  /** The checkpoint sequence whose text is the stored state; later ones are delta rows. */
  materialized_checkpoint_sequence: Generated<number>;
}

export interface UpdateJournalEntriesTable {
  update_id: string;
  sequence_id: number;
  /** Copied out of the entry, so replay can leave `begin` entries unparsed. */
  kind: number;
  operation_id: number;
  /** The apitype.JournalEntry as JSON text, without its state. */
  entry: string;
  /** The entry's resource state as JSON text, spliced into replayed states unparsed. */
  state: string | null;
  /** JournalRowFlags: what replay must know without parsing. */
  flags: Generated<number>;
}

/** A delta checkpoint not yet folded into the stored state of its update's version. */
export interface UpdateCheckpointDeltasTable {
  update_id: string;
  sequence: number;
  /** SHA-256 (hex) of the text after the delta, as the CLI computed it. */
  checkpoint_hash: string;
  /** The CLI's deploymentDelta (a list of text edits) as JSON text. */
  delta: string;
}

export interface UpdateEventsTable {
  update_id: string;
  sequence: number;
  /** Which event it is: the name of its payload field (`diagnosticEvent`, `summaryEvent` ...). */
  kind: string;
  /** The engine event as the CLI sent it, as JSON text. */
  event: string;
  /** The resource the event concerns, when it names one. */
  urn: string | null;
}

/** A stack's data key for service secrets, wrapped (AES-256-GCM) by the master key. */
export interface StackSecretKeysTable {
  stack_id: string;
  wrapped_key: Uint8Array;
  created_at: number;
}

export interface EnvironmentsTable {
  id: string;
  organization_id: string;
  project: string;
  name: string;
  created_at: number;
  modified_at: number;
  created_by_user_id: string | null;
  /** The newest revision; a new environment's first, empty one is 1. */
  latest_revision: number;
}

export interface EnvironmentRevisionsTable {
  environment_id: string;
  revision: number;
  /** The YAML definition, its `fn::secret` values ciphertexts of the environment's data key. */
  definition: string;
  created_at: number;
  creator_user_id: string | null;
  retracted_at: number | null;
  retracted_by_user_id: string | null;
  retracted_replacement: number | null;
  retracted_reason: string | null;
}

export interface EnvironmentRevisionTagsTable {
  environment_id: string;
  name: string;
  revision: number;
  created_at: number;
  modified_at: number;
  editor_user_id: string | null;
}

export interface EnvironmentTagsTable {
  id: string;
  environment_id: string;
  name: string;
  value: string;
  created_at: number;
  modified_at: number;
  editor_user_id: string | null;
}

export interface EnvironmentKeysTable {
  owner_id: string;
  wrapped_key: Buffer;
  created_at: number;
}

export interface EnvironmentOpenSessionsTable {
  id: string;
  organization_id: string;
  environment_id: string | null;
  key_owner_id: string;
  /** The opened environment's JSON, sealed with the key of `key_owner_id`. */
  sealed: Buffer;
  created_at: number;
  expires_at: number;
}

export interface TeamEnvironmentPermissionsTable {
  team_id: string;
  environment_id: string;
  /** 1 read, 2 open, 3 write, 4 admin. */
  permission: number;
  max_open_duration: string | null;
}

/** A webhook of an organization, a stack or an environment (src/api/webhooks/). */
export interface WebhooksTable {
  id: string;
  organization_id: string;
  /** `org`, `stack:<stack id>` or `env:<environment id>`. */
  scope_key: string;
  stack_id: string | null;
  environment_id: string | null;
  name: string;
  display_name: string;
  payload_url: string;
  format: string;
  active: number;
  /** JSON arrays of event and group names. */
  filters: string;
  groups: string;
  /** The secret, sealed by the master key; null: none. */
  secret_sealed: Buffer | null;
  secret_digest: string;
  created_at: number;
  updated_at: number;
}

/** One attempt to deliver an event to a webhook, as `…/deliveries` lists it. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: string;
  event_id: string;
  kind: string;
  payload: string;
  attempt: number;
  sent_at: number;
  duration_ms: number;
  request_url: string;
  request_headers: string;
  response_code: number;
  response_headers: string;
  response_body: string;
}

/** An OIDC issuer an organization trusts for token exchange (src/api/oidc/). */
export interface OidcIssuersTable {
  id: string;
  organization_id: string;
  name: string;
  url: string;
  /** The `iss` its tokens carry: the discovery document's `issuer`, or the URL for inline keys. */
  issuer: string;
  jwks_uri: string | null;
  /** JSON: the key set, inline or as last fetched. */
  jwks: string;
  /** 1: the keys were given inline and are never fetched. */
  jwks_static: number;
  /** JSON array of lower-case hex SHA-256 fingerprints of the TLS certificates allowed to serve it. */
  thumbprints: string;
  max_expiration_seconds: number | null;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
}

/** An issuer's authorization policy: its id is the issuer's. */
export interface OidcAuthPoliciesTable {
  id: string;
  version: number;
  /** JSON array of policy definitions, in the order given. */
  policies: string;
  created_at: number;
  updated_at: number;
}

/** The search index's numbering of stacks, with the names they are searched by (src/api/search/). */
export interface IndexedStacksTable {
  key: Generated<number>;
  stack_id: string;
  organization_id: string;
  project: string;
  stack: string;
}

/** What index maintenance matches a stack's next state against (migration 0019, src/api/search/index-store.ts). */
export interface IndexedStackEntriesTable {
  stack_key: number;
  /** Of the resources and pending operations the stack was indexed from. */
  state_digest: string;
  /** JSON: one array per index row. */
  entries: string;
}

/** The search index's numbering of resource types, with the parts a query names them by. */
export interface IndexedTypesTable {
  key: Generated<number>;
  type: string;
  short: string;
  package: string;
  module: string;
}

/** One resource of a stack's newest state, as resource search filters and sorts it. */
export interface ResourceIndexTable {
  id: Generated<number>;
  stack_key: number;
  type_key: number;
  name: string;
  /** Unix ms; 0 when the state does not say. */
  created: number;
  modified: number;
  custom: number;
  del: number;
  protected: number;
  /** The interrupted operation on it (`creating`…), or ''. */
  pending: string;
  /** Its provider's package version, '' when none; `version_key` orders it. */
  version: string;
  version_key: string;
}

/** How many `resource_index` rows each stack has of each type (none: no row). */
export interface ResourceIndexCountsTable {
  stack_key: number;
  type_key: number;
  resources: number;
}

/** What only a page of search results needs of a resource. */
export interface ResourceIndexDetailsTable {
  id: number;
  urn: string;
  /** What the text index holds of the URN (migration 0018). */
  urn_text: string;
  resource_id: string;
  parent_urn: string;
  provider_urn: string;
  dependencies: string;
  digest: string;
  properties: string;
}

/** Policy packs of an organization (src/api/policy/), one row per name. */
export interface PolicyPacksTable {
  id: string;
  organization_id: string;
  name: string;
  created_at: number;
}

export interface PolicyPackVersionsTable {
  id: string;
  pack_id: string;
  version: number;
  version_tag: string;
  display_name: string;
  runtime: string;
  /** JSON array of the policies as published. */
  policies: string;
  /** JSON object: the rest of the publish request (description, readme, provider, tags, repository, metadata). */
  details: string;
  blob_key: string | null;
  complete: number;
  created_at: number;
}

export interface PolicyGroupsTable {
  id: string;
  organization_id: string;
  name: string;
  is_default: number;
  entity_type: string;
  mode: string;
  agent_pool_id: string;
  created_at: number;
}

/** A group's added stacks, or the default group's removed ones (see migration 0020). */
export interface PolicyGroupStacksTable {
  group_id: string;
  stack_id: string;
}

export interface PolicyGroupPacksTable {
  group_id: string;
  pack_id: string;
  version_id: string;
  /** JSON object, or null when none was given. */
  config: string | null;
  /** JSON array of ESC environment references, or null. */
  environments: string | null;
  created_at: number;
}

export interface PolicyViolationsTable {
  id: string;
  stack_id: string;
  update_id: string;
  stack_version: number | null;
  kind: string;
  policy_pack: string;
  policy_pack_tag: string;
  policy_name: string;
  level: string;
  severity: string;
  message: string;
  resource_urn: string;
  resource_type: string;
  status: string;
  priority: string;
  assigned_to_user_id: string | null;
  observed_at: number;
  modified_at: number;
}

/** Deployments, their pools and schedules (see migration 0021). */
export interface AgentPoolsTable {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  token_hash: string;
  created_at: number;
  last_deployment_at: number | null;
}

export interface AgentPoolRunnersTable {
  /** The pool's id, or '' for the server's default pool. */
  pool_key: string;
  runner_id: string;
  hostname: string;
  ip: string;
  pid: string;
  version: string;
  platform: string;
  last_seen: number;
}

export interface DeploymentSettingsTable {
  stack_id: string;
  /** JSON, as clients send it, with every secret sealed (`{"ciphertext": …}`). */
  settings: string;
  agent_pool_id: string | null;
  version: number;
  source: string;
  paused: number;
  modified_at: number;
}

export interface OrganizationDeploymentPausesTable {
  organization_id: string;
  paused_at: number;
}

export type DeploymentStatus = 'not-started' | 'accepted' | 'running' | 'failed' | 'succeeded' | 'skipped';

export interface DeploymentsTable {
  id: string;
  stack_id: string;
  organization_id: string;
  version: number;
  status: DeploymentStatus;
  operation: string;
  initiator: string;
  requested_by_user_id: string;
  agent_pool_id: string | null;
  configuration: string;
  inherit_settings: number;
  created_at: number;
  modified_at: number;
  claimed_by: string | null;
  claim_expires_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  cancel_requested: number;
  drift_detected: number | null;
  message: string;
}

export interface DeploymentStepsTable {
  deployment_id: string;
  idx: number;
  name: string;
  status: 'not-started' | 'running' | 'failed' | 'succeeded';
  started_at: number | null;
  updated_at: number | null;
}

export interface DeploymentLogsTable {
  id: Generated<number>;
  deployment_id: string;
  step: number;
  at: number;
  line: string;
}

export interface DeploymentUpdatesTable {
  deployment_id: string;
  update_id: string;
}

export interface DeploymentSchedulesTable {
  id: string;
  stack_id: string;
  organization_id: string;
  created_by_user_id: string;
  schedule_cron: string | null;
  schedule_once: number | null;
  next_execution: number | null;
  paused: number;
  request: string;
  version: number;
  created_at: number;
  modified_at: number;
  last_executed: number | null;
}

export interface DeploymentScheduleHistoryTable {
  id: string;
  schedule_id: string;
  executed: number;
  version: number;
  result: string;
  deployment_id: string | null;
}
