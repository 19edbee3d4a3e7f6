import type { RouteObject } from 'react-router';

/** The signed-in user's own pages (`/user/settings/tokens`). */
export const userRoutes: RouteObject[] = [];

/** The organization's pages: members, teams, tokens, audit log, settings, and each area's. */
export const orgRoutes: RouteObject[] = [];
