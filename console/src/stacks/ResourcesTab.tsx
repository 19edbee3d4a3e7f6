import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { Query } from '../shell/Query';
import { formatValue } from './format';
import { useStack } from './stack-context';
import { buildResourceTree, filterTree, type TreeRow } from './tree';
import type { StackResources, StateResource } from './types';
import { providerLabel } from './urn';

/** The newest state's resources as a tree by parent; only the rows in view are drawn. */
export function ResourcesTab() {
  const { apiPath } = useStack();
  const resources = useQuery<StackResources>({ queryKey: [`${apiPath}/resources/latest`] });
  return (
    <section aria-labelledby="resources-heading">
      <h2 id="resources-heading">Resources</h2>
      <Query query={resources}>{(data) => <ResourceTree resources={data.resources.map((r) => r.resource)} />}</Query>
    </section>
  );
}

function ResourceTree({ resources }: { resources: StateResource[] }) {
  const [filter, setFilter] = useState('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const tree = useMemo(() => buildResourceTree(resources), [resources]);
  const rows = useMemo(() => filterTree(tree, filter), [tree, filter]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 40,
    overscan: 15,
    getItemKey: (index) => rows[index]!.resource.urn,
  });
  const toggle = (urn: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(urn)) next.add(urn);
      return next;
    });
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);

  return (
    <>
      <div className="toolbar">
        <label>
          Filter resources
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="name, type or URN" />
        </label>
        <p className="muted" role="status">
          {filter ? `${rows.length} of ${tree.length} resources` : `${tree.length} resource${tree.length === 1 ? '' : 's'}`}
        </p>
      </div>
      {tree.length === 0 ? (
        <p className="muted">This stack has no resources.</p>
      ) : (
        <div className="resource-scroll table-wrap" ref={scrollRef} tabIndex={0} aria-label="Resources of the stack">
          <table className="resource-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Provider</th>
                <th scope="col">URN</th>
              </tr>
            </thead>
            {top > 0 && (
              <tbody aria-hidden="true">
                <tr style={{ height: top }} />
              </tbody>
            )}
            {items.map((item) => {
              const row = rows[item.index]!;
              return (
                <tbody key={item.key} data-index={item.index} ref={virtualizer.measureElement}>
                  <ResourceRow row={row} open={expanded.has(row.resource.urn)} onToggle={() => toggle(row.resource.urn)} />
                </tbody>
              );
            })}
            {bottom > 0 && (
              <tbody aria-hidden="true">
                <tr style={{ height: bottom }} />
              </tbody>
            )}
          </table>
        </div>
      )}
    </>
  );
}

function ResourceRow({ row, open, onToggle }: { row: TreeRow; open: boolean; onToggle: () => void }) {
  const { resource, name, depth, childCount } = row;
  return (
    <>
      <tr>
        <td>
          <span className="tree-name" style={{ paddingLeft: `${depth * 1.1}rem` }}>
            <button type="button" className="linkish" aria-expanded={open} onClick={onToggle}>
              <span aria-hidden="true">{open ? '▾' : '▸'}</span> {name}
            </button>
            {childCount > 0 && <span className="muted"> ({childCount})</span>}
          </span>
        </td>
        <td className="mono">{resource.type}</td>
        <td>{resource.provider ? providerLabel(resource.provider) : ''}</td>
        <td className="mono urn">{resource.urn}</td>
      </tr>
      {open && (
        <tr className="resource-details">
          <td colSpan={4}>
            <ResourceDetails resource={resource} />
          </td>
        </tr>
      )}
    </>
  );
}

function ResourceDetails({ resource }: { resource: StateResource }) {
  const sections: Array<[string, Record<string, unknown> | undefined]> = [
    ['Inputs', resource.inputs],
    ['Outputs', resource.outputs],
  ];
  return (
    <div className="resource-properties">
      <p>
        {resource.id && (
          <>
            ID <code>{resource.id}</code>{' '}
          </>
        )}
        {resource.protect && <span className="badge">protected</span>}
      </p>
      {sections.map(([title, properties]) => {
        const entries = Object.entries(properties ?? {}).filter(([key]) => !key.startsWith('__'));
        return (
          <div key={title}>
            <h3>{title}</h3>
            {entries.length === 0 ? (
              <p className="muted">none</p>
            ) : (
              <dl>
                {entries.map(([key, value]) => (
                  <div key={key}>
                    <dt className="mono">{key}</dt>
                    <dd>
                      <code>{formatValue(value, 1000)}</code>
                    </dd>
                  </div>
                ))}
              </dl>
            )}
          </div>
        );
      })}
    </div>
  );
}
