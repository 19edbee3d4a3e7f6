/**
 * The audit events Stackyard records: Pulumi Cloud's ids, display names and flags where its
 * catalog has the event, and the same style for the few it lacks (stack tags, personal tokens).
 * Flags: `orgAdmin` the action needs the organization's admin role, `stackAdmin` admin on the
 * stack, `authFailure` the request was refused for lack of credentials or permission.
 */
const catalog = {
  'stack-created': { displayName: 'Stack Created' },
  'stack-deleted': { displayName: 'Stack Deleted', stackAdmin: true },
  'stack-renamed': { displayName: 'Stack Renamed', stackAdmin: true },
  'stack-transferred-to-organization': { displayName: 'Stack Transferred to Organization', stackAdmin: true },
  'stack-update-started': { displayName: 'Stack Update Started' },
  'stack-update-completed': { displayName: 'Stack Update Completed' },
  'stack-update-canceled': { displayName: 'Stack Update Canceled' },
  'stack-exported': { displayName: 'Stack Exported' },
  'stack-imported': { displayName: 'Stack Imported' },
  'stack-tag-created': { displayName: 'Stack Tag Created' },
  'stack-tag-updated': { displayName: 'Stack Tag Updated' },
  'stack-tag-deleted': { displayName: 'Stack Tag Deleted' },
  'secret-decrypted': { displayName: 'Secret Decrypted' },
  'secrets-batch-decrypted': { displayName: 'Secrets Batch Decrypted' },
  'member-added': { displayName: 'Member Added', orgAdmin: true },
  'member-removed': { displayName: 'Member Removed', orgAdmin: true },
  'member-role-changed': { displayName: 'Member Role Changed', orgAdmin: true },
  'organization-settings-changed': { displayName: 'Organization Settings Changed', orgAdmin: true },
  'team-created': { displayName: 'Team Created', orgAdmin: true },
  'team-updated': { displayName: 'Team Updated', orgAdmin: true },
  'team-deleted': { displayName: 'Team Deleted', orgAdmin: true },
  'organization-token-created': { displayName: 'Organization Token Created', orgAdmin: true },
  'organization-token-deleted': { displayName: 'Organization Token Deleted', orgAdmin: true },
  'team-token-created': { displayName: 'Team Token Created', orgAdmin: true },
  'team-token-deleted': { displayName: 'Team Token Deleted', orgAdmin: true },
  'personal-token-created': { displayName: 'Personal Token Created' },
  'personal-token-deleted': { displayName: 'Personal Token Deleted' },
  'user-login-failed': { displayName: 'User Login Failed', authFailure: true },
  'auth-failure-organization-role': { displayName: 'Auth Failure Organization Role', authFailure: true },
  'auth-failure-stack-permission': { displayName: 'Auth Failure Stack Permission', authFailure: true },
} as const satisfies Record<string, { displayName: string; orgAdmin?: boolean; stackAdmin?: boolean; authFailure?: boolean }>;

export type AuditEventId = keyof typeof catalog;

export interface AuditEventKind {
  displayName: string;
  orgAdmin: boolean;
  stackAdmin: boolean;
  authFailure: boolean;
}

export function auditEventKind(id: string): AuditEventKind {
  const entry = (catalog as Record<string, { displayName: string; orgAdmin?: boolean; stackAdmin?: boolean; authFailure?: boolean }>)[id];
  return {
    displayName: entry?.displayName ?? id,
    orgAdmin: entry?.orgAdmin ?? false,
    stackAdmin: entry?.stackAdmin ?? false,
    authFailure: entry?.authFailure ?? false,
  };
}

export const auditEventIds = Object.keys(catalog) as AuditEventId[];
