import { createHash } from 'node:crypto';
import type { RawBuilder } from 'kysely';
import type { Caller } from '../../auth/caller.js';
import { requireOrganization, stackVisibility } from '../../auth/permissions.js';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Executor } from '../../db/executor.js';
import { reindexAll } from './maintain.js';
import { ApiError } from '../../errors.js';
import { matchesDocument } from './match.js';
import { parseQuery, type QueryNode } from './query.js';
import { presentCsvHeader, presentCsvRow, presentResource, type SearchResourceView } from './present.js';
import * as store from './store.js';

export { sortFields, type SortField } from './store.js';

export interface SearchQuery {
  query?: string;
  sort?: store.SortField[];
  asc?: boolean;
  page?: number;
  size?: number;
  cursor?: string;
  facet?: store.SortField[];
  top?: number;
  properties?: boolean;
}

export interface SearchResult {
  total: number;
  resources: SearchResourceView[];
  aggregations?: Record<string, { others: number; results: Array<{ name: string; count: number }> }>;
  pagination: { previous: string | null; next: string | null; cursor: string | null };
}

/** Only the first 10,000 matches are reachable by page number; cursors go on from there. */
export const pageWindow = 10_000;
const defaultSize = 50;
const maxFacets = 5;
const defaultTop = 5;
const exportBatch = 1000;
/** A split query's matches by rows up to this many are found once and named by id after. */
const fewRows = 10_000;

/**
 * The matches of one query for one caller, whichever way they are found: by SQL alone, or, when
 * the query tests properties, by SQL narrowing and the documents finishing (`InMemoryMatches`).
 */
interface Matches {
  count(): Promise<number>;
  page(request: store.PageRequest): Promise<Array<{ id: number; values: Array<string | number> }>>;
  facet(field: store.SortField, top: number): Promise<Array<{ value: string | number; count: number }>>;
  load(ids: number[]): Promise<store.IndexedResource[]>;
}

class SqlMatches implements Matches {
  constructor(
    private readonly db: Executor,
    private readonly scope: store.SearchScope,
    private readonly condition: RawBuilder<boolean>,
    /** The condition tests stack and type keys alone: counts and facets read the counts per stack and type. */
    private readonly keysOnly: boolean,
    /** The condition as a part on keys and a disjoint part on rows (store.splitCondition), counted apart. */
    private readonly split?: store.SplitCondition,
  ) {}

  /** The count, once taken: it tells how a page is best found. */
  private total?: number;
  /** The matches of the split's part on rows, when they are few: found once, for the count, page and facets. */
  private rowIds?: number[];

  async count() {
    if (!this.split) return (this.total = await store.countMatches(this.db, this.scope, this.condition, this.keysOnly));
    const keys = this.split.keys ? await store.countMatches(this.db, this.scope, this.split.keys, true) : 0;
    const ids = await store.matchIds(this.db, this.scope, this.split.rows, fewRows + 1);
    if (ids.length <= fewRows) this.rowIds = ids;
    return (this.total = keys + (this.rowIds ? ids.length : await store.countMatches(this.db, this.scope, this.split.rows)));
  }

  /** The condition, with the part on rows as the ids found when they are. */
  private get known() {
    return this.split && this.rowIds ? store.keysOrIds(this.db, this.split, this.rowIds) : undefined;
  }

  page(request: store.PageRequest) {
    // Where one in twenty rows or more matches, the page is among the first rows in order.
    const inOrder = this.total !== undefined && this.total >= 10_000 && ((request.offset ?? 0) + request.limit) * 20 <= this.total;
    // In order, the split's keys test most rows cheaply; else the condition's one set of ids is found first.
    const condition = this.known ?? (inOrder && this.split ? this.split.either : this.condition);
    return store.pageOfMatches(this.db, this.scope, condition, { ...request, inOrder });
  }

  async facet(field: store.SortField, top: number) {
    if (!this.split || !store.keyFacets.has(field)) return store.facetOf(this.db, this.scope, this.known ?? this.condition, field, top, this.keysOnly);
    // Every value of each part, added up: the top of the sum need not be on top in either part.
    const counts = new Map<string | number, number>();
    const rows = this.rowIds ? store.rowsOf(this.db, this.rowIds) : this.split.rows;
    const parts = [...(this.split.keys ? [[this.split.keys, true] as const] : []), [rows, false] as const];
    for (const [condition, keysOnly] of parts) {
      for (const { value, count } of await store.facetOf(this.db, this.scope, condition, field, undefined, keysOnly)) counts.set(value, (counts.get(value) ?? 0) + count);
    }
    return topValues(counts, top);
  }

  load = (ids: number[]) => store.loadResources(this.db, ids);
}

/** The `top` values with the most resources, most first, ties by value. */
const topValues = (counts: Map<string | number, number>, top: number) =>
  [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, top)
    .map(([value, count]) => ({ value, count }));

/** Sort value of a loaded resource, as the index stores it. */
function sortValue(resource: store.IndexedResource, field: store.SortField): string | number {
  switch (field) {
    case 'created':
      return resource.created ?? 0;
    case 'modified':
      return resource.modified ?? 0;
    case 'custom':
      return resource.custom ? 1 : 0;
    case 'delete':
      return resource.delete ? 1 : 0;
    case 'protected':
      return resource.protected ? 1 : 0;
    case 'id':
      return resource.id;
    case 'parent.urn':
      return resource.parentUrn;
    case 'provider.urn':
      return resource.providerUrn;
    default:
      return resource[field];
  }
}

const compareValues = (a: Array<string | number>, b: Array<string | number>) => {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
};

/** Matches of a query that tests properties: every candidate SQL keeps, tested one by one. */
class InMemoryMatches implements Matches {
  private matched?: Map<number, store.IndexedResource>;

  constructor(
    private readonly db: Executor,
    private readonly scope: store.SearchScope,
    private readonly condition: RawBuilder<boolean>,
    private readonly node: QueryNode,
  ) {}

  private async all(): Promise<Map<number, store.IndexedResource>> {
    if (this.matched) return this.matched;
    const matched = new Map<number, store.IndexedResource>();
    for await (const ids of store.allMatchIds(this.db, this.scope, this.condition)) {
      for (const resource of await store.loadResources(this.db, ids)) {
        if (matchesDocument(this.node, { ...resource, properties: JSON.parse(resource.propertiesText) as unknown })) matched.set(resource.rowId, resource);
      }
    }
    return (this.matched = matched);
  }

  count = async () => (await this.all()).size;

  async page(request: store.PageRequest) {
    const keyed = [...(await this.all()).values()].map((r) => ({ id: r.rowId, values: request.sort.map((f) => sortValue(r, f)) }));
    const order = (a: (typeof keyed)[number], b: (typeof keyed)[number]) => compareValues([...a.values, a.id], [...b.values, b.id]) * (request.asc ? 1 : -1);
    keyed.sort(order);
    const after = request.after && { values: request.after.values, id: request.after.id };
    const rest = after ? keyed.filter((k) => order(k, after) > 0) : keyed;
    const offset = request.offset ?? 0;
    return rest.slice(offset, offset + request.limit);
  }

  async facet(field: store.SortField, top: number) {
    const counts = new Map<string | number, number>();
    for (const resource of (await this.all()).values()) {
      const value = sortValue(resource, field);
      const empty = field === 'created' || field === 'modified' ? value === 0 : value === '';
      if (!empty) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return topValues(counts, top);
  }

  load = async (ids: number[]) => {
    const all = await this.all();
    return ids.map((id) => all.get(id)!);
  };
}

interface CursorState {
  values: Array<string | number>;
  id: number;
}

/** Resource search over the index (src/api/search/maintain.ts keeps it), with only readable stacks seen. */
export class SearchService {
  constructor(private readonly deps: { db: Executor; blobs: BlobStore }) {}

  /** Rebuilds the whole index from every stack's newest state. */
  async reindex(progress?: (done: number, total: number) => void): Promise<{ stacks: number }> {
    return reindexAll(this.deps.db, this.deps.blobs, progress);
  }

  async search(caller: Caller, organization: string, query: SearchQuery, basePath: string): Promise<SearchResult> {
    const { matches, sort, asc, fingerprint } = await this.prepare(caller, organization, query);
    const size = query.size ?? defaultSize;
    const cursorText = query.cursor || undefined;
    const after = cursorText === undefined ? undefined : decodeCursor(cursorText, fingerprint, sort);
    const page = query.page ?? 1;
    if (after === undefined && page * size > pageWindow) {
      throw new ApiError('bad_request', `page ${page} of size ${size} goes past the first ${pageWindow} results, which is as far as pages reach; page on with the 'cursor' the results give`);
    }
    const total = await matches.count();
    const rows = await matches.page({ sort, asc, limit: size + 1, ...(after ? { after } : { offset: (page - 1) * size }) });
    const shown = rows.slice(0, size);
    const more = rows.length > size;
    const last = shown[shown.length - 1];
    const cursor = more && last ? encodeCursor({ values: last.values, id: last.id }, fingerprint) : null;

    const loaded = new Map((await matches.load(shown.map((r) => r.id))).map((r) => [r.rowId, r]));
    const resources = shown.map((r) => presentResource(loaded.get(r.id)!, query.properties === true));

    const link = (changes: Record<string, string | number | undefined>) => `${basePath}?${linkQuery(query, changes)}`;
    const next = !more ? null : after === undefined && page * size < pageWindow ? link({ page: page + 1, cursor: undefined }) : link({ page: undefined, cursor: cursor! });
    const previous = after === undefined && page > 1 ? link({ page: page - 1, cursor: undefined }) : null;

    const facets = [...new Set(query.facet ?? [])];
    if (facets.length > maxFacets) throw new ApiError('bad_request', `at most ${maxFacets} facets may be asked for, got ${facets.length}`);
    let aggregations: SearchResult['aggregations'];
    if (facets.length > 0) {
      aggregations = {};
      for (const field of facets) {
        const results = (await matches.facet(field, query.top ?? defaultTop)).map((b) => ({ name: facetName(field, b.value), count: b.count }));
        aggregations[field] = { others: total - results.reduce((sum, b) => sum + b.count, 0), results };
      }
    }
    return { total, resources, ...(aggregations && { aggregations }), pagination: { previous, next, cursor } };
  }

  /** Every match as CSV lines (header first), in the query's order. */
  async *export(caller: Caller, organization: string, query: SearchQuery): AsyncGenerator<string> {
    const { matches, sort, asc } = await this.prepare(caller, organization, query);
    const properties = query.properties === true;
    yield presentCsvHeader(properties);
    let after: CursorState | undefined;
    for (;;) {
      const rows = await matches.page({ sort, asc, limit: exportBatch, ...(after && { after }) });
      if (rows.length === 0) return;
      const loaded = new Map((await matches.load(rows.map((r) => r.id))).map((r) => [r.rowId, r]));
      yield rows.map((r) => presentCsvRow(loaded.get(r.id)!, properties)).join('');
      if (rows.length < exportBatch) return;
      after = rows[rows.length - 1]!;
    }
  }

  /** Search is served for every member of the organization. */
  async available(caller: Caller, organization: string): Promise<void> {
    await requireOrganization(this.deps.db, caller, organization, 'member');
  }

  private async prepare(caller: Caller, organization: string, query: SearchQuery) {
    const node = parseQuery(query.query ?? '');
    const org = await requireOrganization(this.deps.db, caller, organization, 'member');
    const visibility = await stackVisibility(this.deps.db, caller);
    const scope: store.SearchScope = {
      organizationId: org.id,
      everyStack: visibility.allOf.includes(org.id),
      ...(visibility.createdIn.includes(org.id) && { createdBy: visibility.creatorUserId }),
      teamIds: visibility.teamIds,
    };
    const compiler = new store.QueryCompiler(this.deps.db);
    const condition = node ? compiler.compile(node) : store.everything;
    const plan = node && !compiler.needsDocuments ? compiler.split(node) : undefined;
    const split = plan && (await store.splitCondition(this.deps.db, scope, plan));
    const matches: Matches = node && compiler.needsDocuments ? new InMemoryMatches(this.deps.db, scope, condition, node) : new SqlMatches(this.deps.db, scope, condition, !compiler.readsRows, split);
    // Without a sort, the newest changes come first (there is no relevance score to order by).
    const sort = query.sort && query.sort.length > 0 ? [...new Set(query.sort)] : (['modified'] as store.SortField[]);
    const asc = query.asc === true;
    const fingerprint = createHash('sha256').update(JSON.stringify([org.id, query.query ?? '', sort, asc])).digest('base64url').slice(0, 16);
    return { matches, sort, asc, fingerprint };
  }
}

function facetName(field: store.SortField, value: string | number): string {
  if (field === 'custom' || field === 'delete' || field === 'protected') return Number(value) === 1 ? 'true' : 'false';
  if (field === 'created' || field === 'modified') return new Date(Number(value)).toISOString();
  return String(value);
}

/** The request's own parameters, as given, with `changes` applied: what pagination links carry. */
function linkQuery(query: SearchQuery, changes: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  if (query.query !== undefined) params.set('query', query.query);
  for (const field of query.sort ?? []) params.append('sort', field);
  if (query.asc !== undefined) params.set('asc', String(query.asc));
  if (query.size !== undefined) params.set('size', String(query.size));
  for (const field of query.facet ?? []) params.append('facet', field);
  if (query.top !== undefined) params.set('top', String(query.top));
  if (query.properties !== undefined) params.set('properties', String(query.properties));
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) params.set(key, String(value));
  return params.toString();
}

/** A cursor names the last row shown by its sort values and id, and the query it belongs to. */
function encodeCursor(state: CursorState, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, v: state.values, i: state.id })).toString('base64url');
}

const numericSorts = new Set<store.SortField>(['created', 'modified', 'custom', 'delete', 'protected']);

function decodeCursor(text: string, fingerprint: string, sort: store.SortField[]): CursorState {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError('bad_request', 'the cursor is not one these results gave');
  }
  const { f, v, i } = (decoded ?? {}) as { f?: unknown; v?: unknown; i?: unknown };
  const fits = (x: unknown, field: store.SortField) => (numericSorts.has(field) ? Number.isSafeInteger(x) : typeof x === 'string');
  if (!Array.isArray(v) || v.length !== sort.length || !v.every((x, at) => fits(x, sort[at]!)) || !Number.isSafeInteger(i)) {
    throw new ApiError('bad_request', 'the cursor is not one these results gave');
  }
  if (f !== fingerprint) throw new ApiError('bad_request', 'the cursor belongs to another query, sort or order; start again without it');
  return { values: v as Array<string | number>, id: i as number };
}
