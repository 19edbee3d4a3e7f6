import { sql, type RawBuilder } from 'kysely';
import { insertBatches } from '../../db/batches.js';
import type { Executor } from '../../db/executor.js';
import { preparedQuery } from '../../db/prepared.js';
import type { ProjectsTable, StackSettingsTable, StacksTable } from '../../db/schema.js';
import { StackPermission, type StackVisibility } from '../../auth/permissions.js';
import { deleteStackUpdates } from '../updates/store.js';
import { deleteWebhooksOf } from '../webhooks/store.js';

export type ProjectRow = ProjectsTable;
export type StackRow = StacksTable;

/** A stack together with the names that address it. */
export interface StackRecord extends StackRow {
  organization_id: string;
  organization_name: string;
  project_name: string;
}

export async function findProject(db: Executor, organizationId: string, name: string): Promise<ProjectRow | undefined> {
  return db
    .selectFrom('projects')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function insertProject(db: Executor, project: ProjectRow): Promise<void> {
  await db.insertInto('projects').values(project).execute();
}

/** Stacks with the project and organization that hold them, as `s`, `p` and `o`: where every query of stacks by name starts. */
export function stacksWithOwners(db: Executor) {
  return db
    .selectFrom('stacks as s')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .innerJoin('organizations as o', 'o.id', 'p.organization_id');
}

function stackRecords(db: Executor) {
  return stacksWithOwners(db)
    .selectAll('s')
    .select(['o.id as organization_id', 'o.name as organization_name', 'p.name as project_name']);
}

// Prepared: every request about a stack starts here.
const stackByName = preparedQuery((db: Executor, organizationId: string, projectName: string, stackName: string) =>
  stackRecords(db).where('o.id', '=', organizationId).where('p.name', '=', projectName).where('s.name', '=', stackName),
);

export async function findStack(db: Executor, organizationId: string, projectName: string, stackName: string): Promise<StackRecord | undefined> {
  return (await stackByName(db, organizationId, projectName, stackName))[0];
}

export async function findStackById(db: Executor, id: string): Promise<StackRecord | undefined> {
  return stackRecords(db).where('s.id', '=', id).executeTakeFirst();
}

export async function insertStack(db: Executor, stack: StackRow): Promise<void> {
  await db.insertInto('stacks').values(stack).execute();
}

export async function updateStack(
  db: Executor,
  id: string,
  changes: Partial<Pick<StackRow, 'name' | 'project_id' | 'version' | 'active_update_id'>>,
): Promise<void> {
  await db.updateTable('stacks').set(changes).where('id', '=', id).execute();
}

export async function deleteStack(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('stack_tags').where('stack_id', '=', id).execute();
  await db.deleteFrom('stack_settings').where('stack_id', '=', id).execute();
  await db.deleteFrom('stack_versions').where('stack_id', '=', id).execute();
  await deleteStackUpdates(db, id);
  await deleteWebhooksOf(db, { stackId: id });
  await db.deleteFrom('stack_secret_keys').where('stack_id', '=', id).execute();
  await db.deleteFrom('stacks').where('id', '=', id).execute();
}

export type StackSettingsRow = StackSettingsTable;

const stackSettings = preparedQuery((db: Executor, stackId: string) => db.selectFrom('stack_settings').selectAll().where('stack_id', '=', stackId));

export async function findStackSettings(db: Executor, stackId: string): Promise<StackSettingsRow | undefined> {
  return (await stackSettings(db, stackId))[0];
}

export async function upsertStackSettings(db: Executor, settings: StackSettingsRow): Promise<void> {
  const { stack_id: _, ...changes } = settings;
  await db
    .insertInto('stack_settings')
    .values(settings)
    .onConflict((oc) => oc.column('stack_id').doUpdateSet(changes))
    .execute();
}

const stackTags = preparedQuery((db: Executor, stackId: string) => db.selectFrom('stack_tags').select(['name', 'value']).where('stack_id', '=', stackId).orderBy('name'));

export async function listTags(db: Executor, stackId: string): Promise<Record<string, string>> {
  const rows = await stackTags(db, stackId);
  // No prototype: tags named `constructor` or `toString` must not seem to exist already.
  const tags: Record<string, string> = Object.create(null);
  for (const row of rows) tags[row.name] = row.value;
  return tags;
}

export async function upsertTags(db: Executor, stackId: string, tags: Record<string, string>): Promise<void> {
  const rows = Object.entries(tags).map(([name, value]) => ({ stack_id: stackId, name, value }));
  for await (const batch of insertBatches(rows)) {
    await db
      .insertInto('stack_tags')
      .values(batch)
      .onConflict((oc) => oc.columns(['stack_id', 'name']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') }))
      .execute();
  }
}

export async function deleteTag(db: Executor, stackId: string, name: string): Promise<boolean> {
  const result = await db.deleteFrom('stack_tags').where('stack_id', '=', stackId).where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteAllTags(db: Executor, stackId: string): Promise<void> {
  await db.deleteFrom('stack_tags').where('stack_id', '=', stackId).execute();
}

/** Sort key of the stack listing; also what a continuation token encodes. */
export type StackListKey = [organization: string, project: string, stack: string];

export interface StackListFilter {
  visibility: StackVisibility;
  organization?: string;
  project?: string;
  tagName?: string;
  tagValue?: string;
  after?: StackListKey;
  limit: number;
}

export interface StackSummaryRecord {
  id: string;
  organization_name: string;
  project_name: string;
  stack_name: string;
  last_update: number | null;
  resource_count: number | null;
}

/**
 * Whether `visibility` lets the caller read stack `s` of organization `o` (the aliases the query
 * must give them): every listing of stacks or of what they hold filters by this one rule.
 */
export function readableStack(visibility: StackVisibility): RawBuilder<boolean> {
  const { allOf, createdIn, creatorUserId, teamIds } = visibility;
  const readable: RawBuilder<boolean>[] = [];
  if (allOf.length > 0) readable.push(sql<boolean>`o.id IN (${sql.join(allOf)})`);
  if (createdIn.length > 0) readable.push(sql<boolean>`(o.id IN (${sql.join(createdIn)}) AND s.created_by_user_id = ${creatorUserId})`);
  if (teamIds.length > 0) {
    readable.push(
      sql<boolean>`EXISTS (SELECT 1 FROM team_stack_permissions g WHERE g.stack_id = s.id AND g.team_id IN (${sql.join(teamIds)}) AND g.permission >= ${StackPermission.read})`,
    );
  }
  return readable.length > 0 ? sql<boolean>`(${sql.join(readable, sql` OR `)})` : sql<boolean>`1 = 0`;
}

/** The stacks `visibility` lets the caller read, in key order, after `after`. */
export async function listStacks(db: Executor, filter: StackListFilter): Promise<StackSummaryRecord[]> {
  const { allOf, createdIn, teamIds } = filter.visibility;
  const rows =
    Math.max(allOf.length, createdIn.length, teamIds.length) > preparedListItems
      ? await buildListing(db, filter).execute()
      : await listingQuery(filter)(db, ...listingValues(filter));
  return rows.map((r) => ({
    ...r,
    last_update: r.last_update === null ? null : Number(r.last_update),
    resource_count: r.resource_count === null ? null : Number(r.resource_count),
  }));
}

/**
 * The listing's query is prepared once per shape (which filters it has, how many organizations
 * and teams the caller's visibility names): `GET /api/user/stacks` built and compiled it on every
 * request, which cost more than SQLite took to run it. A caller with more than `preparedListItems`
 * organizations or teams gets it built each time, so that shapes stay few.
 */
const preparedListItems = 16;
const listingQueries = new Map<string, (db: Executor, ...values: unknown[]) => Promise<ListedStackRow[]>>();

type ListedStackRow = Omit<StackSummaryRecord, 'last_update' | 'resource_count'> & { last_update: unknown; resource_count: unknown };

function listingQuery(filter: StackListFilter): (db: Executor, ...values: unknown[]) => Promise<ListedStackRow[]> {
  const { allOf, createdIn, teamIds } = filter.visibility;
  const given = (['organization', 'project', 'tagName', 'tagValue', 'after'] as const).map((key) => (filter[key] === undefined ? 0 : 1));
  const key = [allOf.length, createdIn.length, teamIds.length, ...given].join();
  let query = listingQueries.get(key);
  if (!query) {
    query = preparedQuery((db: Executor, ...values: unknown[]) => buildListing(db, listingFilter(filter, values)));
    listingQueries.set(key, query);
  }
  return query;
}

/** The filter's values in one order: what `listingFilter` puts back where they came from. */
function listingValues(filter: StackListFilter): unknown[] {
  const { allOf, createdIn, creatorUserId, teamIds } = filter.visibility;
  return [
    ...allOf,
    ...createdIn,
    ...(createdIn.length > 0 ? [creatorUserId] : []),
    ...teamIds,
    ...[filter.organization, filter.project, filter.tagName, filter.tagValue].filter((value) => value !== undefined),
    ...(filter.after ?? []),
    filter.limit,
  ];
}

/** A filter of `shape`'s form whose every value is the next of `values` (placeholders, when preparing). */
function listingFilter(shape: StackListFilter, values: unknown[]): StackListFilter {
  let next = 0;
  const take = () => values[next++] as string;
  const { allOf, createdIn, teamIds } = shape.visibility;
  const visibility = {
    allOf: allOf.map(take),
    createdIn: createdIn.map(take),
    creatorUserId: createdIn.length > 0 ? take() : '',
    teamIds: teamIds.map(take),
  };
  const optional = (value: unknown) => (value === undefined ? undefined : take());
  return {
    visibility,
    organization: optional(shape.organization),
    project: optional(shape.project),
    tagName: optional(shape.tagName),
    tagValue: optional(shape.tagValue),
    after: shape.after && [take(), take(), take()],
    limit: take() as unknown as number,
  };
}

function buildListing(db: Executor, filter: StackListFilter) {
  let query = stacksWithOwners(db)
    .where(readableStack(filter.visibility))
    .leftJoin('stack_versions as v', (join) => join.onRef('v.stack_id', '=', 's.id').onRef('v.version', '=', 's.version'))
    .select((eb) => [
      's.id as id',
      'o.name as organization_name',
      'p.name as project_name',
      's.name as stack_name',
      'v.resource_count as resource_count',
      eb
        .selectFrom('updates as u')
        .select((e) => e.fn.max('u.started_at').as('t'))
        .whereRef('u.stack_id', '=', 's.id')
        .as('last_update'),
    ]);
  if (filter.organization !== undefined) query = query.where('o.name', '=', filter.organization);
  if (filter.project !== undefined) query = query.where('p.name', '=', filter.project);
  if (filter.tagName !== undefined) {
    const { tagName, tagValue } = filter;
    query = query.where(({ exists, selectFrom }) => {
      let tags = selectFrom('stack_tags as t').select('t.name').whereRef('t.stack_id', '=', 's.id').where('t.name', '=', tagName);
      if (tagValue !== undefined) tags = tags.where('t.value', '=', tagValue);
      return exists(tags);
    });
  }
  if (filter.after) {
    const [org, project, stack] = filter.after;
    query = query.where(sql<boolean>`(o.name, p.name, s.name) > (${org}, ${project}, ${stack})`);
  }
  return query.orderBy('o.name').orderBy('p.name').orderBy('s.name').limit(filter.limit);
}
