import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, seg } from '../api';
import { ConfirmButton } from '../org/ConfirmButton';
import { ActionOutcome, useAction } from '../org/useAction';
import { Query } from '../shell/Query';
import { formatApiTime } from './format';

interface AgentPool {
  id: string;
  name: string;
  description: string;
  lastSeen: number;
  status: 'online' | 'offline';
}

/** The organization's runner pools: online when a runner polled lately; a new pool's token is shown once. */
export function AgentPools({ org }: { org: string }) {
  const path = `/api/orgs/${seg(org)}/agent-pools`;
  const pools = useQuery<{ agentPools: AgentPool[] }>({ queryKey: [path] });
  const action = useAction();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    const body = { name: name.trim(), description: description.trim() };
    let token = '';
    if (await action.run(async () => (token = (await api.post<{ tokenValue: string }>(path, body)).tokenValue), `Created pool “${body.name}”.`, [path])) {
      setCreated({ name: body.name, token });
      setName('');
      setDescription('');
    }
  }

  return (
    <section className="card" aria-labelledby="pools-title">
      <h2 id="pools-title">Runner pools</h2>
      <form className="toolbar" onSubmit={create} aria-label="New runner pool">
        <label>
          Pool name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={1000} />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={10000} />
        </label>
        <button type="submit" disabled={action.busy}>
          Create pool
        </button>
      </form>
      {created ? (
        <div className="new-token" role="status" aria-label="New pool token">
          <p>
            <strong>Copy the token of pool “{created.name}” now: it is not shown again.</strong> Runners of the pool poll with it.
          </p>
          <p className="new-token-value">
            <code aria-label="Pool token">{created.token}</code>
          </p>
          <button type="button" className="secondary" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : (
        <ActionOutcome {...action} />
      )}
      <Query query={pools}>
        {({ agentPools }) =>
          agentPools.length === 0 ? (
            <p className="muted">No runner pools: deployments run on the server's default pool.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Runner pools">
                <thead>
                  <tr>
                    <th scope="col">Pool</th>
                    <th scope="col">Status</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {agentPools.map((pool) => (
                    <tr key={pool.id}>
                      <td>
                        {pool.name}
                        {pool.description && <div className="muted">{pool.description}</div>}
                      </td>
                      <td>
                        <span className={pool.status === 'online' ? 'badge succeeded' : 'badge'}>{pool.status}</span>
                      </td>
                      <td className="nowrap">{formatApiTime(pool.lastSeen, 'Never')}</td>
                      <td>
                        <ConfirmButton
                          label="Delete"
                          question={`Delete pool “${pool.name}”? Its runners stop receiving work.`}
                          confirmLabel="Delete pool"
                          onConfirm={() => action.run(() => api.delete(`${path}/${seg(pool.id)}`), `Deleted pool “${pool.name}”.`, [path]).then(() => setCreated(null))}
                        />
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
