import type { RouteObject } from 'react-router';
import { areaStackTabs } from '../areas/stack-tabs';
import { OverviewTab } from './OverviewTab';
import { ResourcesTab } from './ResourcesTab';
import { SettingsTab } from './SettingsTab';
import { StackLayout } from './StackLayout';
import { StacksList } from './StacksList';
import { PreviewPage, UpdatePage } from './UpdatePage';
import { UpdatesTab } from './UpdatesTab';

/** Stacks: the organization's list at `/{org}` and each stack's pages at `/{org}/{project}/{stack}`. */
export const stackRoutes: RouteObject[] = [
  { path: ':org', element: <StacksList /> },
  {
    path: ':org/:project/:stack',
    element: <StackLayout />,
    children: [
      { index: true, element: <OverviewTab /> },
      { path: 'resources', element: <ResourcesTab /> },
      { path: 'updates', element: <UpdatesTab /> },
      { path: 'updates/:version', element: <UpdatePage /> },
      { path: 'previews/:updateId', element: <PreviewPage /> },
      { path: 'settings', element: <SettingsTab /> },
      ...areaStackTabs.map(({ path, element }) => ({ path, element })),
    ],
  },
];
