import { sql, type Insertable, type RawBuilder, type Selectable } from 'kysely';
import type { StackVisibility } from '../../auth/permissions.js';
import type { Executor } from '../../db/executor.js';
import type { PolicyGroupPacksTable, PolicyGroupsTable, PolicyPackVersionsTable, PolicyViolationsTable } from '../../db/schema.js';
import { readableStack, stacksWithOwners } from '../stacks/store.js';

export type PackVersionRow = Selectable<PolicyPackVersionsTable>;
export type GroupRow = Selectable<PolicyGroupsTable>;
export type ViolationRow = Selectable<PolicyViolationsTable>;

/** A pack version with its pack's name. */
export interface PackVersionRecord extends PackVersionRow {
  pack_name: string;
  organization_id: string;
}

// Packs and their versions.

export async function findPack(db: Executor, organizationId: string, name: string) {
  return db.selectFrom('policy_packs').selectAll().where('organization_id', '=', organizationId).where('name', '=', name).executeTakeFirst();
}

/** The pack of that name, made if it is new; a concurrent publish of the same name finds the other's. */
export async function findOrInsertPack(db: Executor, row: { id: string; organization_id: string; name: string; created_at: number }) {
  await db.insertInto('policy_packs').values(row).onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing()).execute();
  return (await findPack(db, row.organization_id, row.name))!;
}

export async function deletePack(db: Executor, packId: string): Promise<void> {
  await db.deleteFrom('policy_packs').where('id', '=', packId).execute();
}

const versionRecords = (db: Executor) =>
  db
    .selectFrom('policy_pack_versions as v')
    .innerJoin('policy_packs as k', 'k.id', 'v.pack_id')
    .selectAll('v')
    .select(['k.name as pack_name', 'k.organization_id as organization_id']);

export async function findVersionById(db: Executor, id: string): Promise<PackVersionRecord | undefined> {
  return versionRecords(db).where('v.id', '=', id).executeTakeFirst();
}

/** Versions of a pack, newest first; complete ones only unless asked. */
export async function listVersions(db: Executor, packId: string, options: { incomplete?: boolean } = {}): Promise<PackVersionRecord[]> {
  let query = versionRecords(db).where('v.pack_id', '=', packId);
  if (!options.incomplete) query = query.where('v.complete', '=', 1);
  return query.orderBy('v.version', 'desc').execute();
}

export async function nextVersionNumber(db: Executor, packId: string): Promise<number> {
  const row = await db.selectFrom('policy_pack_versions').select((eb) => eb.fn.max('version').as('max')).where('pack_id', '=', packId).executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

export async function insertVersion(db: Executor, row: Insertable<PolicyPackVersionsTable>): Promise<void> {
  await db.insertInto('policy_pack_versions').values(row).execute();
}

export async function changeVersion(db: Executor, id: string, change: Partial<Pick<PackVersionRow, 'blob_key' | 'complete'>>): Promise<void> {
  await db.updateTable('policy_pack_versions').set(change).where('id', '=', id).execute();
}

export async function deleteVersions(db: Executor, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('policy_pack_versions').where('id', 'in', ids).execute();
}

/** The organization's packs that have a complete version, with those versions, by name then newest first. */
export async function listCompleteVersions(db: Executor, organizationId: string, name?: string) {
  let query = db
    .selectFrom('policy_pack_versions as v')
    .innerJoin('policy_packs as k', 'k.id', 'v.pack_id')
    .select(['k.name as name', 'v.display_name as display_name', 'v.version as version', 'v.version_tag as version_tag'])
    .where('k.organization_id', '=', organizationId)
    .where('v.complete', '=', 1);
  if (name !== undefined) query = query.where('k.name', '=', name);
  return query.orderBy('k.name').orderBy('v.version', 'desc').execute();
}

/** Which of these versions some group applies. */
export async function appliedVersionIds(db: Executor, versionIds: string[]): Promise<Set<string>> {
  if (versionIds.length === 0) return new Set();
  const rows = await db.selectFrom('policy_group_packs').select('version_id').distinct().where('version_id', 'in', versionIds).execute();
  return new Set(rows.map((row) => row.version_id));
}

/** The groups that apply a version of this pack (any version when `versionId` is not given). */
export async function groupsApplying(db: Executor, packId: string, versionId?: string): Promise<string[]> {
  let query = db.selectFrom('policy_group_packs as a').innerJoin('policy_groups as g', 'g.id', 'a.group_id').select('g.name').where('a.pack_id', '=', packId);
  if (versionId !== undefined) query = query.where('a.version_id', '=', versionId);
  return (await query.orderBy('g.name').execute()).map((row) => row.name);
}

// Groups.

/** The organization's default group, made on first use (concurrent first uses make one). */
export async function defaultGroup(db: Executor, row: Insertable<PolicyGroupsTable>): Promise<GroupRow> {
  await db.insertInto('policy_groups').values(row).onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing()).execute();
  return (await findGroup(db, row.organization_id, row.name))!;
}

export async function findGroup(db: Executor, organizationId: string, name: string): Promise<GroupRow | undefined> {
  return db.selectFrom('policy_groups').selectAll().where('organization_id', '=', organizationId).where('name', '=', name).executeTakeFirst();
}

export async function insertGroup(db: Executor, row: Insertable<PolicyGroupsTable>): Promise<void> {
  await db.insertInto('policy_groups').values(row).execute();
}

export async function changeGroup(db: Executor, id: string, change: Partial<Pick<GroupRow, 'name' | 'agent_pool_id'>>): Promise<void> {
  await db.updateTable('policy_groups').set(change).where('id', '=', id).execute();
}

export async function deleteGroup(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('policy_groups').where('id', '=', id).execute();
}

/** The condition that stack `s` of organization `o` belongs to group `g`: added to it, or, for the default group, not removed from it. */
const memberOfGroup = sql<boolean>`CASE WHEN g.is_default = 1
  THEN NOT EXISTS (SELECT 1 FROM policy_group_exclusions x WHERE x.group_id = g.id AND x.stack_id = s.id)
  ELSE EXISTS (SELECT 1 FROM policy_group_stacks m WHERE m.group_id = g.id AND m.stack_id = s.id) END`;

/** The organization's groups (or the groups holding one stack) with their counts, by name. */
export async function listGroupSummaries(db: Executor, organizationId: string, stackId?: string) {
  let query = db
    .selectFrom('policy_groups as g')
    .selectAll('g')
    .select([
      sql<number>`(SELECT COUNT(*) FROM stacks s JOIN projects p ON p.id = s.project_id JOIN organizations o ON o.id = p.organization_id WHERE o.id = g.organization_id AND ${memberOfGroup})`.as(
        'stack_count',
      ),
      sql<number>`(SELECT COUNT(*) FROM policy_group_packs a WHERE a.group_id = g.id)`.as('pack_count'),
    ])
    .where('g.organization_id', '=', organizationId);
  if (stackId !== undefined) {
    query = query.where(sql<boolean>`EXISTS (SELECT 1 FROM stacks s JOIN projects p ON p.id = s.project_id JOIN organizations o ON o.id = p.organization_id WHERE s.id = ${stackId} AND ${memberOfGroup})`);
  }
  const rows = await query.orderBy('g.name').execute();
  return rows.map((row) => ({ ...row, stack_count: Number(row.stack_count), pack_count: Number(row.pack_count) }));
}

/** The group's stacks as `{project, stack, id}`, by project then name. */
export async function groupStacks(db: Executor, group: GroupRow): Promise<Array<{ id: string; project: string; stack: string }>> {
  return stacksWithOwners(db)
    .innerJoin('policy_groups as g', (join) => join.on('g.id', '=', group.id))
    .select(['s.id as id', 'p.name as project', 's.name as stack'])
    .where('o.id', '=', group.organization_id)
    .where(memberOfGroup)
    .orderBy('p.name')
    .orderBy('s.name')
    .execute();
}

/** Puts a stack in a group or takes it out; for the default group that is removing or writing its exclusion. */
export async function setMembership(db: Executor, group: GroupRow, stackId: string, member: boolean): Promise<void> {
  const table = group.is_default === 1 ? 'policy_group_exclusions' : 'policy_group_stacks';
  const writeRow = group.is_default === 1 ? !member : member;
  if (writeRow) {
    await db.insertInto(table).values({ group_id: group.id, stack_id: stackId }).onConflict((oc) => oc.columns(['group_id', 'stack_id']).doNothing()).execute();
  } else {
    await db.deleteFrom(table).where('group_id', '=', group.id).where('stack_id', '=', stackId).execute();
  }
}

/** Makes `stackIds` the group's whole membership. */
export async function replaceMembers(db: Executor, group: GroupRow, stackIds: string[]): Promise<void> {
  if (group.is_default === 1) {
    await db.deleteFrom('policy_group_exclusions').where('group_id', '=', group.id).execute();
    const excluded = db
      .selectFrom('stacks as s')
      .innerJoin('projects as p', 'p.id', 's.project_id')
      .select([sql<string>`${group.id}`.as('group_id'), 's.id as stack_id'])
      .where('p.organization_id', '=', group.organization_id);
    await db
      .insertInto('policy_group_exclusions')
      .columns(['group_id', 'stack_id'])
      .expression(stackIds.length > 0 ? excluded.where('s.id', 'not in', stackIds) : excluded)
      .execute();
    return;
  }
  await db.deleteFrom('policy_group_stacks').where('group_id', '=', group.id).execute();
  for (const stackId of new Set(stackIds)) await db.insertInto('policy_group_stacks').values({ group_id: group.id, stack_id: stackId }).execute();
}

/** A stack leaving its organization leaves its groups, and joins the new one's default group. */
export async function leaveGroups(db: Executor, stackId: string): Promise<void> {
  await db.deleteFrom('policy_group_stacks').where('stack_id', '=', stackId).execute();
  await db.deleteFrom('policy_group_exclusions').where('stack_id', '=', stackId).execute();
}

export type AppliedPackRecord = Selectable<PolicyGroupPacksTable> & PackVersionRecord & { group_name: string; group_is_default: number };

/** The packs applied by these groups, with their versions, by pack name. */
export async function appliedPacks(db: Executor, groupIds: string[]): Promise<AppliedPackRecord[]> {
  if (groupIds.length === 0) return [];
  return db
    .selectFrom('policy_group_packs as a')
    .innerJoin('policy_groups as g', 'g.id', 'a.group_id')
    .innerJoin('policy_pack_versions as v', 'v.id', 'a.version_id')
    .innerJoin('policy_packs as k', 'k.id', 'v.pack_id')
    .selectAll('v')
    .select(['a.group_id', 'a.pack_id', 'a.version_id', 'a.config', 'a.environments', 'a.created_at'])
    .select(['k.name as pack_name', 'k.organization_id as organization_id', 'g.name as group_name', 'g.is_default as group_is_default'])
    .where('a.group_id', 'in', groupIds)
    .orderBy('k.name')
    .orderBy('g.name')
    .execute() as Promise<AppliedPackRecord[]>;
}

/** Applies a pack version to a group, replacing whatever version of that pack it applied. */
export async function applyPack(db: Executor, row: Insertable<PolicyGroupPacksTable>): Promise<void> {
  const { group_id: _, pack_id: __, ...change } = row;
  await db
    .insertInto('policy_group_packs')
    .values(row)
    .onConflict((oc) => oc.columns(['group_id', 'pack_id']).doUpdateSet(change))
    .execute();
}

export async function unapplyPack(db: Executor, groupId: string, packId: string): Promise<void> {
  await db.deleteFrom('policy_group_packs').where('group_id', '=', groupId).where('pack_id', '=', packId).execute();
}

export async function unapplyAllPacks(db: Executor, groupId: string): Promise<void> {
  await db.deleteFrom('policy_group_packs').where('group_id', '=', groupId).execute();
}

/** The ids of the preventative stack groups of the stack's organization that hold it. */
export async function groupsOfStack(db: Executor, organizationId: string, stackId: string, mode?: string): Promise<string[]> {
  let query = db
    .selectFrom('policy_groups as g')
    .select('g.id')
    .where('g.organization_id', '=', organizationId)
    .where('g.entity_type', '=', 'stacks')
    .where(sql<boolean>`EXISTS (SELECT 1 FROM stacks s WHERE s.id = ${stackId} AND ${memberOfGroup})`);
  if (mode !== undefined) query = query.where('g.mode', '=', mode);
  return (await query.execute()).map((row) => row.id);
}

// Violations, which Pulumi's newer API calls policy issues.

/** Triage states that end an issue; the others (`open`, `in_progress`) are active. */
export const closedStatuses = ['fixed', 'by_design', 'ignored'];

/**
 * Records a violation, or refreshes the one already recorded for that stack, policy and resource:
 * a fixed one opens again, any other keeps the triage people gave it.
 */
export async function upsertViolation(db: Executor, row: Insertable<PolicyViolationsTable>): Promise<void> {
  const { id: _, stack_id: __, policy_pack: ___, policy_name: ____, resource_urn: _____, status: ______, priority: _______, assigned_to_user_id: ________, ...change } = row;
  await db
    .insertInto('policy_violations')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['stack_id', 'policy_pack', 'policy_name', 'resource_urn']).doUpdateSet({
        ...change,
        status: sql<string>`CASE WHEN policy_violations.status = 'fixed' THEN 'open' ELSE policy_violations.status END`,
      }),
    )
    .execute();
}

/** Marks fixed the violations of these policies on a resource (or on any resource, when `urn` is undefined). */
export async function fixViolations(db: Executor, stackId: string, pack: string, policies: string[], urn: string | undefined, now: number): Promise<void> {
  if (policies.length === 0) return;
  let query = db
    .updateTable('policy_violations')
    .set({ status: 'fixed', modified_at: now })
    .where('stack_id', '=', stackId)
    .where('policy_pack', '=', pack)
    .where('policy_name', 'in', policies)
    .where('status', '!=', 'fixed');
  if (urn !== undefined) query = query.where('resource_urn', '=', urn);
  await query.execute();
}

/** The resources the stack's unfixed violations name, but those reported by `exceptUpdate`. */
export async function unfixedViolationUrns(db: Executor, stackId: string, exceptUpdate: string): Promise<string[]> {
  const rows = await db
    .selectFrom('policy_violations')
    .select('resource_urn')
    .distinct()
    .where('stack_id', '=', stackId)
    .where('status', '!=', 'fixed')
    .where('resource_urn', '!=', '')
    .where('update_id', '!=', exceptUpdate)
    .execute();
  return rows.map((row) => row.resource_urn);
}

/** Marks fixed the unfixed violations on these resources, but those reported by `exceptUpdate`. */
export async function fixViolationsOn(db: Executor, stackId: string, urns: string[], exceptUpdate: string, now: number): Promise<void> {
  if (urns.length === 0) return;
  await db
    .updateTable('policy_violations')
    .set({ status: 'fixed', modified_at: now })
    .where('stack_id', '=', stackId)
    .where('status', '!=', 'fixed')
    .where('resource_urn', 'in', urns)
    .where('update_id', '!=', exceptUpdate)
    .execute();
}

/** A renamed stack's violations name its resources by their new URNs. */
export async function renameViolationUrns(db: Executor, stackId: string, oldPrefix: string, newPrefix: string): Promise<void> {
  await db
    .updateTable('policy_violations')
    // Typed parameters: PostgreSQL infers none for `||` and substr.
    .set({ resource_urn: sql<string>`CAST(${newPrefix} AS text) || substr(resource_urn, CAST(${oldPrefix.length + 1} AS integer))` })
    .where('stack_id', '=', stackId)
    .where(sql<boolean>`substr(resource_urn, 1, CAST(${oldPrefix.length} AS integer)) = CAST(${oldPrefix} AS text)`)
    .execute();
}

export async function changeViolation(db: Executor, id: string, change: Partial<Pick<ViolationRow, 'status' | 'priority' | 'assigned_to_user_id' | 'modified_at'>>): Promise<void> {
  await db.updateTable('policy_violations').set(change).where('id', '=', id).execute();
}

/** The columns violations sort and filter by, as the issues grid names them. */
export const violationColumns = {
  observedAt: 'v.observed_at',
  lastModified: 'v.modified_at',
  policyPack: 'v.policy_pack',
  policyName: 'v.policy_name',
  level: 'v.level',
  severity: 'v.severity',
  status: 'v.status',
  priority: 'v.priority',
  resourceURN: 'v.resource_urn',
  resourceType: 'v.resource_type',
  entityProject: 'p.name',
  entityId: 's.name',
  assignedTo: 'u.login',
} as const;
export type ViolationColumn = keyof typeof violationColumns;

/** A condition on violations: a column equal to a value, all or any of several, or a constant. */
export type ViolationCondition =
  | { column: ViolationColumn; equals: string }
  | { all: ViolationCondition[] }
  | { any: ViolationCondition[] }
  | { constant: boolean };

function conditionSql(condition: ViolationCondition): RawBuilder<boolean> {
  if ('column' in condition) return sql<boolean>`${sql.ref(violationColumns[condition.column])} = ${condition.equals}`;
  if ('constant' in condition) return condition.constant ? sql<boolean>`1 = 1` : sql<boolean>`1 = 0`;
  const parts = 'all' in condition ? condition.all : condition.any;
  if (parts.length === 0) return sql<boolean>`${sql.raw('all' in condition ? '1 = 1' : '1 = 0')}`;
  return sql<boolean>`(${sql.join(parts.map(conditionSql), sql.raw('all' in condition ? ' AND ' : ' OR '))})`;
}

export interface ViolationFilter {
  organizationId: string;
  visibility: StackVisibility;
  statuses: string[];
  where?: ViolationCondition;
  id?: string;
  /** Keyset paging, newest first: the page starts after this (observed_at, id). */
  after?: [number, string];
  /** Offset paging in `order` (the issues grid). */
  order?: Array<[ViolationColumn, 'asc' | 'desc']>;
  offset?: number;
  limit: number;
}

export type ViolationRecord = ViolationRow & { project_name: string; stack_name: string; organization_id: string; assignee_login: string | null; assignee_name: string | null; assignee_avatar_url: string | null };

function violationQuery(db: Executor, filter: Omit<ViolationFilter, 'limit'>) {
  let query = stacksWithOwners(db)
    .innerJoin('policy_violations as v', 'v.stack_id', 's.id')
    .leftJoin('users as u', 'u.id', 'v.assigned_to_user_id')
    .where('o.id', '=', filter.organizationId)
    .where('v.status', 'in', filter.statuses)
    .where(readableStack(filter.visibility));
  if (filter.where) query = query.where(conditionSql(filter.where));
  if (filter.id !== undefined) query = query.where('v.id', '=', filter.id);
  return query;
}

/** Violations on stacks the caller may read: newest first, or in the order asked. */
export async function listViolations(db: Executor, filter: ViolationFilter): Promise<ViolationRecord[]> {
  let query = violationQuery(db, filter)
    .selectAll('v')
    .select(['p.name as project_name', 's.name as stack_name', 'o.id as organization_id', 'u.login as assignee_login', 'u.name as assignee_name', 'u.avatar_url as assignee_avatar_url']);
  if (filter.after) {
    const [observed, id] = filter.after;
    query = query.where((eb) => eb.or([eb('v.observed_at', '<', observed), eb.and([eb('v.observed_at', '=', observed), eb('v.id', '<', id)])]));
  }
  for (const [column, direction] of filter.order ?? []) query = query.orderBy(violationColumns[column], direction);
  query = query.orderBy('v.observed_at', 'desc').orderBy('v.id', 'desc').limit(filter.limit);
  if (filter.offset) query = query.offset(filter.offset);
  const rows = await query.execute();
  return rows.map((row) => ({
    ...row,
    observed_at: Number(row.observed_at),
    modified_at: Number(row.modified_at),
    stack_version: row.stack_version === null ? null : Number(row.stack_version),
  }));
}

export async function countViolations(db: Executor, filter: Omit<ViolationFilter, 'limit'>): Promise<number> {
  const row = await violationQuery(db, filter).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The policy a violation names, from the pack version it names, if that version still exists. */
export async function findPolicyOf(db: Executor, organizationId: string, pack: string, versionTag: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('policy_pack_versions as v')
    .innerJoin('policy_packs as k', 'k.id', 'v.pack_id')
    .select('v.policies')
    .where('k.organization_id', '=', organizationId)
    .where('k.name', '=', pack)
    .where('v.version_tag', '=', versionTag)
    .executeTakeFirst();
  return row?.policies;
}

/** Stacks of the organization and their resources: all, and those in a group of each mode. */
export async function protectionCounts(db: Executor, organizationId: string) {
  const count = async (mode?: string) => {
    let query = stacksWithOwners(db)
      .leftJoin('stack_versions as sv', (join) => join.onRef('sv.stack_id', '=', 's.id').onRef('sv.version', '=', 's.version'))
      .select((eb) => [eb.fn.countAll().as('stacks'), eb.fn.sum('sv.resource_count').as('resources')])
      .where('o.id', '=', organizationId);
    if (mode !== undefined) {
      const modes = mode === 'any' ? sql`` : sql` AND g.mode = ${mode}`;
      query = query.where(sql<boolean>`EXISTS (SELECT 1 FROM policy_groups g WHERE g.organization_id = o.id AND g.entity_type = 'stacks'${modes} AND ${memberOfGroup})`);
    }
    const row = await query.executeTakeFirst();
    return { stacks: Number(row?.stacks ?? 0), resources: Number(row?.resources ?? 0) };
  };
  return { total: await count(), any: await count('any'), preventative: await count('preventative'), audit: await count('audit') };
}
