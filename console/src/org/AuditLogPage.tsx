import { useState, type FormEvent } from 'react';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ApiError, api, seg, storedToken } from '../api';
import { auditQuery, formatTime, noAuditFilter, type AuditFilter } from './format';

interface AuditLogEvent {
  timestamp: number;
  sourceIP: string;
  event: string;
  description: string;
  user: { name: string; githubLogin: string };
  tokenName?: string;
  authFailure?: true;
  reqOrgAdmin?: true;
  reqStackAdmin?: true;
}

interface AuditEventType {
  event: string;
  displayName: string;
}

/**
 * `/{org}/settings/audit-logs`: the organization's audit log, newest first (v2 API: startTime and
 * endTime bound the range), a page at a time by continuation token, and its CSV or CEF export.
 */
export function AuditLogPage() {
  const org = useParams().org!;
  const base = `/api/orgs/${seg(org)}/auditlogs/v2`;
  const [draft, setDraft] = useState<AuditFilter>(noAuditFilter);
  const [filter, setFilter] = useState<AuditFilter>(noAuditFilter);
  const types = useQuery<{ eventTypes: AuditEventType[] }>({ queryKey: [`/api/orgs/${seg(org)}/auditlogs/event-types`] });
  const names = new Map((types.data?.eventTypes ?? []).map((t) => [t.event, t.displayName]));
  const events = useInfiniteQuery({
    queryKey: [base, filter],
    queryFn: ({ pageParam }) => api.get<{ auditLogEvents: AuditLogEvent[]; continuationToken?: string }>(`${base}${auditQuery(filter, { continuationToken: pageParam })}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.continuationToken,
    // The old rows stay until the new filter's arrive, instead of a blink of "Loading…".
    placeholderData: keepPreviousData,
  });
  const [exportError, setExportError] = useState('');
  const set = (key: keyof AuditFilter) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilter(draft);
  }

  /** The export needs the token in a header, so it is fetched here (the browser undoes its gzip) and handed over as a file. */
  async function download(format: 'csv' | 'cef') {
    setExportError('');
    const response = await fetch(`${base}/export${auditQuery(filter, { format })}`, { headers: { Authorization: `token ${storedToken.get()}` } });
    if (!response.ok) {
      const error = await response.json().catch(() => ({ message: response.statusText }));
      setExportError(new ApiError(response.status, error.message).message);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = `${org}-audit-log.${format}`;
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  }

  return (
    <section>
      <h1>Audit log of {org}</h1>
      <form className="card toolbar" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          User login
          <input value={draft.user} onChange={set('user')} />
        </label>
        <label>
          Event type
          <select value={draft.event} onChange={set('event')}>
            <option value="">All events</option>
            {(types.data?.eventTypes ?? []).map((t) => (
              <option key={t.event} value={t.event}>
                {t.displayName}
              </option>
            ))}
          </select>
        </label>
        <label>
          From (UTC)
          <input type="datetime-local" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          To (UTC)
          <input type="datetime-local" value={draft.to} onChange={set('to')} />
        </label>
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={() => download('csv')}>
          Export CSV
        </button>
        <button type="button" className="secondary" onClick={() => download('cef')}>
          Export CEF
        </button>
      </form>
      {exportError && (
        <p role="alert" className="error">
          {exportError}
        </p>
      )}
      {events.isPending && <p className="loading">Loading…</p>}
      {events.isError && (
        <p role="alert" className="error card">
          {events.error.message}
        </p>
      )}
      {events.isSuccess && (
        <div className="card">
          {events.data.pages[0]!.auditLogEvents.length === 0 ? (
            <p className="muted">No events match.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Audit log events">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">User</th>
                    <th scope="col">Event</th>
                    <th scope="col">Description</th>
                    <th scope="col">Source IP</th>
                  </tr>
                </thead>
                <tbody>
                  {events.data.pages
                    .flatMap((p) => p.auditLogEvents)
                    .map((e, index) => (
                      <tr key={index}>
                        <td className="nowrap">{formatTime(e.timestamp * 1000)}</td>
                        <td>
                          {e.user.githubLogin || <span className="muted">unknown</span>}
                          {e.tokenName && <span className="muted"> via token {e.tokenName}</span>}
                        </td>
                        <td>
                          {names.get(e.event) ?? e.event} {e.authFailure && <span className="badge failed">refused</span>}
                        </td>
                        <td>{e.description}</td>
                        <td className="mono">{e.sourceIP}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          )}
          {events.hasNextPage && (
            <button type="button" className="secondary" onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage}>
              Load older events
            </button>
          )}
        </div>
      )}
    </section>
  );
}
