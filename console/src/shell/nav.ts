/** The organization's pages in the header's navigation, in order. */
export interface NavItem {
  label: string;
  /** The page's path under `/{org}`: '' for the organization's home (its stacks). */
  path: string;
}

export const orgNav: NavItem[] = [
  { label: 'Stacks', path: '' },
  { label: 'Environments', path: 'esc' },
  { label: 'Deployments', path: 'deployments' },
  { label: 'Policies', path: 'policies' },
  { label: 'Members', path: 'settings/members' },
  { label: 'Teams', path: 'settings/teams' },
  { label: 'Access tokens', path: 'settings/tokens' },
  { label: 'Audit log', path: 'settings/audit-logs' },
  { label: 'Webhooks', path: 'settings/webhooks' },
  { label: 'Settings', path: 'settings' },
];
