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
  stack_versions: StackVersionsTable;
  updates: UpdatesTable;
}

export interface UsersTable {
  id: string;
  login: string;
  name: string;
  email: string;
  avatar_url: string;
  site_admin: number;
  created_at: number;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  display_name: string;
  created_at: number;
}

export type OrganizationRole = 'admin' | 'member';

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  created_at: number;
}

export interface AccessTokensTable {
  id: string;
  user_id: string;
  /** SHA-256 of the token, hex; the token itself is never stored. */
  token_hash: string;
  description: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
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
}

export interface StackTagsTable {
  stack_id: string;
  name: string;
  value: string;
}

/** One stored checkpoint: the exact bytes of the UntypedDeployment a client sent. */
export interface StackVersionsTable {
  stack_id: string;
  version: number;
  deployment: Uint8Array;
  resource_count: number;
  created_at: number;
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
}
