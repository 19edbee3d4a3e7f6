import { NavLink, Outlet, useNavigate, useParams } from 'react-router';
import { useSession } from '../session';
import { orgNav } from './nav';

/** Header (organization switcher, the organization's pages, who is signed in) over the page. */
export function Layout() {
  const { user, signOut } = useSession();
  const { org } = useParams();
  const navigate = useNavigate();
  const orgs = user?.organizations ?? [];
  const current = org ?? orgs[0]?.githubLogin;

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to={current ? `/${current}` : '/'} className="brand">
          Stackyard
        </NavLink>
        {orgs.length > 0 && (
          <label className="org-switch">
            <span className="visually-hidden">Organization</span>
            <select value={current} onChange={(event) => navigate(`/${event.target.value}`)}>
              {orgs.map((o) => (
                <option key={o.githubLogin} value={o.githubLogin}>
                  {o.name || o.githubLogin}
                </option>
              ))}
            </select>
          </label>
        )}
        {current && (
          <nav aria-label="Organization pages">
            <ul>
              {orgNav.map((item) => (
                <li key={item.path}>
                  <NavLink to={`/${current}${item.path ? `/${item.path}` : ''}`} end={item.path === '' || item.path === 'settings'}>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="who">
          <NavLink to="/user/settings/tokens">{user?.githubLogin}</NavLink>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
