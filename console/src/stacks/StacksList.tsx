import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, seg } from '../api';
import { filtersOf, matchesSearch, searchParamsOf, stacksPath, type StackFilters } from './list-query';
import { formatAgo, isoOf } from './format';
import type { StackList, StackSummary, UpdateEntry } from './types';
import { ResultBadge } from './ResultBadge';

const rowHeight = 42;

/** `/{org}`: the organization's stacks, filtered by project and tag on the server and by name here. */
export function StacksList() {
  const { org = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const setFilters = (next: StackFilters) => setParams(searchParamsOf(next), { replace: true });

  const pages = useInfiniteQuery({
    queryKey: ['stacks-list', org, filters.project, filters.tagName, filters.tagValue, filters.search.trim() !== ''],
    queryFn: ({ pageParam }) => api.get<StackList>(stacksPath(org, filters, pageParam)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.continuationToken,
  });
  const searching = filters.search.trim() !== '';
  const { hasNextPage, isFetchingNextPage, isError, fetchNextPage } = pages;
  // A name search reads every page: the API cannot search names.
  useEffect(() => {
    if (searching && hasNextPage && !isFetchingNextPage && !isError) void fetchNextPage();
  }, [searching, hasNextPage, isFetchingNextPage, isError, fetchNextPage]);

  const loaded = pages.data?.pages.flatMap((page) => page.stacks) ?? [];
  const stacks = loaded.filter((stack) => matchesSearch(stack, filters.search));

  return (
    <section>
      <h1>Stacks</h1>
      <FilterBar filters={filters} onChange={setFilters} />
      {pages.isPending ? (
        <p className="loading">Loading…</p>
      ) : pages.isError ? (
        <p role="alert" className="error">
          {pages.error.message}
        </p>
      ) : (
        <>
          <p className="muted" role="status">
            {stacks.length === 0
              ? 'No stacks match.'
              : `${stacks.length} stack${stacks.length === 1 ? '' : 's'}${pages.hasNextPage ? ' shown; more to load' : ''}.`}
          </p>
          {stacks.length > 0 && <StackTable org={org} stacks={stacks} />}
          {pages.hasNextPage && !searching && (
            <div className="actions">
              <button type="button" className="secondary" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
                {pages.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function FilterBar({ filters, onChange }: { filters: StackFilters; onChange: (next: StackFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters.project, filters.tagName, filters.tagValue, filters.search]);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    onChange(draft);
  };
  return (
    <form className="toolbar" onSubmit={apply} role="search" aria-label="Filter stacks">
      <label>
        Search
        <input type="search" value={filters.search} placeholder="project/stack" onChange={(e) => onChange({ ...filters, search: e.target.value })} />
      </label>
      <label>
        Project
        <input value={draft.project} onChange={(e) => setDraft({ ...draft, project: e.target.value })} />
      </label>
      <label>
        Tag name
        <input value={draft.tagName} onChange={(e) => setDraft({ ...draft, tagName: e.target.value })} />
      </label>
      <label>
        Tag value
        <input value={draft.tagValue} onChange={(e) => setDraft({ ...draft, tagValue: e.target.value })} disabled={!draft.tagName} />
      </label>
      <button type="submit">Filter</button>
      {(filters.project || filters.tagName || filters.search) && (
        <button type="button" className="secondary" onClick={() => onChange({ search: '', project: '', tagName: '', tagValue: '' })}>
          Clear
        </button>
      )}
    </form>
  );
}

/** The rows in view only: an organization may hold thousands of stacks. */
function StackTable({ org, stacks }: { org: string; stacks: StackSummary[] }) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => setMargin((bodyRef.current?.getBoundingClientRect().top ?? 0) + window.scrollY), []);
  const virtualizer = useWindowVirtualizer({ count: stacks.length, estimateSize: () => rowHeight, overscan: 12, scrollMargin: margin });
  const items = virtualizer.getVirtualItems();
  const top = (items[0]?.start ?? margin) - margin;
  const bottom = virtualizer.getTotalSize() - ((items[items.length - 1]?.end ?? margin) - margin);
  return (
    <div className="table-wrap">
      <table className="stacks-table">
        <thead>
          <tr>
            <th scope="col">Stack</th>
            <th scope="col">Project</th>
            <th scope="col">Last update</th>
            <th scope="col">Resources</th>
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {top > 0 && <tr aria-hidden="true" style={{ height: top }} />}
          {items.map((item) => {
            const stack = stacks[item.index]!;
            return <StackRow key={stack.id} org={org} stack={stack} index={item.index} measure={virtualizer.measureElement} />;
          })}
          {bottom > 0 && <tr aria-hidden="true" style={{ height: bottom }} />}
        </tbody>
      </table>
    </div>
  );
}

function StackRow({ org, stack, index, measure }: { org: string; stack: StackSummary; index: number; measure: (node: Element | null) => void }) {
  const href = `/${seg(org)}/${seg(stack.projectName)}/${seg(stack.stackName)}`;
  return (
    <tr data-index={index} ref={measure}>
      <td>
        <Link to={href}>{stack.stackName}</Link>
      </td>
      <td>{stack.projectName}</td>
      <td>{stack.lastUpdate ? <LastUpdate stack={stack} /> : <span className="muted">never</span>}</td>
      <td>{stack.resourceCount ?? 0}</td>
    </tr>
  );
}

/** When, and how the newest update ended: read for the rows in view only. */
function LastUpdate({ stack }: { stack: StackSummary }) {
  const latest = useQuery<UpdateEntry>({
    queryKey: [`/api/stacks/${seg(stack.orgName)}/${seg(stack.projectName)}/${seg(stack.stackName)}/updates/latest`],
    staleTime: 60_000,
  });
  const when = stack.lastUpdate!;
  return (
    <span className="last-update">
      <time dateTime={isoOf(when)} title={isoOf(when)}>
        {formatAgo(when)}
      </time>{' '}
      {latest.data && <ResultBadge result={latest.data.info.result} />}
    </span>
  );
}
