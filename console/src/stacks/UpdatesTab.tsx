import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Query } from '../shell/Query';
import { formatAgo, formatChanges, formatDuration, isoOf } from './format';
import { ResultBadge } from './ResultBadge';
import { useStack } from './stack-context';
import type { UpdateHistory } from './types';

const pageSize = 20;

/** The stack's updates, newest first, a page at a time (`?page=` in the URL). */
export function UpdatesTab() {
  const { apiPath, pagePath } = useStack();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const history = useQuery<UpdateHistory>({
    queryKey: [`${apiPath}/updates?output-type=service&page=${page}&pageSize=${pageSize}`],
    placeholderData: keepPreviousData,
  });
  return (
    <section aria-labelledby="updates-heading">
      <h2 id="updates-heading">Updates</h2>
      <Query query={history}>
        {({ updates, total }) => {
          const pages = Math.max(1, Math.ceil(total / pageSize));
          if (updates.length === 0) return <p className="muted">No updates yet.</p>;
          return (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Update</th>
                      <th scope="col">Result</th>
                      <th scope="col">By</th>
                      <th scope="col">When</th>
                      <th scope="col">Duration</th>
                      <th scope="col">Changes</th>
                    </tr>
                  </thead>
                  <tbody>
                    {updates.map(({ version, info, requestedBy, updateID }) => (
                      <tr key={updateID}>
                        <td>
                          <Link to={`${pagePath}/updates/${version}`}>
                            #{version} {info.kind}
                          </Link>
                          {info.message && <div className="muted">{info.message}</div>}
                        </td>
                        <td>
                          <ResultBadge result={info.result} />
                        </td>
                        <td>{requestedBy.name || requestedBy.githubLogin}</td>
                        <td>
                          <time dateTime={isoOf(info.startTime)} title={isoOf(info.startTime)}>
                            {formatAgo(info.startTime)}
                          </time>
                        </td>
                        <td>{info.endTime > 0 ? formatDuration(info.endTime - info.startTime) : '—'}</td>
                        <td>{formatChanges(info.resourceChanges) || <span className="muted">no changes</span>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {pages > 1 && (
                <nav className="actions" aria-label="Update pages">
                  <button type="button" className="secondary" disabled={page <= 1} onClick={() => setParams({ page: String(page - 1) })}>
                    Newer
                  </button>
                  <span className="muted">
                    Page {page} of {pages}
                  </span>
                  <button type="button" className="secondary" disabled={page >= pages} onClick={() => setParams({ page: String(page + 1) })}>
                    Older
                  </button>
                </nav>
              )}
            </>
          );
        }}
      </Query>
    </section>
  );
}
