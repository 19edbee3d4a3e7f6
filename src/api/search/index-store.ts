import { sql } from 'kysely';
import type { Executor } from '../../db/executor.js';
import { insertBatches } from '../../db/batches.js';
import { allocateResourceIds, indexText, rebuildText, unindexText } from '../../db/text-search.js';

/** The writes that keep the resource search index (see migration 0016). */

export interface IndexedStackNames {
  stackId: string;
  organizationId: string;
  project: string;
  stack: string;
}

/** The stack's place in the index, as maintenance finds it. */
export interface IndexedStackState {
  key: number;
  /** Indexed last from the state given, under the same names: there is nothing to do. */
  unchanged: boolean;
  renamed: boolean;
  /**
   * What its rows were left as by its last maintenance (none for a stack never indexed); undefined
   * when unchanged, or when not recorded (a stack indexed before migration 0019: read its rows).
   */
  entries?: IndexedEntry[];
}

/**
 * The stack's key in the index (numbered when new), its names brought up to date, and, unless it
 * was last indexed from the state of digest `stateDigest`, its entries: one statement either way.
 */
export async function indexedStack(tx: Executor, names: IndexedStackNames, stateDigest: string): Promise<IndexedStackState> {
  const row = { organization_id: names.organizationId, project: names.project, stack: names.stack };
  const sameNames = sql<boolean>`s.organization_id = ${row.organization_id} AND s.project = ${row.project} AND s.stack = ${row.stack}`;
  const found = await tx
    .selectFrom('indexed_stacks as s')
    .leftJoin('indexed_stack_entries as e', 'e.stack_key', 's.key')
    .select(['s.key', 's.organization_id', 's.project', 's.stack', 'e.state_digest'])
    .select(sql<string | null>`CASE WHEN e.state_digest = ${stateDigest} AND ${sameNames} THEN NULL ELSE e.entries END`.as('entries'))
    .where('s.stack_id', '=', names.stackId)
    .executeTakeFirst();
  if (!found) {
    const inserted = await tx.insertInto('indexed_stacks').values({ stack_id: names.stackId, ...row }).returning('key').executeTakeFirstOrThrow();
    return { key: Number(inserted.key), unchanged: false, renamed: false, entries: [] };
  }
  const key = Number(found.key);
  const renamed = found.organization_id !== row.organization_id || found.project !== row.project || found.stack !== row.stack;
  if (renamed) await tx.updateTable('indexed_stacks').set(row).where('key', '=', key).execute();
  const unchanged = !renamed && found.state_digest === stateDigest;
  // Recorded under the names the stack had until now.
  const entries = found.entries == null ? undefined : decodeEntries(found.entries, { project: found.project, stack: found.stack });
  return { key, unchanged, renamed, ...(entries && { entries }) };
}

/** Records what the stack was indexed from (its state's digest) and what its rows are now, under `names`. */
export async function setIndexedState(tx: Executor, stackKey: number, stateDigest: string, entries: IndexedEntry[], names: { project: string; stack: string }): Promise<void> {
  const value = { stack_key: stackKey, state_digest: stateDigest, entries: encodeEntries(entries, names) };
  await tx
    .insertInto('indexed_stack_entries')
    .values(value)
    .onConflict((oc) => oc.column('stack_key').doUpdateSet({ state_digest: value.state_digest, entries: value.entries }))
    .execute();
}

export interface TypeRow {
  type: string;
  short: string;
  package: string;
  module: string;
}

/** Keys of the given types, numbering those never seen. */
export async function typeKeys(tx: Executor, types: TypeRow[]): Promise<Map<string, number>> {
  const keys = new Map<string, number>();
  if (types.length === 0) return keys;
  const names = types.map((t) => t.type);
  const read = async () => {
    for (let i = 0; i < names.length; i += 1000) {
      const rows = await tx.selectFrom('indexed_types').select(['key', 'type']).where('type', 'in', names.slice(i, i + 1000)).execute();
      for (const row of rows) keys.set(row.type, Number(row.key));
    }
  };
  await read();
  const missing = types.filter((t) => !keys.has(t.type));
  if (missing.length === 0) return keys;
  for await (const batch of insertBatches(missing)) {
    await tx.insertInto('indexed_types').values(batch).onConflict((oc) => oc.column('type').doNothing()).execute();
  }
  await read();
  return keys;
}

/**
 * What maintenance keeps of each index row between updates, to match a stack's next state against
 * without reading its rows: the entry's digest, the URN (a changed resource keeps its row), the
 * type (counts per type), the pending operation, and a provider's id and version (its resources'
 * version comes from it).
 */
export interface IndexedEntry {
  id: number;
  digest: string;
  urn: string;
  type_key: number;
  pending: string;
  provider?: { resource_id: string; version: string };
}

/**
 * An entry as recorded: a URN that begins with its stack's `urn:pulumi:<stack>::<project>::` is
 * kept without it (a third of its length); any other is kept whole, as the one element of an array.
 */
type RecordedUrn = string | [string];
type EncodedEntry = [number, string, RecordedUrn, number, string] | [number, string, RecordedUrn, number, string, string, string];

const urnPrefix = (names: { project: string; stack: string }) => `urn:pulumi:${names.stack}::${names.project}::`;

function encodeEntries(entries: IndexedEntry[], names: { project: string; stack: string }): string {
  const prefix = urnPrefix(names);
  return JSON.stringify(
    entries.map((e): EncodedEntry => {
      const urn: RecordedUrn = e.urn.startsWith(prefix) ? e.urn.slice(prefix.length) : [e.urn];
      return e.provider ? [e.id, e.digest, urn, e.type_key, e.pending, e.provider.resource_id, e.provider.version] : [e.id, e.digest, urn, e.type_key, e.pending];
    }),
  );
}

function decodeEntries(json: string, names: { project: string; stack: string }): IndexedEntry[] {
  const prefix = urnPrefix(names);
  return (JSON.parse(json) as EncodedEntry[]).map(([id, digest, urn, type_key, pending, resource_id, version]) => ({
    id,
    digest,
    urn: typeof urn === 'string' ? prefix + urn : urn[0],
    type_key,
    pending,
    ...(resource_id !== undefined && { provider: { resource_id, version: version! } }),
  }));
}

/** What maintenance needs of a row it reviews (after a rename, or with pending operations) or removes. */
export interface IndexedRow {
  id: number;
  digest: string;
  pending: string;
  type_key: number;
  own_version: boolean;
  urn: string;
  urn_text: string;
  name: string;
  resource_id: string;
  provider_urn: string;
  version: string;
}

/** A selected row with its module, as maintenance reads it (ids numbers, provider rows marked). */
const indexedRowOf = <T extends { id: number | string; type_key: number | string; module: string }>({ module, ...row }: T) => ({
  ...row,
  id: Number(row.id),
  type_key: Number(row.type_key),
  own_version: module === 'providers',
});

/** The stack's entries read from its rows (for a stack indexed before they were recorded). */
export async function readIndexedEntries(tx: Executor, stackKey: number): Promise<IndexedEntry[]> {
  const rows = await tx
    .selectFrom('resource_index as r')
    .innerJoin('resource_index_details as d', 'd.id', 'r.id')
    .innerJoin('indexed_types as t', 't.key', 'r.type_key')
    .select(['r.id', 'd.digest', 'd.urn', 'r.type_key', 'r.pending', 't.module', 'd.resource_id', 'r.version'])
    .where('r.stack_key', '=', stackKey)
    .execute();
  return rows.map(({ module, resource_id, version, ...row }) => ({
    ...row,
    id: Number(row.id),
    type_key: Number(row.type_key),
    ...(module === 'providers' && { provider: { resource_id, version } }),
  }));
}

/** The rows of `ids`, in no particular order. */
export async function loadIndexedRows(tx: Executor, ids: number[]): Promise<IndexedRow[]> {
  const found: IndexedRow[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await tx
      .selectFrom('resource_index as r')
      .innerJoin('resource_index_details as d', 'd.id', 'r.id')
      .innerJoin('indexed_types as t', 't.key', 'r.type_key')
      .select(['r.id', 'd.digest', 'd.urn', 'd.urn_text', 'r.name', 'd.resource_id', 'd.provider_urn', 'r.version', 'r.pending', 't.module', 'r.type_key'])
      .where('r.id', 'in', ids.slice(i, i + 1000))
      .execute();
    found.push(...rows.map(indexedRowOf));
  }
  return found;
}

export async function listIndexedRows(tx: Executor, stackKey: number): Promise<IndexedRow[]> {
  const ids = await tx.selectFrom('resource_index').select('id').where('stack_key', '=', stackKey).execute();
  return loadIndexedRows(tx, ids.map((row) => Number(row.id)));
}

/** Sets the stack's rows per type in `resource_index_counts` from the type keys of all its rows. */
export async function setStackCounts(tx: Executor, stackKey: number, typeKeys: number[]): Promise<void> {
  const counts = new Map<number, number>();
  for (const key of typeKeys) counts.set(key, (counts.get(key) ?? 0) + 1);
  await tx.deleteFrom('resource_index_counts').where('stack_key', '=', stackKey).execute();
  const rows = [...counts].map(([type_key, resources]) => ({ stack_key: stackKey, type_key, resources }));
  for await (const batch of insertBatches(rows)) await tx.insertInto('resource_index_counts').values(batch).execute();
}

export interface NewIndexRow {
  stack_key: number;
  type_key: number;
  name: string;
  created: number;
  modified: number;
  custom: number;
  del: number;
  protected: number;
  pending: string;
  version: string;
  version_key: string;
  urn: string;
  urn_text: string;
  resource_id: string;
  parent_urn: string;
  provider_urn: string;
  dependencies: string;
  digest: string;
  properties: string;
}

/** Adds rows, with their text; returns their ids, in order. */
export async function insertIndexRows(tx: Executor, rows: NewIndexRow[]): Promise<number[]> {
  const ids = await allocateResourceIds(tx, rows.length);
  await writeIndexRows(tx, rows, ids);
  await indexText(tx, rows.map((r, i) => ({ id: ids[i]!, urn_text: r.urn_text, name: r.name })));
  return ids;
}

/**
 * Rewrites rows in place (same ids) whose URN, and so their text, stay as they were: the text
 * index, the costly part of a row to write, keeps their entries. An upsert, so one statement
 * carries many rows; it updates what is there (nothing is deleted and inserted again).
 */
export async function updateIndexRows(tx: Executor, rows: Array<NewIndexRow & { id: number }>): Promise<void> {
  const ids = rows.map((r) => r.id);
  for await (const batch of insertBatches(narrowColumns(rows, ids))) {
    await tx
      .insertInto('resource_index')
      .values(batch)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          type_key: eb.ref('excluded.type_key'),
          name: eb.ref('excluded.name'),
          created: eb.ref('excluded.created'),
          modified: eb.ref('excluded.modified'),
          custom: eb.ref('excluded.custom'),
          del: eb.ref('excluded.del'),
          protected: eb.ref('excluded.protected'),
          pending: eb.ref('excluded.pending'),
          version: eb.ref('excluded.version'),
          version_key: eb.ref('excluded.version_key'),
        })),
      )
      .execute();
  }
  for await (const batch of insertBatches(detailColumns(rows, ids))) {
    await tx
      .insertInto('resource_index_details')
      .values(batch)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          resource_id: eb.ref('excluded.resource_id'),
          parent_urn: eb.ref('excluded.parent_urn'),
          provider_urn: eb.ref('excluded.provider_urn'),
          dependencies: eb.ref('excluded.dependencies'),
          digest: eb.ref('excluded.digest'),
          properties: eb.ref('excluded.properties'),
        })),
      )
      .execute();
  }
}

async function writeIndexRows(tx: Executor, rows: NewIndexRow[], ids: number[]): Promise<void> {
  for await (const batch of insertBatches(narrowColumns(rows, ids))) await tx.insertInto('resource_index').values(batch).execute();
  for await (const batch of insertBatches(detailColumns(rows, ids))) await tx.insertInto('resource_index_details').values(batch).execute();
}

/** The `resource_index` row of each new row, by its id. */
const narrowColumns = (rows: NewIndexRow[], ids: number[]) =>
  rows.map((r, i) => ({
    id: ids[i]!,
    stack_key: r.stack_key,
    type_key: r.type_key,
    name: r.name,
    created: r.created,
    modified: r.modified,
    custom: r.custom,
    del: r.del,
    protected: r.protected,
    pending: r.pending,
    version: r.version,
    version_key: r.version_key,
  }));

/** The `resource_index_details` row of each new row, by its id. */
const detailColumns = (rows: NewIndexRow[], ids: number[]) =>
  rows.map((r, i) => ({
    id: ids[i]!,
    urn: r.urn,
    urn_text: r.urn_text,
    resource_id: r.resource_id,
    parent_urn: r.parent_urn,
    provider_urn: r.provider_urn,
    dependencies: r.dependencies,
    digest: r.digest,
    properties: r.properties,
  }));

export async function deleteIndexRows(tx: Executor, rows: Array<{ id: number; urn_text: string; name: string }>): Promise<void> {
  if (rows.length === 0) return;
  await unindexText(tx, rows);
  for (let i = 0; i < rows.length; i += 1000) {
    const ids = rows.slice(i, i + 1000).map((r) => r.id);
    await tx.deleteFrom('resource_index').where('id', 'in', ids).execute();
    await tx.deleteFrom('resource_index_details').where('id', 'in', ids).execute();
  }
}

export async function changeIndexRow(tx: Executor, id: number, change: { version: string; version_key: string; pending: string }): Promise<void> {
  await tx.updateTable('resource_index').set(change).where('id', '=', id).execute();
}

/** The row's URN text is `urnText` now (its stack was renamed or moved), in the text index too. */
export async function changeUrnText(tx: Executor, row: { id: number; urn_text: string; name: string }, urnText: string): Promise<void> {
  await unindexText(tx, [row]);
  await tx.updateTable('resource_index_details').set({ urn_text: urnText }).where('id', '=', row.id).execute();
  await indexText(tx, [{ ...row, urn_text: urnText }]);
}

/** Drops a stack from the index. */
export async function forgetIndexedStack(tx: Executor, stackId: string): Promise<void> {
  const found = await tx.selectFrom('indexed_stacks').select('key').where('stack_id', '=', stackId).executeTakeFirst();
  if (!found) return;
  await deleteIndexRows(tx, await listIndexedRows(tx, Number(found.key)));
  await tx.deleteFrom('resource_index_counts').where('stack_key', '=', found.key).execute();
  await tx.deleteFrom('indexed_stack_entries').where('stack_key', '=', found.key).execute();
  await tx.deleteFrom('indexed_stacks').where('key', '=', found.key).execute();
}

/** Every stack, with the names the index keeps, for a rebuild. */
export async function listStacksToIndex(db: Executor): Promise<IndexedStackNames[]> {
  const rows = await db
    .selectFrom('stacks as s')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .select(['s.id as stackId', 'p.organization_id as organizationId', 'p.name as project', 's.name as stack'])
    .orderBy('s.id')
    .execute();
  return rows;
}

/** Rows left behind by stacks the index no longer knows (none, unless a rebuild was interrupted). */
export async function deleteOrphanRows(tx: Executor): Promise<void> {
  const orphans = await tx
    .selectFrom('resource_index as r')
    .innerJoin('resource_index_details as d', 'd.id', 'r.id')
    .select(['r.id', 'd.urn_text', 'r.name'])
    .where((eb) => eb.not(eb.exists(eb.selectFrom('indexed_stacks as s').select('s.key').whereRef('s.key', '=', 'r.stack_key'))))
    .execute();
  await deleteIndexRows(tx, orphans.map((o) => ({ ...o, id: Number(o.id) })));
  await tx
    .deleteFrom('resource_index_counts as c')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('indexed_stacks as s').select('s.key').whereRef('s.key', '=', 'c.stack_key'))))
    .execute();
  await tx
    .deleteFrom('indexed_stack_entries as e')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('indexed_stacks as s').select('s.key').whereRef('s.key', '=', 'e.stack_key'))))
    .execute();
}

/** The text index made to match the rows again, before a rebuild removes and rewrites them. */
export async function repairText(tx: Executor): Promise<void> {
  await rebuildText(tx);
}
