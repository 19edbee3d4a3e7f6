import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, seg } from '../api';
import { Query } from '../shell/Query';
import { ConfirmButton } from './ConfirmButton';
import { useOrgRole } from './role';
import { ActionOutcome, useAction } from './useAction';

interface TeamSummary {
  name: string;
  displayName: string;
  description: string;
  userRole: 'admin' | 'member' | 'none';
}

export const teamsPath = (org: string) => `/api/orgs/${seg(org)}/teams`;

/** `/{org}/settings/teams`: the organization's teams; its admins create and delete them. */
export function TeamsPage() {
  const org = useParams().org!;
  const path = teamsPath(org);
  const teams = useQuery<{ teams: TeamSummary[] }>({ queryKey: [path] });
  const admin = useOrgRole(org) === 'admin';
  const action = useAction();
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [description, setDescription] = useState('');

  async function create(event: FormEvent) {
    event.preventDefault();
    const body = { name: name.trim(), displayName: displayName.trim() || undefined, description: description.trim() || undefined };
    if (await action.run(() => api.post(`${path}/pulumi`, body), `Created team ${body.name}.`, [path])) {
      setName('');
      setDisplayName('');
      setDescription('');
    }
  }

  return (
    <section>
      <h1>Teams of {org}</h1>
      {!admin && <p className="muted">Only the organization's admins can create and delete teams.</p>}
      {admin && (
        <form className="card toolbar" onSubmit={create} aria-label="Create a team">
          <label>
            Team name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={40} />
          </label>
          <label>
            Display name
            <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={100} />
          </label>
          <label>
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            Create team
          </button>
        </form>
      )}
      <ActionOutcome {...action} />
      <Query query={teams}>
        {({ teams: list }) =>
          list.length === 0 ? (
            <p className="card muted">No teams yet.</p>
          ) : (
            <div className="card table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Team</th>
                    <th scope="col">Description</th>
                    <th scope="col">Your role</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((team) => (
                    <tr key={team.name}>
                      <td>
                        <Link to={`/${org}/settings/teams/${encodeURIComponent(team.name)}`}>{team.displayName || team.name}</Link>
                        {team.displayName && team.displayName !== team.name && <span className="muted"> ({team.name})</span>}
                      </td>
                      <td>{team.description}</td>
                      <td>{team.userRole === 'none' ? <span className="muted">not a member</span> : team.userRole}</td>
                      <td>
                        {admin && (
                          <ConfirmButton
                            label="Delete"
                            question={`Delete team ${team.name}? Its grants go and its tokens are revoked.`}
                            confirmLabel={`Delete ${team.name}`}
                            onConfirm={() => action.run(() => api.delete(`${path}/${seg(team.name)}`), `Deleted team ${team.name}.`, [path])}
                          />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Query>
    </section>
  );
}
