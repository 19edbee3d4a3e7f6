import { useState } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { ApiError, api, seg } from '../api';
import { ActionOutcome, useAction } from '../org/useAction';
import { Query } from '../shell/Query';
import { pollWhileRunning, statusClass, type DeploymentList } from './deployment-types';
import { formatApiTime } from './format';
import { useStackRef } from './stack-api';

interface Settings {
  version: number;
  source: string;
  sourceContext?: { git?: { repoUrl?: string; branch?: string; repoDir?: string; commit?: string } };
  agentPoolID?: string;
  operationContext?: { preRunCommands?: string[]; environmentVariables?: Record<string, unknown> };
}

interface Logs {
  lines: Array<{ header?: string; line?: string; timestamp: string }>;
  nextToken: string;
}

const operations = ['update', 'preview', 'refresh', 'destroy', 'detect-drift'] as const;

/** `…/deployments`: the stack's deployment settings, its deployments (logs of the one chosen), and running one. */
export function StackDeploymentsTab() {
  const { org, apiPath } = useStackRef();
  const base = `${apiPath}/deployments`;
  const pools = useQuery<{ agentPools: Array<{ id: string; name: string }> }>({ queryKey: [`/api/orgs/${seg(org)}/agent-pools`] });
  const settings = useQuery<Settings>({ queryKey: [`${base}/settings`] });
  const listPath = `${base}?page=1&pageSize=50`;
  const list = useQuery<DeploymentList>({ queryKey: [listPath], refetchInterval: (query) => pollWhileRunning(query.state.data) });
  const [params, setParams] = useSearchParams();
  const chosen = params.get('deployment');
  const action = useAction();
  const [operation, setOperation] = useState<string>('update');
  const noSettings = settings.error instanceof ApiError && settings.error.status === 404;

  return (
    <>
      <section className="card" aria-labelledby="deploy-settings-title">
        <h2 id="deploy-settings-title">Deployment settings</h2>
        {noSettings ? (
          <p className="muted">This stack has no deployment settings: set them through the API (`POST …/deployments/settings`) to run deployments here.</p>
        ) : (
          <Query query={settings}>
            {(s) => (
              <>
                <dl className="facts">
                  <dt>Repository</dt>
                  <dd>
                    <code>{s.sourceContext?.git?.repoUrl ?? '—'}</code>
                  </dd>
                  <dt>Branch</dt>
                  <dd>{s.sourceContext?.git?.branch ?? s.sourceContext?.git?.commit ?? '—'}</dd>
                  {s.sourceContext?.git?.repoDir && (
                    <>
                      <dt>Directory</dt>
                      <dd>{s.sourceContext.git.repoDir}</dd>
                    </>
                  )}
                  <dt>Runner pool</dt>
                  <dd>{s.agentPoolID ? (pools.data?.agentPools.find((p) => p.id === s.agentPoolID)?.name ?? s.agentPoolID) : 'default'}</dd>
                  <dt>Environment variables</dt>
                  <dd>{Object.keys(s.operationContext?.environmentVariables ?? {}).join(', ') || 'none'}</dd>
                  <dt>Settings version</dt>
                  <dd>{s.version}</dd>
                </dl>
                <form
                  className="toolbar run-deployment"
                  aria-label="Run a deployment"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void action.run(() => api.post(base, { operation }), `Queued a deployment (${operation}).`, [listPath]);
                  }}
                >
                  <label>
                    Operation
                    <select value={operation} onChange={(e) => setOperation(e.target.value)}>
                      {operations.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                  </label>
                  <button type="submit" disabled={action.busy}>
                    {operation === 'update' ? 'Run update' : `Run ${operation}`}
                  </button>
                </form>
                <ActionOutcome {...action} />
              </>
            )}
          </Query>
        )}
      </section>
      <section className="card" aria-labelledby="stack-deployments-title">
        <h2 id="stack-deployments-title">Deployments</h2>
        <Query query={list}>
          {({ deployments }) =>
            deployments.length === 0 ? (
              <p className="muted">No deployments yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Deployment</th>
                      <th scope="col">Operation</th>
                      <th scope="col">Status</th>
                      <th scope="col">By</th>
                      <th scope="col">When</th>
                    </tr>
                  </thead>
                  <tbody>
                    {deployments.map((d) => (
                      <tr key={d.id} aria-current={d.id === chosen || undefined}>
                        <td>
                          <button type="button" className="linkish" onClick={() => setParams({ deployment: d.id })}>
                            #{d.version} <span className="visually-hidden">logs</span>
                          </button>
                        </td>
                        <td>{d.pulumiOperation}</td>
                        <td>
                          <span className={statusClass(d.status)}>{d.status}</span>
                        </td>
                        <td>{d.requestedBy.githubLogin || d.initiator}</td>
                        <td className="nowrap">{formatApiTime(d.created)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Query>
      </section>
      {chosen && <DeploymentLogs path={`${base}/${seg(chosen)}/logs`} version={list.data?.deployments.find((d) => d.id === chosen)?.version} />}
    </>
  );
}

/**
 * A deployment's log as the API streams it (500 lines a page, each step's name as a heading line):
 * more pages on demand while the API has more, all of it again on refresh.
 */
function DeploymentLogs({ path, version }: { path: string; version: number | undefined }) {
  const logs = useInfiniteQuery({
    queryKey: [path, 'log'],
    queryFn: ({ pageParam }) => api.get<Logs>(pageParam ? `${path}?continuationToken=${encodeURIComponent(pageParam)}` : path),
    initialPageParam: '',
    // A full page (500 lines, step headings besides) may have more behind it; a shorter one is all there is for now.
    getNextPageParam: (last) => (last.nextToken && last.lines.filter((l) => l.header === undefined).length >= 500 ? last.nextToken : undefined),
  });
  return (
    <section className="card" aria-labelledby="deployment-logs-title">
      <h2 id="deployment-logs-title">Logs of deployment {version !== undefined ? `#${version}` : ''}</h2>
      <p className="actions">
        <button type="button" className="secondary" onClick={() => void logs.refetch()}>
          Refresh logs
        </button>
        {logs.hasNextPage && (
          <button type="button" className="secondary" disabled={logs.isFetchingNextPage} onClick={() => void logs.fetchNextPage()}>
            More lines
          </button>
        )}
      </p>
      <Query query={logs}>
        {({ pages }) => {
          const lines = pages.flatMap((p) => p.lines);
          return lines.length === 0 ? (
            <p className="muted">No log lines yet.</p>
          ) : (
            <pre className="deployment-log" tabIndex={0} aria-label="Deployment log">
              {lines.map((l) => (l.header !== undefined ? `── ${l.header} ──` : (l.line ?? ''))).join('\n')}
            </pre>
          );
        }}
      </Query>
    </section>
  );
}
