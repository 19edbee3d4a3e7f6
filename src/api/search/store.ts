import { sql, type RawBuilder } from 'kysely';
import { StackPermission } from '../../auth/permissions.js';
import type { Executor } from '../../db/executor.js';
import { anyOf, escapeLike, inIndexOrder, likeNoCase, rowIn, textMatchIds } from '../../db/text-search.js';
import { timeBounds, versionKey, type SearchDocument } from './match.js';
import type { FieldMatch, QueryNode, SearchField, ValueMatch } from './query.js';

/** The stacks of one organization a caller may read, as the permission module decided. */
export interface SearchScope {
  organizationId: string;
  /** Every stack of the organization. */
  everyStack: boolean;
  /** Else those the caller created (when the organization lets creators read theirs)… */
  createdBy?: string;
  /** …and those these teams may read. */
  teamIds: string[];
}

/** A free-text word (and terms on keys beside it) that QueryCompiler.split can take apart. */
export interface SplitPlan {
  word: string;
  /** The other terms, on keys alone. */
  beside: Array<RawBuilder<boolean>>;
  /** The rows whose URN text holds the word. */
  byText: RawBuilder<boolean>;
}

/**
 * The split plan as two disjoint conditions, with the stacks whose names hold the word looked up
 * first: the counts of those stacks' rows add up per stack and type, and a database planning the
 * rest sees how few (or many) stacks they are. `either` is the whole condition.
 */
export async function splitCondition(db: Executor, scope: SearchScope, plan: SplitPlan): Promise<SplitCondition> {
  const named = await sql<{ key: number | string }>`SELECT s.key FROM indexed_stacks s WHERE s.organization_id = ${scope.organizationId} AND ${stackNamesHold(db, plan.word)}`.execute(db);
  const keys = named.rows.map((row) => Number(row.key));
  const all = (conditions: Array<RawBuilder<boolean>>) => sql<boolean>`(${sql.join(conditions, sql` AND `)})`;
  if (keys.length === 0) {
    const byRows = all([...plan.beside, plan.byText]);
    return { rows: byRows, either: byRows };
  }
  const inStacks = anyOf(db, sql`r.stack_key`, keys);
  const byKeys = all([...plan.beside, inStacks]);
  const byRows = all([...plan.beside, sql<boolean>`NOT ${inStacks}`, plan.byText]);
  return { keys: byKeys, rows: byRows, either: sql<boolean>`(${byKeys} OR ${byRows})` };
}

/** A condition as two disjoint parts (see splitCondition): `either` is the condition. */
export interface SplitCondition {
  /** Tests stack and type keys alone: holds on resource_index_counts too. Undefined: no row. */
  keys?: RawBuilder<boolean>;
  rows: RawBuilder<boolean>;
  either: RawBuilder<boolean>;
}

/** The fields results sort and facet by. */
export type SortField = 'created' | 'custom' | 'delete' | 'id' | 'modified' | 'module' | 'name' | 'package' | 'parent.urn' | 'pending' | 'project' | 'protected' | 'provider.urn' | 'stack' | 'type' | 'urn';

type Sql = RawBuilder<unknown>;
const TRUE = sql<boolean>`1 = 1`;
const FALSE = sql<boolean>`1 = 0`;

function readableStackKeys(scope: SearchScope): Sql {
  const inOrg = sql`s.organization_id = ${scope.organizationId}`;
  if (scope.everyStack) return sql`SELECT s.key FROM indexed_stacks s WHERE ${inOrg}`;
  const grants: Sql[] = [];
  if (scope.createdBy !== undefined) grants.push(sql`s.stack_id IN (SELECT id FROM stacks WHERE created_by_user_id = ${scope.createdBy})`);
  if (scope.teamIds.length > 0) {
    grants.push(sql`s.stack_id IN (SELECT stack_id FROM team_stack_permissions WHERE permission >= ${StackPermission.read} AND team_id IN (${sql.join(scope.teamIds)}))`);
  }
  if (grants.length === 0) return sql`SELECT s.key FROM indexed_stacks s WHERE ${FALSE}`;
  return sql`SELECT s.key FROM indexed_stacks s WHERE ${inOrg} AND (${sql.join(grants, sql` OR `)})`;
}

const globPattern = (glob: string) => escapeLike(glob).replaceAll('*', '%');

/**
 * The longest piece of `term` between colons that the URN text index can look up: not one that
 * could lie in the `urn:pulumi:` every URN begins with (any case), which only a scan finds.
 */
export function lookupPiece(term: string): string | undefined {
  const usable = term.split(':').filter((piece) => piece !== '' && !'urn'.includes(piece.toLowerCase()) && !'pulumi'.includes(piece.toLowerCase()));
  return usable.sort((a, b) => b.length - a.length)[0];
}

/** A word the URN text index finds whole: not empty, no `:`, not inside `urn:pulumi:`. */
const isTextWord = (word: string) => word !== '' && lookupPiece(word) === word;

/** The indexed stack `s`'s name or project contains `word` (not empty). */
const stackNamesHold = (db: Executor, word: string) => {
  const pattern = `%${escapeLike(word)}%`;
  return sql<boolean>`(${likeNoCase(db, sql`s.stack`, pattern)} OR ${likeNoCase(db, sql`s.project`, pattern)})`;
};

/** Keys of the indexed stacks whose `columns` satisfy `condition` (any of them). */
const stackKeys = (condition: (column: 'stack' | 'project') => RawBuilder<boolean>, columns: Array<'stack' | 'project'>): Sql =>
  sql`SELECT s.key FROM indexed_stacks s WHERE ${sql.join(columns.map(condition), sql` OR `)}`;

/** Fields whose terms test nothing of a row but its stack and type keys (`category`: nothing at all). */
const keyFields: ReadonlySet<SearchField> = new Set(['category', 'stack', 'project', 'team', 'package', 'module', 'type']);
/** Fields every row has, so that `field:` alone is true. */
const everyRowHas: ReadonlySet<SearchField> = new Set(['custom', 'delete', 'protected', 'name', 'urn']);

/**
 * Turns a parsed query into a condition on `resource_index r`, with the semantics of match.ts.
 * Conditions on other tables are subqueries of keys or ids, so counting needs no join. Property
 * terms cannot be asked of SQL: they compile to what keeps every row they might match (true where
 * they count for a row, false under a negation), and `needsDocuments` tells the service to finish
 * the filtering with matchesDocument. `readsRows` says the condition tests more than stack and type
 * keys; when it does not, it holds on `resource_index_counts r` as well, which counts faster.
 */
export class QueryCompiler {
  needsDocuments = false;
  readsRows = false;

  constructor(private readonly db: Executor) {}

  compile(node: QueryNode, positive = true): RawBuilder<boolean> {
    switch (node.kind) {
      case 'and':
        return sql<boolean>`(${sql.join(node.nodes.map((n) => this.compile(n, positive)), sql` AND `)})`;
      case 'or':
        return sql<boolean>`(${sql.join(node.nodes.map((n) => this.compile(n, positive)), sql` OR `)})`;
      case 'not':
        return sql<boolean>`NOT (${this.compile(node.node, !positive)})`;
      case 'text':
        this.readsRows = true;
        return this.text(node.match);
      case 'field':
        if (!keyFields.has(node.field) && !(node.match.kind === 'exists' && everyRowHas.has(node.field))) this.readsRows = true;
        return this.field(node.field, node.match, positive);
      case 'property':
        this.needsDocuments = true;
        return positive ? TRUE : FALSE;
    }
  }

  /** `expression` (a string column) matches a value; empty strings never do. */
  private value(expression: Sql, match: ValueMatch): RawBuilder<boolean> {
    switch (match.kind) {
      case 'contains':
        return match.value === '' ? sql<boolean>`${expression} <> ''` : likeNoCase(this.db, expression, `%${escapeLike(match.value)}%`);
      case 'glob':
        return sql<boolean>`(${expression} <> '' AND ${likeNoCase(this.db, expression, globPattern(match.value))})`;
      case 'equals':
        return match.value === '' ? FALSE : sql<boolean>`${expression} = ${match.value}`;
    }
  }

  /** Index rows whose details satisfy `condition`. */
  private details(condition: RawBuilder<boolean>): RawBuilder<boolean> {
    return rowIn(this.db, sql`SELECT d.id FROM resource_index_details d WHERE ${condition}`);
  }

  /** Ids of rows whose URN text (migration 0018) contains `word`, through the text index where it can. */
  private urnTextIds(word: string): Sql {
    return textMatchIds(this.db, 'urn_text', word) ?? sql`SELECT d.id FROM resource_index_details d WHERE ${this.value(sql`d.urn_text`, { kind: 'contains', value: word })}`;
  }

  /** Keys of the stacks whose name or project contains `word` (not empty). */
  private stacksNaming(word: string): Sql {
    return sql`SELECT s.key FROM indexed_stacks s WHERE ${stackNamesHold(this.db, word)}`;
  }

  /**
   * Ids of rows whose URN contains `term`. A URN is `urn:pulumi:<stack>::<project>::` and its text,
   * so a piece of the term without `:` lies in the text, in the stack's names, or in the words
   * `urn` and `pulumi`: the rows with that piece in their text or their stack's names are the
   * candidates, and their URNs decide. Only a term with no such piece reads every URN.
   */
  private urnIds(term: string): Sql {
    const contains = this.value(sql`d.urn`, { kind: 'contains', value: term });
    const piece = lookupPiece(term);
    if (piece === undefined) return sql`SELECT d.id FROM resource_index_details d WHERE ${contains}`;
    const candidates = sql`${this.urnTextIds(piece)} UNION ALL SELECT x.id FROM resource_index x WHERE x.stack_key IN (${this.stacksNaming(piece)})`;
    return sql`SELECT d.id FROM resource_index_details d WHERE d.id IN (${candidates}) AND ${contains}`;
  }

  private urn(match: ValueMatch): RawBuilder<boolean> {
    if (match.kind === 'glob' || match.value === '') return this.details(this.value(sql`d.urn`, match));
    if (match.kind === 'contains') return rowIn(this.db, this.urnIds(match.value));
    return rowIn(this.db, sql`SELECT d.id FROM resource_index_details d WHERE d.id IN (${this.urnIds(match.value)}) AND d.urn = ${match.value}`);
  }

  private name(match: ValueMatch): RawBuilder<boolean> {
    const ids = match.kind === 'contains' ? textMatchIds(this.db, 'name', match.value) : undefined;
    return ids ? rowIn(this.db, ids) : this.value(sql`r.name`, match);
  }

  private stacks(condition: (column: 'stack' | 'project') => RawBuilder<boolean>, ...columns: Array<'stack' | 'project'>): RawBuilder<boolean> {
    return sql<boolean>`r.stack_key IN (${stackKeys(condition, columns)})`;
  }

  private types(condition: RawBuilder<boolean>): RawBuilder<boolean> {
    return sql<boolean>`r.type_key IN (SELECT t.key FROM indexed_types t WHERE ${condition})`;
  }

  private text(match: ValueMatch): RawBuilder<boolean> {
    const named = (column: 'stack' | 'project') => this.value(sql.ref(`s.${column}`), match);
    if (match.kind === 'contains' && match.value !== '') {
      // The rows of matching stacks and the URNs' matches as one set of ids: an OR of the two
      // would have PostgreSQL test every row against both. A word of the URN's prefix names the
      // row's stack or project (or is in every URN), so a word with no `:` needs only the text.
      const word = match.value;
      const byUrn = isTextWord(word) ? this.urnTextIds(word) : this.urnIds(word);
      return rowIn(this.db, sql`${byUrn} UNION ALL SELECT x.id FROM resource_index x WHERE x.stack_key IN (${this.stacksNaming(word)})`);
    }
    // A URN holds the name, but not always the stack and project: a state copied from another stack keeps its URNs.
    const stackOrProject = this.stacks(named, 'stack', 'project');
    const others = [this.name(match), stackOrProject, this.urn(match)];
    if (match.kind === 'equals') others.push(this.types(this.value(sql`t.type`, match)));
    return sql<boolean>`(${sql.join(others, sql` OR `)})`;
  }

  /**
   * The query as two disjoint conditions, one testing stack and type keys alone and one testing
   * rows, when it is one free-text word with no `:` (beside terms on keys): the rows of stacks
   * whose names hold the word all match, and are counted per stack and type instead of one by one;
   * the rest match by their URN text.
   */
  split(node: QueryNode): SplitPlan | undefined {
    const terms = node.kind === 'and' ? node.nodes : [node];
    const words = terms.filter((t) => t.kind === 'text' && t.match.kind === 'contains' && isTextWord(t.match.value));
    if (words.length !== 1) return undefined;
    const word = (words[0] as { match: ValueMatch }).match.value;
    const beside = new QueryCompiler(this.db);
    const others = terms.filter((t) => t !== words[0]).map((t) => beside.compile(t));
    if (beside.readsRows || beside.needsDocuments) return undefined;
    return { word, beside: others, byText: rowIn(this.db, this.urnTextIds(word)) };
  }

  private field(field: SearchField, match: FieldMatch, positive: boolean): RawBuilder<boolean> {
    const exists = match.kind === 'exists';
    const valueMatch = match.kind === 'contains' || match.kind === 'glob' || match.kind === 'equals' ? match : undefined;
    const string = (expression: Sql) => (exists ? sql<boolean>`${expression} <> ''` : valueMatch ? this.value(expression, valueMatch) : FALSE);
    switch (field) {
      case 'category':
        return FALSE;
      case 'custom':
      case 'delete':
      case 'protected': {
        if (exists) return TRUE;
        const column = sql.ref(field === 'delete' ? 'r.del' : `r.${field}`);
        const wanted = valueMatch?.value.toLowerCase() === 'true' ? 1 : 0;
        // A literal, so that the index of protected rows (migration 0018) can serve `protected:true`.
        return sql<boolean>`${column} = ${sql.lit(wanted)}`;
      }
      case 'created':
      case 'modified': {
        const column = sql.ref(`r.${field}`);
        const { from, to } = timeBounds(match);
        const bounds = [sql<boolean>`${column} > 0`];
        if (from !== undefined) bounds.push(sql<boolean>`${column} >= ${from}`);
        if (to !== undefined) bounds.push(sql<boolean>`${column} < ${to}`);
        return sql<boolean>`(${sql.join(bounds, sql` AND `)})`;
      }
      case 'version':
        return this.version(match);
      case 'name':
        return exists ? TRUE : valueMatch ? this.name(valueMatch) : FALSE;
      case 'urn':
        return exists ? TRUE : valueMatch ? this.urn(valueMatch) : FALSE;
      case 'id':
        return this.details(string(sql`d.resource_id`));
      case 'parent.urn':
        return this.details(string(sql`d.parent_urn`));
      case 'provider.urn':
        return this.details(string(sql`d.provider_urn`));
      case 'dependency':
        if (exists) return this.details(sql<boolean>`d.dependencies <> '[]'`);
        if (!valueMatch) return FALSE;
        // As for a property term: SQL keeps every row that might match, the documents decide.
        this.needsDocuments = true;
        return positive ? this.details(this.dependency(valueMatch)) : FALSE;
      case 'pending':
        return string(sql`r.pending`);
      case 'stack':
      case 'project':
        return exists ? TRUE : this.stacks((column) => string(sql.ref(`s.${column}`)), field);
      case 'package':
      case 'module':
        return this.types(string(sql.ref(`t.${field}`)));
      case 'type':
        return exists ? TRUE : this.types(sql<boolean>`(${string(sql`t.type`)} OR ${string(sql`t.short`)})`);
      case 'team': {
        const names = exists ? TRUE : valueMatch ? this.value(sql`tm.name`, valueMatch) : FALSE;
        return sql<boolean>`r.stack_key IN (SELECT s.key FROM indexed_stacks s JOIN team_stack_permissions g ON g.stack_id = s.stack_id JOIN teams tm ON tm.id = g.team_id WHERE g.permission >= ${StackPermission.read} AND ${names})`;
      }
    }
  }

  /**
   * Rows whose JSON array of URNs might hold a match: a superset, since a pattern on the array's text
   * can also match across two elements (`dependency:,`, `a*b` with a in one URN and b in the next) or
   * an escaped quote, and SQLite's LIKE ignores case where `equals` must not.
   */
  private dependency(match: ValueMatch): RawBuilder<boolean> {
    const element = JSON.stringify(match.value).slice(1, -1);
    switch (match.kind) {
      case 'contains':
        return likeNoCase(this.db, sql`d.dependencies`, `%${escapeLike(element)}%`);
      case 'glob':
        return likeNoCase(this.db, sql`d.dependencies`, `%"${globPattern(element)}"%`);
      case 'equals':
        return sql<boolean>`d.dependencies LIKE ${`%"${escapeLike(element)}"%`} ESCAPE '\\'`;
    }
  }

  private version(match: FieldMatch): RawBuilder<boolean> {
    switch (match.kind) {
      case 'exists':
        return sql<boolean>`r.version <> ''`;
      case 'contains':
      case 'glob':
      case 'equals':
        return this.value(sql`r.version`, match);
      case 'compare': {
        const bound = versionKey(match.value);
        if (bound === '') return FALSE;
        return sql<boolean>`(r.version_key <> '' AND r.version_key ${sql.raw(match.op)} ${bound})`;
      }
      case 'range': {
        const bounds = [sql<boolean>`r.version_key <> ''`];
        for (const [end, op] of [
          [match.from, '>='],
          [match.to, '<='],
        ] as const) {
          if (end === '*') continue;
          const key = versionKey(end);
          if (key === '') return FALSE;
          bounds.push(sql<boolean>`r.version_key ${sql.raw(op)} ${key}`);
        }
        return sql<boolean>`(${sql.join(bounds, sql` AND `)})`;
      }
    }
  }
}

/** How each sort field is read in a query joining types `t`, stacks `s` and details `d`. */
const sortColumns: Record<SortField, string> = {
  created: 'r.created',
  custom: 'r.custom',
  delete: 'r.del',
  id: 'd.resource_id',
  modified: 'r.modified',
  module: 't.module',
  name: 'r.name',
  package: 't.package',
  'parent.urn': 'd.parent_urn',
  pending: 'r.pending',
  project: 's.project',
  protected: 'r.protected',
  'provider.urn': 'd.provider_urn',
  stack: 's.stack',
  type: 't.type',
  urn: 'd.urn',
};

/** Every field results sort and facet by, in the order error messages list them. */
export const sortFields = Object.keys(sortColumns) as SortField[];

/** The fields of a row's stack or type, which the counts per stack and type can group by. */
export const keyFacets: ReadonlySet<SortField> = new Set(sortFields.filter((field) => /^[st]\./.test(sortColumns[field])));

const joinsFor = (columns: string[]) => {
  const joins: Sql[] = [];
  if (columns.some((c) => c.startsWith('t.'))) joins.push(sql`JOIN indexed_types t ON t.key = r.type_key`);
  if (columns.some((c) => c.startsWith('s.'))) joins.push(sql`JOIN indexed_stacks s ON s.key = r.stack_key`);
  if (columns.some((c) => c.startsWith('d.'))) joins.push(sql`JOIN resource_index_details d ON d.id = r.id`);
  return joins.length === 0 ? sql`` : sql.join(joins, sql` `);
};

/**
 * The condition on readable rows. The readable stacks come last and unindexed (`+`): SQLite, which
 * has no statistics, would otherwise walk every readable stack's rows and sort them all, where the
 * condition's own index, or the default order's, finds a page in a few rows.
 */
const where = (scope: SearchScope, condition: RawBuilder<boolean>) => sql<boolean>`${condition} AND +r.stack_key IN (${readableStackKeys(scope)})`;

/** How many rows match; `keysOnly` (see QueryCompiler.readsRows) adds up the counts per stack and type. */
export async function countMatches(db: Executor, scope: SearchScope, condition: RawBuilder<boolean>, keysOnly = false): Promise<number> {
  const counted = keysOnly ? sql`SELECT coalesce(sum(r.resources), 0) AS n FROM resource_index_counts r` : sql`SELECT count(*) AS n FROM resource_index r`;
  const result = await sql<{ n: number | string }>`${counted} WHERE ${where(scope, condition)}`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Ids of up to `limit` matches, in no order. */
export async function matchIds(db: Executor, scope: SearchScope, condition: RawBuilder<boolean>, limit: number): Promise<number[]> {
  const result = await sql<{ id: number | string }>`SELECT r.id AS id FROM resource_index r WHERE ${where(scope, condition)} LIMIT ${limit}`.execute(db);
  return result.rows.map((row) => Number(row.id));
}

/** The rows of these ids. */
export const rowsOf = (db: Executor, ids: number[]) => anyOf(db, sql`r.id`, ids);

/** A split condition whose part on rows is known to be these ids. */
export const keysOrIds = (db: Executor, split: SplitCondition, ids: number[]) => (split.keys ? sql<boolean>`(${split.keys} OR ${rowsOf(db, ids)})` : rowsOf(db, ids));

export interface PageRequest {
  sort: SortField[];
  asc: boolean;
  limit: number;
  offset?: number;
  /** The sort values and id of the last row before the page (cursor paging). */
  after?: { values: Array<string | number>; id: number };
  /** Read the rows in the default order and test each (the matches are many), rather than sort the matches. */
  inOrder?: boolean;
}

/** Ids of one page of matches, with the sort values the next cursor needs, in order. */
export async function pageOfMatches(
  db: Executor,
  scope: SearchScope,
  condition: RawBuilder<boolean>,
  page: PageRequest,
): Promise<Array<{ id: number; values: Array<string | number> }>> {
  const columns = page.sort.map((field) => sortColumns[field]);
  const direction = sql.raw(page.asc ? 'ASC' : 'DESC');
  const order = sql.join([...columns, 'r.id'].map((c) => sql`${sql.ref(c)} ${direction}`));
  const conditions = [where(scope, condition)];
  if (page.after) {
    const tuple = sql.join([...columns.map((c) => sql.ref(c)), sql.ref('r.id')]);
    const values = sql.join([...page.after.values, page.after.id]);
    conditions.push(page.asc ? sql<boolean>`(${tuple}) > (${values})` : sql<boolean>`(${tuple}) < (${values})`);
  }
  const selected = sql.join([sql`r.id AS id`, ...columns.map((c, i) => sql`${sql.ref(c)} AS ${sql.ref(`v${i}`)}`)]);
  const walk = page.inOrder && page.sort.length === 1 && page.sort[0] === 'modified' ? inIndexOrder(db, 'resource_index_modified') : sql``;
  const result = await sql<Record<string, string | number>>`SELECT ${selected} FROM resource_index r ${walk} ${joinsFor(columns)}
    WHERE ${sql.join(conditions, sql` AND `)} ORDER BY ${order} LIMIT ${page.limit} OFFSET ${page.offset ?? 0}`.execute(db);
  return result.rows.map((row) => ({ id: Number(row['id']), values: columns.map((_, i) => normalise(row[`v${i}`]!)) }));
}

/** PostgreSQL returns bigint columns as strings; sort values compare as the database holds them. */
const normalise = (value: string | number) => (typeof value === 'string' && /^-?\d+$/.test(value) && value.length < 16 ? Number(value) : value);

/**
 * The `top` most frequent non-empty values of `field` among the matches, most frequent first; a
 * field of the stack or the type, with `keysOnly`, from the counts per stack and type.
 */
export async function facetOf(
  db: Executor,
  scope: SearchScope,
  condition: RawBuilder<boolean>,
  field: SortField,
  /** Undefined: every value. */
  top: number | undefined,
  keysOnly = false,
): Promise<Array<{ value: string | number; count: number }>> {
  const column = sortColumns[field];
  const ref = sql.ref(column);
  const empty = ['r.custom', 'r.del', 'r.protected'].includes(column) ? TRUE : ['r.created', 'r.modified'].includes(column) ? sql<boolean>`${ref} > 0` : sql<boolean>`${ref} <> ''`;
  const fromCounts = keysOnly && (column.startsWith('s.') || column.startsWith('t.'));
  const counted = fromCounts ? sql`sum(r.resources) AS n FROM resource_index_counts r` : sql`count(*) AS n FROM resource_index r`;
  const result = await sql<{ value: string | number; n: number | string }>`SELECT ${ref} AS value, ${counted} ${joinsFor([column])}
    WHERE ${where(scope, condition)} AND ${empty} GROUP BY ${ref} ORDER BY n DESC, value ASC${top === undefined ? sql`` : sql` LIMIT ${top}`}`.execute(db);
  return result.rows.map((row) => ({ value: normalise(row.value), count: Number(row.n) }));
}

/** A result row, with everything a page shows and the query language can test. */
export interface IndexedResource extends SearchDocument {
  rowId: number;
  stackId: string;
  propertiesText: string;
}

/** The rows of `ids`, in no particular order. */
export async function loadResources(db: Executor, ids: number[]): Promise<IndexedResource[]> {
  const found: IndexedResource[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db
      .selectFrom('resource_index as r')
      .innerJoin('resource_index_details as d', 'd.id', 'r.id')
      .innerJoin('indexed_types as t', 't.key', 'r.type_key')
      .innerJoin('indexed_stacks as s', 's.key', 'r.stack_key')
      .select([
        'r.id', 'r.name', 'r.created', 'r.modified', 'r.custom', 'r.del', 'r.protected', 'r.pending', 'r.version',
        'd.urn', 'd.resource_id', 'd.parent_urn', 'd.provider_urn', 'd.dependencies', 'd.properties',
        't.type', 't.package', 't.module', 's.project', 's.stack', 's.stack_id',
      ])
      .where('r.id', 'in', ids.slice(i, i + 1000))
      .execute();
    const teams = await teamsOfStacks(db, [...new Set(rows.map((row) => row.stack_id))]);
    for (const row of rows) {
      found.push({
        rowId: Number(row.id),
        stackId: row.stack_id,
        urn: row.urn,
        type: row.type,
        name: row.name,
        package: row.package,
        module: row.module,
        project: row.project,
        stack: row.stack,
        id: row.resource_id,
        custom: Number(row.custom) === 1,
        delete: Number(row.del) === 1,
        protected: Number(row.protected) === 1,
        pending: row.pending,
        parentUrn: row.parent_urn,
        providerUrn: row.provider_urn,
        created: Number(row.created) || null,
        modified: Number(row.modified) || null,
        dependencies: JSON.parse(row.dependencies) as string[],
        version: row.version,
        teams: teams.get(row.stack_id) ?? [],
        propertiesText: row.properties,
      });
    }
  }
  return found;
}

/** Names of the teams that may read each stack, sorted. */
async function teamsOfStacks(db: Executor, stackIds: string[]): Promise<Map<string, string[]>> {
  const teams = new Map<string, string[]>();
  if (stackIds.length === 0) return teams;
  const rows = await db
    .selectFrom('team_stack_permissions as g')
    .innerJoin('teams as tm', 'tm.id', 'g.team_id')
    .select(['g.stack_id', 'tm.name'])
    .where('g.stack_id', 'in', stackIds)
    .where('g.permission', '>=', StackPermission.read)
    .orderBy('tm.name')
    .execute();
  for (const row of rows) teams.set(row.stack_id, [...(teams.get(row.stack_id) ?? []), row.name]);
  return teams;
}

/** Ids of every match, in batches, for filtering by documents (property terms). */
export async function* allMatchIds(db: Executor, scope: SearchScope, condition: RawBuilder<boolean>): AsyncGenerator<number[]> {
  let after = 0;
  for (;;) {
    const result = await sql<{ id: number | string }>`SELECT r.id AS id FROM resource_index r WHERE ${where(scope, condition)} AND r.id > ${after} ORDER BY r.id LIMIT 1000`.execute(db);
    if (result.rows.length === 0) return;
    const ids = result.rows.map((row) => Number(row.id));
    yield ids;
    after = ids[ids.length - 1]!;
  }
}

/** The condition of an empty query. */
export const everything = TRUE;
