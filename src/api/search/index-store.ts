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

/**
 * The stack's key in the index, its names brought up to date (`renamed` when they changed), and the
 * digest of the state it was last indexed from (empty when never, or when its names changed).
 */
export async function indexedStackKey(tx: Executor, names: IndexedStackNames): Promise<{ key: number; stateDigest: string; renamed: boolean }> {
  const row = { organization_id: names.organizationId, project: names.project, stack: names.stack };
  const found = await tx.selectFrom('indexed_stacks').selectAll().where('stack_id', '=', names.stackId).executeTakeFirst();
  if (!found) {
    const inserted = await tx.insertInto('indexed_stacks').values({ stack_id: names.stackId, ...row }).returning('key').executeTakeFirstOrThrow();
    return { key: Number(inserted.key), stateDigest: '', renamed: false };
  }
  if (found.organization_id !== row.organization_id || found.project !== row.project || found.stack !== row.stack) {
    await tx.updateTable('indexed_stacks').set(row).where('key', '=', found.key).execute();
    return { key: Number(found.key), stateDigest: '', renamed: true };
  }
  return { key: Number(found.key), stateDigest: found.state_digest, renamed: false };
}

export async function setStateDigest(tx: Executor, stackKey: number, digest: string): Promise<void> {
  await tx.updateTable('indexed_stacks').set({ state_digest: digest }).where('key', '=', stackKey).execute();
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

/** What maintenance matches a stack's new state against: each row's digest, and what is cheap beside it. */
export interface IndexedDigest {
  id: number;
  digest: string;
  pending: string;
  own_version: boolean;
  type_key: number;
}

/** What maintenance needs of a row it reviews or removes. */
export interface IndexedRow extends IndexedDigest {
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

export async function listIndexedDigests(tx: Executor, stackKey: number): Promise<IndexedDigest[]> {
  const rows = await tx
    .selectFrom('resource_index as r')
    .innerJoin('resource_index_details as d', 'd.id', 'r.id')
    .innerJoin('indexed_types as t', 't.key', 'r.type_key')
    .select(['r.id', 'd.digest', 'r.pending', 't.module', 'r.type_key'])
    .where('r.stack_key', '=', stackKey)
    .execute();
  return rows.map(indexedRowOf);
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
  return loadIndexedRows(tx, (await listIndexedDigests(tx, stackKey)).map((row) => row.id));
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

/** Adds rows, with their text. */
export async function insertIndexRows(tx: Executor, rows: NewIndexRow[]): Promise<void> {
  const ids = await allocateResourceIds(tx, rows.length);
  await writeIndexRows(tx, rows, ids);
  await indexText(tx, rows.map((r, i) => ({ id: ids[i]!, urn_text: r.urn_text, name: r.name })));
}

/**
 * Rewrites rows in place (same ids) whose URN text and name stay as they were: the text index,
 * the costly part of a row to write, keeps their entries.
 */
export async function replaceIndexRows(tx: Executor, rows: Array<NewIndexRow & { id: number }>): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    const ids = rows.slice(i, i + 1000).map((r) => r.id);
    await tx.deleteFrom('resource_index').where('id', 'in', ids).execute();
    await tx.deleteFrom('resource_index_details').where('id', 'in', ids).execute();
  }
  await writeIndexRows(tx, rows, rows.map((r) => r.id));
}

async function writeIndexRows(tx: Executor, rows: NewIndexRow[], ids: number[]): Promise<void> {
  const narrow = rows.map((r, i) => ({
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
  const details = rows.map((r, i) => ({
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
  for await (const batch of insertBatches(narrow)) await tx.insertInto('resource_index').values(batch as never).execute();
  for await (const batch of insertBatches(details)) await tx.insertInto('resource_index_details').values(batch).execute();
}

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
}

/** The text index made to match the rows again, before a rebuild removes and rewrites them. */
export async function repairText(tx: Executor): Promise<void> {
  await rebuildText(tx);
}
