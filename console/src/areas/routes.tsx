import type { RouteObject } from 'react-router';
import { DeploymentsPage } from './DeploymentsPage';
import { EnvironmentPage } from './EnvironmentPage';
import { EnvironmentsPage } from './EnvironmentsPage';
import { PoliciesPage } from './PoliciesPage';
import { WebhooksPage } from './WebhooksPage';

/** Organization pages of the later areas: environments, deployments and runner pools, policies, webhooks. */
export const areaRoutes: RouteObject[] = [
  { path: ':org/esc', element: <EnvironmentsPage /> },
  { path: ':org/esc/:project/:env', element: <EnvironmentPage /> },
  { path: ':org/deployments', element: <DeploymentsPage /> },
  { path: ':org/policies', element: <PoliciesPage /> },
  { path: ':org/settings/webhooks', element: <WebhooksPage /> },
];
