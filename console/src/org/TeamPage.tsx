import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, seg } from '../api';
import { Query } from '../shell/Query';
import { ConfirmButton } from './ConfirmButton';
import { useOrgRole } from './role';
import { grantablePermissions, permissionLabel } from './format';
import { teamsPath } from './TeamsPage';
import { TokensPanel } from './TokensPanel';
import { ActionOutcome, useAction } from './useAction';

/** `Team` as `GET /api/orgs/{org}/teams/{team}` answers it. */
interface Team {
  name: string;
  displayName: string;
  description: string;
  userRole: 'admin' | 'member' | 'none';
  members: Array<{ name: string; githubLogin: string; role: 'admin' | 'member' }>;
  stacks: Array<{ projectName: string; stackName: string; permission: number }>;
}

interface StackSummary {
  projectName: string;
  stackName: string;
}

/**
 * `/{org}/settings/teams/{team}`: the team's members and stack permissions, changed through
 * `PATCH /api/orgs/{org}/teams/{team}` (memberAction/member, addStackPermission,
 * editStackPermission, removeStack), and the team's access tokens.
 */
export function TeamPage() {
  const { org, team: teamName } = useParams() as { org: string; team: string };
  const path = `${teamsPath(org)}/${seg(teamName)}`;
  const team = useQuery<Team>({ queryKey: [path] });
  const orgAdmin = useOrgRole(org) === 'admin';
  const action = useAction();
  const update = (body: object, done: string) => action.run(() => api.patch(path, body), done, [path, teamsPath(org)]);

  return (
    <section>
      <p>
        <Link to={`/${org}/settings/teams`}>Teams</Link>
      </p>
      <Query query={team}>
        {(t) => (
          <>
            <h1>Team {t.displayName || t.name}</h1>
            {t.description && <p>{t.description}</p>}
            <ActionOutcome {...action} />
            {/* Organization admins change anything; the team's own admins manage its members only. */}
            <TeamMembers team={t} editable={orgAdmin || t.userRole === 'admin'} busy={action.busy} update={update} />
            <TeamStacks org={org} team={t} editable={orgAdmin} busy={action.busy} update={update} />
            {orgAdmin ? (
              <TokensPanel path={`${path}/tokens`} named title="Team access tokens" />
            ) : (
              <p className="card muted">Only the organization's admins manage the team's access tokens.</p>
            )}
          </>
        )}
      </Query>
    </section>
  );
}

type Update = (body: object, done: string) => Promise<boolean>;

function TeamMembers({ team, editable, busy, update }: { team: Team; editable: boolean; busy: boolean; update: Update }) {
  const [login, setLogin] = useState('');

  async function add(event: FormEvent) {
    event.preventDefault();
    const who = login.trim();
    if (await update({ memberAction: 'add', member: who }, `Added ${who} to the team.`)) setLogin('');
  }

  return (
    <section className="card" aria-labelledby="team-members-title">
      <h2 id="team-members-title">Members</h2>
      {editable && (
        <form className="toolbar" onSubmit={add}>
          <label>
            Member login
            <input value={login} onChange={(e) => setLogin(e.target.value)} required />
          </label>
          <button type="submit" disabled={busy}>
            Add to team
          </button>
        </form>
      )}
      {team.members.length === 0 ? (
        <p className="muted">No members.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Team role</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {team.members.map((m) => (
                <tr key={m.githubLogin}>
                  <td>
                    <strong>{m.githubLogin}</strong>
                    {m.name && m.name !== m.githubLogin && <span className="muted"> {m.name}</span>}
                  </td>
                  <td>
                    <select
                      aria-label={`Team role of ${m.githubLogin}`}
                      value={m.role}
                      disabled={!editable || busy}
                      onChange={(e) =>
                        update({ memberAction: e.target.value === 'admin' ? 'promote' : 'demote', member: m.githubLogin }, `${m.githubLogin} is now a team ${e.target.value}.`)
                      }
                    >
                      <option value="member">Member</option>
                      <option value="admin">Admin</option>
                    </select>
                  </td>
                  <td>
                    {editable && (
                      <ConfirmButton
                        label="Remove"
                        question={`Remove ${m.githubLogin} from the team?`}
                        confirmLabel={`Remove ${m.githubLogin}`}
                        onConfirm={() => update({ memberAction: 'remove', member: m.githubLogin }, `Removed ${m.githubLogin} from the team.`)}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TeamStacks({ org, team, editable, busy, update }: { org: string; team: Team; editable: boolean; busy: boolean; update: Update }) {
  // The organization's stacks to grant on (the first thousand: enough to pick from; the API pages beyond).
  const stacks = useQuery<{ stacks: StackSummary[] }>({ queryKey: [`/api/user/stacks?organization=${seg(org)}&maxResults=1000`], enabled: editable });
  const [stack, setStack] = useState('');
  const [permission, setPermission] = useState(101);
  const granted = new Set(team.stacks.map((s) => `${s.projectName}/${s.stackName}`));
  const grantable = (stacks.data?.stacks ?? []).filter((s) => !granted.has(`${s.projectName}/${s.stackName}`));

  async function grant(event: FormEvent) {
    event.preventDefault();
    const [projectName, stackName] = stack.split('/') as [string, string];
    const done = `Granted ${permissionLabel(permission)} on ${stack}.`;
    if (await update({ addStackPermission: { projectName, stackName, permission } }, done)) setStack('');
  }

  return (
    <section className="card" aria-labelledby="team-stacks-title">
      <h2 id="team-stacks-title">Stack permissions</h2>
      {editable && (
        <form className="toolbar" onSubmit={grant}>
          <label>
            Stack
            <select value={stack} onChange={(e) => setStack(e.target.value)} required>
              <option value="">{stacks.isPending ? 'Loading…' : 'Choose a stack'}</option>
              {grantable.map((s) => (
                <option key={`${s.projectName}/${s.stackName}`} value={`${s.projectName}/${s.stackName}`}>
                  {s.projectName}/{s.stackName}
                </option>
              ))}
            </select>
          </label>
          <label>
            Permission
            <select value={permission} onChange={(e) => setPermission(Number(e.target.value))}>
              {grantablePermissions.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy || stack === ''}>
            Grant
          </button>
        </form>
      )}
      {stacks.isError && (
          <p role="alert" className="error">
            {stacks.error.message}
          </p>
      )}
      {team.stacks.length === 0 ? (
        <p className="muted">The team has no stack permissions.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Stack</th>
                <th scope="col">Permission</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {team.stacks.map((s) => {
                const label = `${s.projectName}/${s.stackName}`;
                const ref = { projectName: s.projectName, stackName: s.stackName };
                return (
                  <tr key={label}>
                    <td>
                      <Link to={`/${org}/${encodeURIComponent(s.projectName)}/${encodeURIComponent(s.stackName)}`}>{label}</Link>
                    </td>
                    <td>
                      <select
                        aria-label={`Permission on ${label}`}
                        value={s.permission}
                        disabled={!editable || busy}
                        onChange={(e) => {
                          const value = Number(e.target.value);
                          void update({ editStackPermission: { ...ref, permission: value } }, `${label}: ${permissionLabel(value)}.`);
                        }}
                      >
                        {grantablePermissions.map((p) => (
                          <option key={p.value} value={p.value}>
                            {p.label}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {editable && (
                        <ConfirmButton
                          label="Remove"
                          question={`Remove the team's permission on ${label}?`}
                          confirmLabel={`Remove ${label}`}
                          onConfirm={() => update({ removeStack: ref }, `Removed ${label} from the team.`)}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
