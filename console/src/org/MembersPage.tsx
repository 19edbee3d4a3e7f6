import { useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, seg } from '../api';
import { useSession } from '../session';
import { ConfirmButton } from './ConfirmButton';
import { formatTime } from './format';
import { ActionOutcome, useAction } from './useAction';

/** `OrganizationMember` as `GET /api/orgs/{org}/members` lists it. */
interface OrganizationMember {
  role: 'admin' | 'member';
  user: { name: string; githubLogin: string; email: string };
  created: string;
  teams: string[];
}

interface Page {
  members: OrganizationMember[];
  continuationToken?: string;
}

const membersPath = (org: string) => `/api/orgs/${seg(org)}/members`;

/** `/{org}/settings/members`: who belongs to the organization and in which role; admins change it. */
export function MembersPage() {
  const org = useParams().org!;
  const path = membersPath(org);
  const { user } = useSession();
  // Only admins may list members; later pages follow the continuation token.
  const pages = useInfiniteQuery({
    queryKey: [path],
    queryFn: ({ pageParam }) => api.get<Page>(pageParam ? `${path}?continuationToken=${encodeURIComponent(pageParam)}` : path),
    initialPageParam: '',
    getNextPageParam: (last) => last.continuationToken,
  });
  const action = useAction();
  const [login, setLogin] = useState('');
  const [role, setRole] = useState('member');

  async function add(event: FormEvent) {
    event.preventDefault();
    const who = login.trim();
    if (await action.run(() => api.post(`${path}/${seg(who)}`, { role }), `Added ${who} as ${role}.`, [path])) setLogin('');
  }

  // `/api/user` holds the signed-in user's own role, which the pages go by.
  const changeRole = (who: string, newRole: string) =>
    action.run(() => api.patch(`${path}/${seg(who)}`, { role: newRole }), `${who} is now ${newRole === 'admin' ? 'an admin' : 'a member'}.`, [path, '/api/user']);

  return (
    <section>
      <h1>Members of {org}</h1>
      {pages.isPending && <p className="loading">Loading…</p>}
      {pages.isError && (
        <div className="card">
          <p role="alert" className="error">
            {pages.error.message}
          </p>
          <p className="muted">Only the organization's admins can see and change its members.</p>
        </div>
      )}
      {pages.isSuccess && (
        <>
          <form className="card toolbar" onSubmit={add} aria-label="Add a member">
            <label>
              User login
              <input value={login} onChange={(e) => setLogin(e.target.value)} required />
            </label>
            <label>
              Role
              <select value={role} onChange={(e) => setRole(e.target.value)}>
                <option value="member">Member</option>
                <option value="admin">Admin</option>
              </select>
            </label>
            <button type="submit" disabled={action.busy}>
              Add member
            </button>
          </form>
          <ActionOutcome {...action} />
          <div className="card table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Teams</th>
                  <th scope="col">Joined</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {pages.data.pages
                  .flatMap((p) => p.members)
                  .map((m) => {
                    const who = m.user.githubLogin;
                    return (
                      <tr key={who}>
                        <td>
                          <strong>{who}</strong>
                          {m.user.name && m.user.name !== who && <span className="muted"> {m.user.name}</span>}
                          {who === user?.githubLogin && <span className="muted"> (you)</span>}
                        </td>
                        <td>
                          <select aria-label={`Role of ${who}`} value={m.role} disabled={action.busy} onChange={(e) => changeRole(who, e.target.value)}>
                            <option value="member">Member</option>
                            <option value="admin">Admin</option>
                          </select>
                        </td>
                        <td>{m.teams.join(', ') || <span className="muted">none</span>}</td>
                        <td>{formatTime(Date.parse(m.created))}</td>
                        <td>
                          <ConfirmButton
                            label="Remove"
                            question={`Remove ${who} from ${org}? They lose their teams too.`}
                            confirmLabel={`Remove ${who}`}
                            onConfirm={() => action.run(() => api.delete(`${path}/${seg(who)}`), `Removed ${who}.`, [path])}
                          />
                        </td>
                      </tr>
                    );
                  })}
              </tbody>
            </table>
          </div>
          {pages.hasNextPage && (
            <button type="button" className="secondary" onClick={() => pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
              Load more members
            </button>
          )}
        </>
      )}
    </section>
  );
}
