import type { RouteObject } from 'react-router';

/** Organization pages of the later areas: environments, deployments and runner pools, policies, webhooks. */
export const areaRoutes: RouteObject[] = [];
