import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { seg } from '../api';
import { Query } from '../shell/Query';
import { AgentPools } from './AgentPools';
import { pollWhileRunning, statusClass, type DeploymentList } from './deployment-types';
import { formatApiTime } from './format';

const pageSize = 50;

/** `/{org}/deployments`: the organization's deployments, newest first, a page at a time, and its runner pools. */
export function DeploymentsPage() {
  const { org = '' } = useParams();
  const [page, setPage] = useState(1);
  const list = useQuery<DeploymentList>({
    queryKey: [`/api/orgs/${seg(org)}/deployments?page=${page}&pageSize=${pageSize}`],
    refetchInterval: (query) => pollWhileRunning(query.state.data),
  });
  return (
    <section>
      <h1>Deployments</h1>
      <section className="card" aria-labelledby="org-deployments-title">
        <h2 id="org-deployments-title">Recent deployments</h2>
        <Query query={list}>
          {({ deployments, total }) =>
            deployments.length === 0 ? (
              <p className="muted">No deployments yet.</p>
            ) : (
              <>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Stack</th>
                        <th scope="col">Deployment</th>
                        <th scope="col">Operation</th>
                        <th scope="col">Status</th>
                        <th scope="col">By</th>
                        <th scope="col">When</th>
                      </tr>
                    </thead>
                    <tbody>
                      {deployments.map((d) => {
                        const stack = `/${seg(org)}/${seg(d.projectName)}/${seg(d.stackName)}`;
                        return (
                          <tr key={d.id}>
                            <td>
                              <Link to={stack}>
                                {d.projectName}/{d.stackName}
                              </Link>
                            </td>
                            <td>
                              <Link to={`${stack}/deployments?deployment=${seg(d.id)}`}>#{d.version}</Link>
                            </td>
                            <td>{d.pulumiOperation}</td>
                            <td>
                              <span className={statusClass(d.status)}>{d.status}</span>
                            </td>
                            <td>{d.requestedBy.githubLogin || d.initiator}</td>
                            <td className="nowrap">{formatApiTime(d.created)}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
                <p className="actions">
                  <span className="muted">
                    Page {page} of {Math.max(1, Math.ceil(total / pageSize))}
                  </span>
                  {page > 1 && (
                    <button type="button" className="secondary" onClick={() => setPage(page - 1)}>
                      Previous page
                    </button>
                  )}
                  {page * pageSize < total && (
                    <button type="button" className="secondary" onClick={() => setPage(page + 1)}>
                      Next page
                    </button>
                  )}
                </p>
              </>
            )
          }
        </Query>
      </section>
      <AgentPools key={org} org={org} />
    </section>
  );
}
