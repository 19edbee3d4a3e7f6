import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, seg } from '../api';
import { Query } from '../shell/Query';
import { buildTimeline, type PropertyChange, type TimelineEntry } from './diff';
import { formatAgo, formatChanges, formatDuration, formatValue, isoOf } from './format';
import { ResultBadge } from './ResultBadge';
import { useStack } from './stack-context';
import type { EngineEvent, EventPage, UpdateEntry, UpdateSummary } from './types';

/** Every event of an update, following the continuation token until the server says it has sent them all. */
async function allEvents(path: string): Promise<{ events: EngineEvent[]; complete: boolean }> {
  const events: EngineEvent[] = [];
  let token: string | null = null;
  for (let pageCount = 0; pageCount < 500; pageCount++) {
    const page: EventPage = await api.get<EventPage>(token === null ? path : `${path}?continuationToken=${encodeURIComponent(token)}`);
    events.push(...page.events);
    if (page.continuationToken === null) return { events, complete: true };
    // A running update: what has arrived so far; the query polls for more.
    if (page.events.length === 0 || page.continuationToken === token) return { events, complete: false };
    token = page.continuationToken;
  }
  return { events, complete: false };
}

/** `/{org}/{project}/{stack}/updates/{version}`: the URL `pulumi up` prints. */
export function UpdatePage() {
  const { apiPath, pagePath } = useStack();
  const { version = '' } = useParams();
  const update = useQuery<UpdateEntry>({
    queryKey: [`${apiPath}/updates/${seg(version)}`],
    // While it runs, its result and its events are followed until it ends.
    refetchInterval: (query) => (query.state.data?.info.result === 'in-progress' ? 2000 : false),
  });
  return (
    <Query query={update}>
      {(entry) => (
        <>
          <p>
            <Link to={`${pagePath}/updates`}>All updates</Link>
          </p>
          <h2>
            Update #{entry.version} ({entry.info.kind})
          </h2>
          <dl className="update-facts">
            <div>
              <dt>Result</dt>
              <dd>
                <ResultBadge result={entry.info.result} />
              </dd>
            </div>
            <div>
              <dt>By</dt>
              <dd>{entry.requestedBy.name || entry.requestedBy.githubLogin}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>
                <time dateTime={isoOf(entry.info.startTime)} title={isoOf(entry.info.startTime)}>
                  {formatAgo(entry.info.startTime)}
                </time>
              </dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{entry.info.endTime > 0 ? formatDuration(entry.info.endTime - entry.info.startTime) : 'running'}</dd>
            </div>
            <div>
              <dt>Changes</dt>
              <dd>{formatChanges(entry.info.resourceChanges) || 'none'}</dd>
            </div>
            {entry.info.message && (
              <div>
                <dt>Message</dt>
                <dd>{entry.info.message}</dd>
              </div>
            )}
          </dl>
          <Timeline eventsPath={`${apiPath}/update/${seg(entry.updateID)}/events`} running={entry.info.result === 'in-progress'} />
        </>
      )}
    </Query>
  );
}

/** `/{org}/{project}/{stack}/previews/{updateId}`: the URL `pulumi preview` prints. */
export function PreviewPage() {
  const { apiPath, pagePath } = useStack();
  const { updateId = '' } = useParams();
  const summary = useQuery<UpdateSummary>({
    queryKey: [`${apiPath}/previews/${seg(updateId)}/summary`],
    refetchInterval: (query) => (query.state.data?.result === 'in-progress' ? 2000 : false),
  });
  return (
    <Query query={summary}>
      {(info) => (
        <>
          <p>
            <Link to={`${pagePath}/updates`}>All updates</Link>
          </p>
          <h2>Preview</h2>
          <dl className="update-facts">
            <div>
              <dt>Result</dt>
              <dd>
                <ResultBadge result={info.result} />
              </dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>
                <time dateTime={isoOf(info.startTime)}>{formatAgo(info.startTime)}</time>
              </dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{info.endTime > 0 ? formatDuration(info.endTime - info.startTime) : 'running'}</dd>
            </div>
          </dl>
          <Timeline eventsPath={`${apiPath}/preview/${seg(updateId)}/events`} running={info.result === 'in-progress'} />
        </>
      )}
    </Query>
  );
}

const opWords: Record<string, string> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  replace: 'replace',
  'create-replacement': 'create replacement',
  'delete-replaced': 'delete replaced',
  read: 'read',
  refresh: 'refresh',
  import: 'import',
  'import-replacement': 'import replacement',
  'discard-replaced': 'discard replaced',
  'remove-pending-replace': 'remove pending replace',
};

function Timeline({ eventsPath, running }: { eventsPath: string; running: boolean }) {
  const events = useQuery({
    // Read again once the update ends: the last events arrive with its end.
    queryKey: [eventsPath, 'all', running],
    queryFn: () => allEvents(eventsPath),
    refetchInterval: running ? 2000 : false,
  });
  return (
    <section aria-labelledby="timeline-heading">
      <h3 id="timeline-heading">Timeline</h3>
      <Query query={events}>
        {({ events: list }) => {
          const { entries, unchanged } = buildTimeline(list);
          if (entries.length === 0 && unchanged === 0) return <p className="muted">No events recorded.</p>;
          return (
            <>
              <ol className="timeline">
                {entries.map((entry) => (
                  <TimelineItem key={entry.sequence} entry={entry} />
                ))}
              </ol>
              {unchanged > 0 && (
                <p className="muted">
                  {unchanged} resource{unchanged === 1 ? '' : 's'} unchanged.
                </p>
              )}
            </>
          );
        }}
      </Query>
    </section>
  );
}

function TimelineItem({ entry }: { entry: TimelineEntry }) {
  if (entry.kind !== 'step') {
    return (
      <li className={`timeline-note ${entry.severity}`}>
        <span className="badge">{entry.kind === 'summary' ? 'summary' : entry.severity}</span> <pre className="inline">{entry.message}</pre>
      </li>
    );
  }
  return (
    <li className={`timeline-step op-${entry.op}`}>
      <div>
        <span className={`badge op ${entry.status === 'failed' ? 'failed' : entry.status === 'done' ? 'succeeded' : ''}`}>{opWords[entry.op] ?? entry.op}</span>{' '}
        <strong>{entry.name}</strong> <span className="mono muted">{entry.type}</span>
        {entry.status === 'failed' && <span className="error"> failed</span>}
      </div>
      {entry.changes.length > 0 && <ChangeList changes={entry.changes} />}
    </li>
  );
}

const kindSymbols = { add: '+', delete: '-', update: '~' } as const;

function ChangeList({ changes }: { changes: PropertyChange[] }) {
  return (
    <ul className="changes">
      {changes.map((change) => (
        <li key={change.key} className={`change ${change.kind}`}>
          <span aria-hidden="true">{kindSymbols[change.kind]} </span>
          <span className="visually-hidden">{change.kind} </span>
          <code>{change.key}</code>
          {change.replace && <span className="badge">forces replacement</span>}:{' '}
          {change.kind === 'update' ? (
            <>
              <code>{formatValue(change.old)}</code> → <code>{formatValue(change.new)}</code>
            </>
          ) : (
            <code>{formatValue(change.kind === 'add' ? change.new : change.old)}</code>
          )}
        </li>
      ))}
    </ul>
  );
}
