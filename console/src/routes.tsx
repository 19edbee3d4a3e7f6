import { Navigate, type RouteObject } from 'react-router';
import { CliLogin, WelcomeCli } from './pages/CliLogin';
import { NotFound } from './pages/NotFound';
import { Layout } from './shell/Layout';
import { RequireSession } from './shell/RequireSession';
import { useSession } from './session';
import { orgRoutes, userRoutes } from './org/routes';
import { stackRoutes } from './stacks/routes';
import { areaRoutes } from './areas/routes';

/** `/`: the first organization of the signed-in user. */
function Home() {
  const { user } = useSession();
  const first = user?.organizations[0]?.githubLogin;
  return first ? <Navigate to={`/${first}`} replace /> : <NotFound what="organization" />;
}

/**
 * Every page, under the paths the Pulumi CLI prints (pulumi/pulumi pkg/backend/httpstate):
 * `/cli-login` and `/welcome/cli` for the browser login, `/{org}/{project}/{stack}` for a stack,
 * `…/updates/{version}` and `…/previews/{updateId}` after an operation, `/user/settings/tokens`.
 * Organization pages live under words a project is unlikely to be named (`settings`, `esc`, …).
 */
export const routes: RouteObject[] = [
  { path: '/welcome/cli', element: <WelcomeCli /> },
  {
    element: (
      <RequireSession>
        <Layout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Home /> },
      { path: 'cli-login', element: <CliLogin /> },
      ...userRoutes,
      ...orgRoutes,
      ...areaRoutes,
      ...stackRoutes,
      { path: '*', element: <NotFound /> },
    ],
  },
];
