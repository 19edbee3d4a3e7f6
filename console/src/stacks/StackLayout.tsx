import { useQuery } from '@tanstack/react-query';
import { Link, NavLink, Outlet, useParams } from 'react-router';
import { ApiError } from '../api';
import { NotFound } from '../pages/NotFound';
import { areaStackTabs } from '../areas/stack-tabs';
import { stackPaths, type StackContext } from './stack-context';
import type { Stack } from './types';

const ownTabs = [
  { label: 'Overview', path: '' },
  { label: 'Resources', path: 'resources' },
  { label: 'Updates', path: 'updates' },
];

/** `/{org}/{project}/{stack}`: the stack's name over its tabs; a stack the caller may not read is not found. */
export function StackLayout() {
  const { org = '', project = '', stack: name = '' } = useParams();
  const { apiPath, pagePath } = stackPaths(org, project, name);
  const stack = useQuery<Stack>({ queryKey: [apiPath] });

  if (stack.isPending) return <p className="loading">Loading…</p>;
  if (stack.isError) {
    if (stack.error instanceof ApiError && (stack.error.status === 404 || stack.error.status === 403)) return <NotFound what="stack" />;
    return (
      <p role="alert" className="error">
        {stack.error.message}
      </p>
    );
  }
  const tabs = [...ownTabs, ...areaStackTabs.map(({ label, path }) => ({ label, path })), { label: 'Settings', path: 'settings' }];
  const context: StackContext = { stack: stack.data, apiPath, pagePath };
  return (
    <section className="stack-page">
      <p className="muted breadcrumbs">
        <Link to={`/${org}`}>{org}</Link> / {project} /
      </p>
      <h1>{name}</h1>
      {stack.data.currentOperation && (
        <p role="status">
          <span className="badge">{stack.data.currentOperation.kind}</span> running, started by {stack.data.currentOperation.author}
        </p>
      )}
      <nav className="tabs" aria-label="Stack pages">
        {tabs.map((tab) => (
          <NavLink key={tab.path} to={tab.path ? `${pagePath}/${tab.path}` : pagePath} end={tab.path === ''}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet context={context} />
    </section>
  );
}
