import type { ReactElement } from 'react';
import { StackDeploymentsTab } from './StackDeploymentsTab';
import { StackSchedulesTab } from './StackSchedulesTab';
import { StackWebhooksTab } from './StackWebhooksTab';

/** A tab of the stack page that another area provides: `/{org}/{project}/{stack}/{path}`. */
export interface StackTab {
  label: string;
  path: string;
  element: ReactElement;
}

/** The stack page's tabs from the later areas (deployments, schedules, webhooks). */
export const areaStackTabs: StackTab[] = [
  { label: 'Deployments', path: 'deployments', element: <StackDeploymentsTab /> },
  { label: 'Schedules', path: 'schedules', element: <StackSchedulesTab /> },
  { label: 'Webhooks', path: 'webhooks', element: <StackWebhooksTab /> },
];
