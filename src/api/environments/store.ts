import type { Executor } from '../../db/executor.js';
import type { NameTripleKey } from '../../http/pagination.js';
import { deleteWebhooksOf } from '../webhooks/store.js';
import { parseEnvironmentReference } from './names.js';
import type {
  EnvironmentOpenSessionsTable,
  EnvironmentRevisionsTable,
  EnvironmentRevisionTagsTable,
  EnvironmentsTable,
  EnvironmentTagsTable,
} from '../../db/schema.js';

export type EnvironmentRow = EnvironmentsTable;
export type RevisionRow = EnvironmentRevisionsTable;
export type RevisionTagRow = EnvironmentRevisionTagsTable;
export type EnvironmentTagRow = EnvironmentTagsTable;
export type OpenSessionRow = EnvironmentOpenSessionsTable;

/** Who made a revision or edited a tag, as the API names them. */
export interface Person {
  login: string | null;
  name: string | null;
}

export async function findEnvironment(db: Executor, organizationId: string, project: string, name: string): Promise<EnvironmentRow | undefined> {
  return db
    .selectFrom('environments')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('project', '=', project)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function insertEnvironment(db: Executor, row: EnvironmentRow): Promise<void> {
  await db.insertInto('environments').values(row).execute();
}

export async function setLatestRevision(db: Executor, id: string, revision: number, at: number): Promise<void> {
  await db.updateTable('environments').set({ latest_revision: revision, modified_at: at }).where('id', '=', id).execute();
}

export async function deleteEnvironment(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('environment_tags').where('environment_id', '=', id).execute();
  await db.deleteFrom('environment_revision_tags').where('environment_id', '=', id).execute();
  await db.deleteFrom('environment_revisions').where('environment_id', '=', id).execute();
  await db.deleteFrom('environment_open_sessions').where('environment_id', '=', id).execute();
  await db.deleteFrom('environment_keys').where('owner_id', '=', id).execute();
  await db.deleteFrom('team_environment_permissions').where('environment_id', '=', id).execute();
  await deleteWebhooksOf(db, { environmentId: id });
  await db.deleteFrom('environments').where('id', '=', id).execute();
}

export interface EnvironmentListEntry {
  owner_login: string | null;
  owner_name: string | null;
  owner_avatar_url: string | null;
  organization: string;
  project: string;
  name: string;
  id: string;
  created_at: number;
  modified_at: number;
}

/** Environments of the organizations, in (organization, project, name) order, after `after`. */
export async function listEnvironments(
  db: Executor,
  organizationIds: string[],
  after: NameTripleKey | undefined,
  limit: number,
): Promise<EnvironmentListEntry[]> {
  if (organizationIds.length === 0) return [];
  let query = db
    .selectFrom('environments as e')
    .innerJoin('organizations as o', 'o.id', 'e.organization_id')
    .leftJoin('users as u', 'u.id', 'e.created_by_user_id')
    .select(['o.name as organization', 'e.project', 'e.name', 'e.id', 'e.created_at', 'e.modified_at'])
    .select(['u.login as owner_login', 'u.name as owner_name', 'u.avatar_url as owner_avatar_url'])
    .where('e.organization_id', 'in', organizationIds);
  if (after) {
    const [org, project, name] = after;
    query = query.where((eb) =>
      eb.or([
        eb('o.name', '>', org),
        eb.and([eb('o.name', '=', org), eb('e.project', '>', project)]),
        eb.and([eb('o.name', '=', org), eb('e.project', '=', project), eb('e.name', '>', name)]),
      ]),
    );
  }
  const rows = await query.orderBy('o.name').orderBy('e.project').orderBy('e.name').limit(limit).execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at), modified_at: Number(r.modified_at) }));
}

export async function tagsOfEnvironments(db: Executor, environmentIds: string[]): Promise<Array<{ environment_id: string; name: string; value: string }>> {
  if (environmentIds.length === 0) return [];
  return db.selectFrom('environment_tags').select(['environment_id', 'name', 'value']).where('environment_id', 'in', environmentIds).orderBy('name').execute();
}

/** Every environment of an organization by `project/name`: what imports resolve against. */
export async function environmentsOfOrganization(db: Executor, organizationId: string): Promise<EnvironmentRow[]> {
  return db.selectFrom('environments').selectAll().where('organization_id', '=', organizationId).execute();
}

export async function insertRevision(db: Executor, row: RevisionRow): Promise<void> {
  await db.insertInto('environment_revisions').values(row).execute();
}

export async function findRevision(db: Executor, environmentId: string, revision: number): Promise<RevisionRow | undefined> {
  return db
    .selectFrom('environment_revisions')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .where('revision', '=', revision)
    .executeTakeFirst();
}

export interface RevisionListEntry extends RevisionRow {
  creator_login: string | null;
  creator_name: string | null;
  retracted_by_login: string | null;
  retracted_by_name: string | null;
}

/** Revisions newest first, below `before` when given. */
export async function listRevisions(db: Executor, environmentId: string, before: number | undefined, limit: number): Promise<RevisionListEntry[]> {
  let query = db
    .selectFrom('environment_revisions as r')
    .leftJoin('users as c', 'c.id', 'r.creator_user_id')
    .leftJoin('users as x', 'x.id', 'r.retracted_by_user_id')
    .selectAll('r')
    .select(['c.login as creator_login', 'c.name as creator_name', 'x.login as retracted_by_login', 'x.name as retracted_by_name'])
    .where('r.environment_id', '=', environmentId);
  if (before !== undefined) query = query.where('r.revision', '<', before);
  return query.orderBy('r.revision', 'desc').limit(limit).execute();
}

export async function retractRevision(
  db: Executor,
  environmentId: string,
  revision: number,
  retraction: { at: number; byUserId: string; replacement: number; reason: string },
): Promise<void> {
  await db
    .updateTable('environment_revisions')
    .set({
      retracted_at: retraction.at,
      retracted_by_user_id: retraction.byUserId,
      retracted_replacement: retraction.replacement,
      retracted_reason: retraction.reason,
    })
    .where('environment_id', '=', environmentId)
    .where('revision', '=', revision)
    .execute();
}

export interface RevisionTagEntry extends RevisionTagRow {
  editor_login: string | null;
  editor_name: string | null;
}

function revisionTags(db: Executor, environmentId: string) {
  return db
    .selectFrom('environment_revision_tags as t')
    .leftJoin('users as u', 'u.id', 't.editor_user_id')
    .selectAll('t')
    .select(['u.login as editor_login', 'u.name as editor_name'])
    .where('t.environment_id', '=', environmentId);
}

export async function findRevisionTag(db: Executor, environmentId: string, name: string): Promise<RevisionTagEntry | undefined> {
  return revisionTags(db, environmentId).where('t.name', '=', name).executeTakeFirst();
}

export async function listRevisionTags(db: Executor, environmentId: string, after: string | undefined, limit: number): Promise<RevisionTagEntry[]> {
  let query = revisionTags(db, environmentId);
  if (after !== undefined) query = query.where('t.name', '>', after);
  return query.orderBy('t.name').limit(limit).execute();
}

export async function tagsOfRevision(db: Executor, environmentId: string, revisions: number[]): Promise<Array<{ name: string; revision: number }>> {
  if (revisions.length === 0) return [];
  return db
    .selectFrom('environment_revision_tags')
    .select(['name', 'revision'])
    .where('environment_id', '=', environmentId)
    .where('revision', 'in', revisions)
    .orderBy('name')
    .execute();
}

export async function upsertRevisionTag(db: Executor, row: RevisionTagRow): Promise<void> {
  await db
    .insertInto('environment_revision_tags')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['environment_id', 'name']).doUpdateSet({ revision: row.revision, modified_at: row.modified_at, editor_user_id: row.editor_user_id }),
    )
    .execute();
}

export async function deleteRevisionTag(db: Executor, environmentId: string, name: string): Promise<boolean> {
  const result = await db.deleteFrom('environment_revision_tags').where('environment_id', '=', environmentId).where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface EnvironmentTagEntry extends EnvironmentTagRow {
  editor_login: string | null;
  editor_name: string | null;
}

function environmentTags(db: Executor, environmentId: string) {
  return db
    .selectFrom('environment_tags as t')
    .leftJoin('users as u', 'u.id', 't.editor_user_id')
    .selectAll('t')
    .select(['u.login as editor_login', 'u.name as editor_name'])
    .where('t.environment_id', '=', environmentId);
}

export async function findEnvironmentTag(db: Executor, environmentId: string, name: string): Promise<EnvironmentTagEntry | undefined> {
  return environmentTags(db, environmentId).where('t.name', '=', name).executeTakeFirst();
}

export async function listEnvironmentTags(db: Executor, environmentId: string, after: string | undefined, limit: number): Promise<EnvironmentTagEntry[]> {
  let query = environmentTags(db, environmentId);
  if (after !== undefined) query = query.where('t.name', '>', after);
  return query.orderBy('t.name').limit(limit).execute();
}

export async function insertEnvironmentTag(db: Executor, row: EnvironmentTagRow): Promise<void> {
  await db.insertInto('environment_tags').values(row).execute();
}

export async function updateEnvironmentTag(db: Executor, id: string, changes: Pick<EnvironmentTagRow, 'name' | 'value' | 'modified_at' | 'editor_user_id'>): Promise<void> {
  await db.updateTable('environment_tags').set(changes).where('id', '=', id).execute();
}

export async function deleteEnvironmentTag(db: Executor, environmentId: string, name: string): Promise<boolean> {
  const result = await db.deleteFrom('environment_tags').where('environment_id', '=', environmentId).where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findWrappedEnvironmentKey(db: Executor, ownerId: string): Promise<Buffer | undefined> {
  const row = await db.selectFrom('environment_keys').select('wrapped_key').where('owner_id', '=', ownerId).executeTakeFirst();
  return row?.wrapped_key;
}

export async function findAnyWrappedEnvironmentKey(db: Executor): Promise<{ ownerId: string; wrappedKey: Buffer } | undefined> {
  const row = await db.selectFrom('environment_keys').select(['owner_id', 'wrapped_key']).limit(1).executeTakeFirst();
  return row && { ownerId: row.owner_id, wrappedKey: Buffer.from(row.wrapped_key) };
}

/** Stores a new key unless another request stored one first; the stored one wins. */
export async function insertWrappedEnvironmentKey(db: Executor, ownerId: string, wrappedKey: Buffer, at: number): Promise<void> {
  await db
    .insertInto('environment_keys')
    .values({ owner_id: ownerId, wrapped_key: wrappedKey, created_at: at })
    .onConflict((oc) => oc.column('owner_id').doNothing())
    .execute();
}

export async function insertOpenSession(db: Executor, row: OpenSessionRow): Promise<void> {
  await db.insertInto('environment_open_sessions').values(row).execute();
}

/** A live session of the organization, without its sealed environment (read apart, when needed). */
export async function findOpenSession(db: Executor, id: string, organizationId: string, now: number): Promise<Omit<OpenSessionRow, 'sealed'> | undefined> {
  return db
    .selectFrom('environment_open_sessions')
    .select(['id', 'organization_id', 'environment_id', 'key_owner_id', 'created_at', 'expires_at'])
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function findSealedOpenSession(db: Executor, id: string): Promise<Buffer | undefined> {
  const row = await db.selectFrom('environment_open_sessions').select('sealed').where('id', '=', id).executeTakeFirst();
  return row?.sealed;
}

export async function deleteExpiredOpenSessions(db: Executor, now: number): Promise<number> {
  const result = await db.deleteFrom('environment_open_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Stacks whose configuration lives in the environment `project/name` (at any version they name). */
export async function stacksConfiguredBy(
  db: Executor,
  organizationId: string,
  environment: { project: string; name: string },
): Promise<Array<{ project: string; stack: string; stackVersion: number; version: string | undefined }>> {
  const rows = await db
    .selectFrom('stack_settings as t')
    .innerJoin('stacks as s', 's.id', 't.stack_id')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .select(['p.name as project', 's.name as stack', 's.version as version', 't.config as config'])
    .where('p.organization_id', '=', organizationId)
    .where('t.config', 'is not', null)
    .execute();
  return rows.flatMap((row) => {
    const named = parseEnvironmentReference((JSON.parse(row.config!) as { environment: string }).environment);
    const matches = named.project === environment.project && named.name === environment.name;
    return matches ? [{ project: row.project, stack: row.stack, stackVersion: Number(row.version), version: named.version }] : [];
  });
}
