import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, seg } from '../api';
import { ActionOutcome, useAction } from '../org/useAction';
import { Query } from '../shell/Query';
import { formatApiTime } from './format';

interface EnvironmentSummary {
  project: string;
  name: string;
  modified: string;
  tags: Record<string, string>;
}

interface EnvironmentPage {
  environments: EnvironmentSummary[];
  nextToken?: string;
}

/** `/{org}/esc`: the organization's environments, a page at a time (the API's continuation tokens), and a form to create one. */
export function EnvironmentsPage() {
  const { org = '' } = useParams();
  const base = `/api/esc/environments/${seg(org)}`;
  const [tokens, setTokens] = useState<string[]>([]);
  const token = tokens.at(-1);
  const list = useQuery<EnvironmentPage>({ queryKey: [token ? `${base}?continuationToken=${encodeURIComponent(token)}` : base] });
  const action = useAction();
  const navigate = useNavigate();
  const [project, setProject] = useState('default');
  const [name, setName] = useState('');

  async function create(event: FormEvent) {
    event.preventDefault();
    const [p, n] = [project.trim(), name.trim()];
    if (await action.run(() => api.post(base, { project: p, name: n }), `Created ${p}/${n}.`, [base])) navigate(`/${seg(org)}/esc/${seg(p)}/${seg(n)}`);
  }

  return (
    <section>
      <h1>Environments</h1>
      <form className="toolbar card" onSubmit={create} aria-label="New environment">
        <label>
          Project
          <input value={project} onChange={(e) => setProject(e.target.value)} required maxLength={100} />
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <button type="submit" disabled={action.busy}>
          Create environment
        </button>
      </form>
      <ActionOutcome {...action} />
      <Query query={list}>
        {({ environments, nextToken }) => (
          <>
            {environments.length === 0 ? (
              <p className="muted">No environments yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Environment</th>
                      <th scope="col">Tags</th>
                      <th scope="col">Modified</th>
                    </tr>
                  </thead>
                  <tbody>
                    {environments.map((env) => (
                      <tr key={`${env.project}/${env.name}`}>
                        <td>
                          <Link to={`/${seg(org)}/esc/${seg(env.project)}/${seg(env.name)}`}>
                            {env.project}/{env.name}
                          </Link>
                        </td>
                        <td>
                          {Object.entries(env.tags).map(([k, v]) => (
                            <span key={k} className="badge">
                              {k}: {v}
                            </span>
                          ))}
                        </td>
                        <td className="nowrap">{formatApiTime(env.modified)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p className="actions">
              {tokens.length > 0 && (
                <button type="button" className="secondary" onClick={() => setTokens(tokens.slice(0, -1))}>
                  Previous page
                </button>
              )}
              {nextToken && (
                <button type="button" className="secondary" onClick={() => setTokens([...tokens, nextToken])}>
                  Next page
                </button>
              )}
            </p>
          </>
        )}
      </Query>
    </section>
  );
}
