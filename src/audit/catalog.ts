interface CatalogEntry {
  displayName: string;
  /** What happened, in a sentence: shown by `GET /api/orgs/{org}/auditlogs/event-types`. */
  description: string;
  orgAdmin?: boolean;
  stackAdmin?: boolean;
  authFailure?: boolean;
}

/**
 * The audit events Stackyard records: Pulumi Cloud's ids, display names and flags where its
 * catalog has the event, and the same style for the few it lacks (stack tags, personal tokens, policy issue triage, deployment settings and runs).
 * Flags: `orgAdmin` the action needs the organization's admin role, `stackAdmin` admin on the
 * stack, `authFailure` the request was refused for lack of credentials or permission.
 */
const catalog = {
  'stack-created': { displayName: 'Stack Created', description: 'A stack was created.' },
  'stack-deleted': { displayName: 'Stack Deleted', description: 'A stack was deleted.', stackAdmin: true },
  'stack-renamed': { displayName: 'Stack Renamed', description: 'A stack was renamed or moved to another project.', stackAdmin: true },
  'stack-transferred-to-organization': { displayName: 'Stack Transferred to Organization', description: 'A stack was transferred to another organization.', stackAdmin: true },
  'stack-update-started': { displayName: 'Stack Update Started', description: 'A stack update, refresh or destroy started.' },
  'stack-update-completed': { displayName: 'Stack Update Completed', description: 'A stack update, refresh or destroy finished.' },
  'stack-update-canceled': { displayName: 'Stack Update Canceled', description: 'A running stack update was canceled before it finished.' },
  'stack-exported': { displayName: 'Stack Exported', description: "A stack's state was exported." },
  'stack-imported': { displayName: 'Stack Imported', description: "A stack's state was replaced by an imported checkpoint." },
  'stack-tag-created': { displayName: 'Stack Tag Created', description: 'A tag was added to a stack.' },
  'stack-tag-updated': { displayName: 'Stack Tag Updated', description: "A stack's tag was renamed or revalued, or its tags replaced." },
  'stack-tag-deleted': { displayName: 'Stack Tag Deleted', description: 'A tag was removed from a stack.' },
  'stack-notification-settings-changed': { displayName: 'Stack Notification Settings Changed', description: "A stack's notification settings were changed.", stackAdmin: true },
  'stack-config-changed': { displayName: 'Stack Config Changed', description: "The ESC environment holding a stack's configuration was set or removed." },
  'environment-created': { displayName: 'Environment Created', description: 'An environment was created (or cloned from another).' },
  'environment-updated': { displayName: 'Environment Updated', description: "An environment's definition was changed: a new revision." },
  'environment-deleted': { displayName: 'Environment Deleted', description: 'An environment was deleted.' },
  'environment-opened': { displayName: 'Environment Opened', description: 'An environment was opened: its values evaluated, secrets revealed.' },
  'environment-decrypted': { displayName: 'Environment Decrypted', description: "An environment's definition was read with its secrets in plaintext." },
  'environment-revision-retracted': { displayName: 'Environment Revision Retracted', description: "A revision of an environment was retracted." },
  'environment-revision-tag-changed': { displayName: 'Environment Revision Tag Changed', description: 'A revision tag of an environment was created, moved or deleted.' },
  'environment-tag-changed': { displayName: 'Environment Tag Changed', description: 'A tag of an environment was created, changed or deleted.' },
  'webhook-created': { displayName: 'Webhook Created', description: 'A webhook of the organization, a stack or an environment was created.' },
  'webhook-updated': { displayName: 'Webhook Updated', description: 'A webhook was changed (its target, events, secret or state).' },
  'webhook-deleted': { displayName: 'Webhook Deleted', description: 'A webhook was deleted, with its delivery history.' },
  'policy-pack-created': { displayName: 'Policy Pack Created', description: 'A policy pack version was published.', orgAdmin: true },
  'policy-pack-deleted': { displayName: 'Policy Pack Deleted', description: 'A policy pack, or one version of it, was deleted.', orgAdmin: true },
  'policy-pack-enabled': { displayName: 'Policy Pack Enabled', description: 'A policy pack version was enabled in a policy group, or its configuration changed there.', orgAdmin: true },
  'policy-pack-disabled': { displayName: 'Policy Pack Disabled', description: 'A policy pack was disabled in a policy group.', orgAdmin: true },
  'policy-group-created': { displayName: 'Policy Group Created', description: 'A policy group was created.', orgAdmin: true },
  'policy-group-updated': { displayName: 'Policy Group Updated', description: "A policy group's stacks, name or agent pool were changed.", orgAdmin: true },
  'policy-group-deleted': { displayName: 'Policy Group Deleted', description: 'A policy group was deleted.', orgAdmin: true },
  'policy-issue-updated': { displayName: 'Policy Issue Updated', description: "A policy issue's status, priority or assignee was changed." },
  'deployment-settings-updated': { displayName: 'Deployment Settings Updated', description: "A stack's deployment settings were created, replaced or changed." },
  'deployment-settings-deleted': { displayName: 'Deployment Settings Deleted', description: "A stack's deployment settings were deleted." },
  'deployment-created': { displayName: 'Deployment Created', description: 'A deployment of a stack was queued.' },
  'deployment-canceled': { displayName: 'Deployment Canceled', description: 'A queued or running deployment was canceled.' },
  'stack-deployments-paused': { displayName: 'Stack Deployments Paused', description: "A stack's deployments were paused: new ones wait in the queue.", stackAdmin: true },
  'stack-deployments-resumed': { displayName: 'Stack Deployments Resumed', description: "A stack's deployments were resumed.", stackAdmin: true },
  'organization-deployments-paused': { displayName: 'Organization Deployments Paused', description: "The organization's deployments were paused.", orgAdmin: true },
  'organization-deployments-resumed': { displayName: 'Organization Deployments Resumed', description: "The organization's deployments were resumed.", orgAdmin: true },
  'deployment-runner-pool-created': { displayName: 'Deployment Runner Pool Created', description: 'A deployment runner pool was created, with its token.', orgAdmin: true },
  'deployment-runner-pool-updated': { displayName: 'Deployment Runner Pool Updated', description: "A deployment runner pool's name or description was changed.", orgAdmin: true },
  'deployment-runner-pool-deleted': { displayName: 'Deployment Runner Pool Deleted', description: 'A deployment runner pool was deleted.', orgAdmin: true },
  'scheduled-deployment-created': { displayName: 'Scheduled Deployment Created', description: 'A deployment schedule (raw, drift or TTL) was created.' },
  'scheduled-deployment-updated': { displayName: 'Scheduled Deployment Updated', description: 'A deployment schedule was changed, paused or resumed.' },
  'scheduled-deployment-deleted': { displayName: 'Scheduled Deployment Deleted', description: 'A deployment schedule was deleted.' },
  'secret-decrypted': { displayName: 'Secret Decrypted', description: 'A stack secret was decrypted.' },
  'secrets-batch-decrypted': { displayName: 'Secrets Batch Decrypted', description: 'A batch of stack secrets was decrypted in one request.' },
  'member-added': { displayName: 'Member Added', description: 'A member was added to the organization.', orgAdmin: true },
  'member-removed': { displayName: 'Member Removed', description: 'A member was removed from the organization.', orgAdmin: true },
  'member-role-changed': { displayName: 'Member Role Changed', description: "A member's organization role was changed.", orgAdmin: true },
  'organization-settings-changed': { displayName: 'Organization Settings Changed', description: "The organization's settings were changed.", orgAdmin: true },
  'team-created': { displayName: 'Team Created', description: 'A team was created.', orgAdmin: true },
  'team-updated': { displayName: 'Team Updated', description: "A team's name, description, members or stack permissions were changed.", orgAdmin: true },
  'team-deleted': { displayName: 'Team Deleted', description: 'A team was deleted.', orgAdmin: true },
  'organization-token-created': { displayName: 'Organization Token Created', description: 'An organization access token was created.', orgAdmin: true },
  'organization-token-deleted': { displayName: 'Organization Token Deleted', description: 'An organization access token was deleted.', orgAdmin: true },
  'team-token-created': { displayName: 'Team Token Created', description: 'A team access token was created.', orgAdmin: true },
  'team-token-deleted': { displayName: 'Team Token Deleted', description: 'A team access token was deleted.', orgAdmin: true },
  'personal-token-created': { displayName: 'Personal Token Created', description: 'A member created a personal access token.' },
  'personal-token-deleted': { displayName: 'Personal Token Deleted', description: 'A member deleted a personal access token.' },
  'oidc-issuer-registered': { displayName: 'OIDC Issuer Registered', description: 'An OIDC issuer was registered for token exchange.' },
  'oidc-issuer-updated': { displayName: 'OIDC Issuer Updated', description: "An OIDC issuer's name, keys, thumbprints or maximum expiration were changed." },
  'oidc-issuer-deleted': { displayName: 'OIDC Issuer Deleted', description: 'An OIDC issuer was deleted, with its authorization policy.' },
  'oidc-issuer-validation-failed': { displayName: 'OIDC Issuer Validation Failed', description: "An OIDC issuer's server presented a TLS certificate that is not one of its thumbprints.", authFailure: true },
  'authorization-policy-updated': { displayName: 'Authorization Policy Updated', description: "An OIDC issuer's authorization policy was replaced." },
  'organization-token-created-for-oidc-issuer': { displayName: 'Organization Token Created for OIDC Issuer', description: 'An OIDC token was exchanged for an organization access token.' },
  'team-token-created-for-oidc-issuer': { displayName: 'Team Token Created for OIDC Issuer', description: 'An OIDC token was exchanged for a team access token.' },
  'personal-token-created-for-oidc-issuer': { displayName: 'Personal Token Created for OIDC Issuer', description: 'An OIDC token was exchanged for a personal access token.' },
  'oidc-token-exchange-failed': { displayName: 'OIDC Token Exchange Failed', description: "An OIDC token exchange was refused: the token did not verify, or no authorization policy allowed it.", authFailure: true },
  'user-login-failed': { displayName: 'User Login Failed', description: 'A request carried an access token that is unknown, expired or revoked.', authFailure: true },
  'auth-failure-organization-role': { displayName: 'Auth Failure Organization Role', description: 'An operation was refused: it needs an organization role the caller does not hold.', authFailure: true },
  'auth-failure-environment-permission': { displayName: 'Auth Failure Environment Permission', description: 'An operation was refused: it needs an environment permission the caller does not hold.', authFailure: true },
  'auth-failure-stack-permission': { displayName: 'Auth Failure Stack Permission', description: 'An operation was refused: it needs a stack permission the caller does not hold.', authFailure: true },
} as const satisfies Record<string, CatalogEntry>;

export type AuditEventId = keyof typeof catalog;

export interface AuditEventKind {
  displayName: string;
  orgAdmin: boolean;
  stackAdmin: boolean;
  authFailure: boolean;
}

export function auditEventKind(id: string): AuditEventKind {
  const entry = (catalog as Record<string, CatalogEntry>)[id];
  return {
    displayName: entry?.displayName ?? id,
    orgAdmin: entry?.orgAdmin ?? false,
    stackAdmin: entry?.stackAdmin ?? false,
    authFailure: entry?.authFailure ?? false,
  };
}

export const auditEventIds = Object.keys(catalog) as AuditEventId[];

export function isAuditEventId(id: string): id is AuditEventId {
  return Object.hasOwn(catalog, id);
}

/** One entry of `GET /api/orgs/{org}/auditlogs/event-types`, as Pulumi's event reference reads it. */
export interface AuditEventType {
  event: AuditEventId;
  displayName: string;
  description: string;
  requiresOrgAdmin: boolean;
  requiresStackAdmin: boolean;
  authenticationFailure: boolean;
  deprecated: boolean;
}

export function auditEventTypes(): AuditEventType[] {
  return auditEventIds.map((event) => {
    const entry: CatalogEntry = catalog[event];
    return {
      event,
      displayName: entry.displayName,
      description: entry.description,
      requiresOrgAdmin: entry.orgAdmin ?? false,
      requiresStackAdmin: entry.stackAdmin ?? false,
      authenticationFailure: entry.authFailure ?? false,
      deprecated: false,
    };
  });
}
