// The resources of a checkpoint as a tree by `parent`, flattened in display order for a virtual list.
import type { StateResource } from './types';
import { nameOfUrn } from './urn';

export interface TreeRow {
  resource: StateResource;
  name: string;
  depth: number;
  childCount: number;
}

/**
 * Depth-first rows: each resource under its parent, siblings in state order. A resource whose parent
 * is not in the state (a damaged or partial checkpoint) is shown as a root rather than dropped.
 */
export function buildResourceTree(resources: StateResource[]): TreeRow[] {
  const byUrn = new Set(resources.map((r) => r.urn));
  const children = new Map<string, StateResource[]>();
  const roots: StateResource[] = [];
  for (const resource of resources) {
    const parent = resource.parent && resource.parent !== resource.urn && byUrn.has(resource.parent) ? resource.parent : undefined;
    if (parent === undefined) roots.push(resource);
    else children.set(parent, [...(children.get(parent) ?? []), resource]);
  }
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  // An explicit stack, not recursion: a long parent chain must not overflow the call stack.
  const pending: Array<{ resource: StateResource; depth: number }> = roots.map((resource) => ({ resource, depth: 0 })).reverse();
  while (pending.length > 0) {
    const { resource, depth } = pending.pop()!;
    if (seen.has(resource.urn)) continue;
    seen.add(resource.urn);
    const kids = children.get(resource.urn) ?? [];
    rows.push({ resource, name: nameOfUrn(resource.urn), depth, childCount: kids.length });
    for (let i = kids.length - 1; i >= 0; i--) pending.push({ resource: kids[i]!, depth: depth + 1 });
  }
  return rows;
}

/**
 * The rows whose name, type or URN contains `text` (any case), with their ancestors so that each
 * match keeps its place in the tree.
 */
export function filterTree(rows: TreeRow[], text: string): TreeRow[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return rows;
  const parentOf = new Map(rows.map((row) => [row.resource.urn, row.resource.parent]));
  const keep = new Set<string>();
  for (const row of rows) {
    const { urn, type } = row.resource;
    if (!`${row.name}\n${type}\n${urn}`.toLowerCase().includes(needle)) continue;
    for (let at: string | undefined = urn; at !== undefined && !keep.has(at); at = parentOf.get(at)) keep.add(at);
  }
  return rows.filter((row) => keep.has(row.resource.urn));
}
