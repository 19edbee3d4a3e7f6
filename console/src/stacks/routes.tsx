import type { RouteObject } from 'react-router';

/** Stacks: the organization's list at `/{org}` and each stack's pages at `/{org}/{project}/{stack}`. */
export const stackRoutes: RouteObject[] = [];
