import type { RouteObject } from 'react-router';
import { AuditLogPage } from './AuditLogPage';
import { MembersPage } from './MembersPage';
import { SettingsPage } from './SettingsPage';
import { TeamPage } from './TeamPage';
import { TeamsPage } from './TeamsPage';
import { OrgTokensPage, UserTokensPage } from './TokenPages';

/** The signed-in user's own pages (`/user/settings/tokens`). */
export const userRoutes: RouteObject[] = [{ path: 'user/settings/tokens', element: <UserTokensPage /> }];

/** The organization's pages: members, teams, tokens, audit log, settings. */
export const orgRoutes: RouteObject[] = [
  { path: ':org/settings', element: <SettingsPage /> },
  { path: ':org/settings/members', element: <MembersPage /> },
  { path: ':org/settings/teams', element: <TeamsPage /> },
  { path: ':org/settings/teams/:team', element: <TeamPage /> },
  { path: ':org/settings/tokens', element: <OrgTokensPage /> },
  { path: ':org/settings/audit-logs', element: <AuditLogPage /> },
];
