import type { ReactElement } from 'react';

/** A tab of the stack page that another area provides: `/{org}/{project}/{stack}/{path}`. */
export interface StackTab {
  label: string;
  path: string;
  element: ReactElement;
}

/** The stack page's tabs from the later areas (deployments, schedules, webhooks, policies). */
export const areaStackTabs: StackTab[] = [];
