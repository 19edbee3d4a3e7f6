import type { BlobStore } from '../../blobs/blob-store.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { loadStackVersion } from '../state/versions.js';
import { providerReference, resourceDocument, stateEntries, stateParts, typeParts, urnText, type ResourceDocument, type StateEntries, type StateEntry } from './documents.js';
import { versionKey } from './match.js';
import * as index from './index-store.js';

export interface IndexedStack {
  id: string;
  organizationId: string;
  project: string;
  stack: string;
}

/**
 * Brings the index of one stack up to its newest state (`deployment`, an UntypedDeployment's bytes;
 * undefined: none), in the transaction that stored it. A state whose resources and pending
 * operations are those last indexed (a no-op update) changes nothing. Otherwise the new state is
 * matched against the entries the stack's rows were left as (no row is read for that): entries
 * whose bytes the index already holds stay as they are; only new or changed ones are parsed and
 * written (a changed one in its old row, keeping its text), and vanished ones removed. A resource's
 * version is its provider's, and its pending operation comes from the state's list of them, so
 * those two are compared apart from the bytes. When rows come or go, the stack's counts per type follow.
 */
export async function indexStackState(tx: Executor, stack: IndexedStack, deployment: Buffer | undefined): Promise<void> {
  const parts = stateParts(deployment);
  const indexed = await index.indexedStack(tx, { stackId: stack.id, organizationId: stack.organizationId, project: stack.project, stack: stack.stack }, parts.digest);
  if (indexed.unchanged) return;
  const entries = await indexEntries(tx, stack, indexed, stateEntries(parts));
  await index.setIndexedState(tx, indexed.key, parts.digest, entries, stack);
}

const isProvider = (document: ResourceDocument) => document.type.startsWith('pulumi:providers:');

/** Writes the rows of the state's entries; returns the entries the stack's rows are now. */
async function indexEntries(tx: Executor, stack: IndexedStack, indexed: index.IndexedStackState, state: StateEntries): Promise<index.IndexedEntry[]> {
  const existing = indexed.entries ?? (await index.readIndexedEntries(tx, indexed.key));
  const byDigest = new Map<string, index.IndexedEntry[]>();
  for (const row of existing) {
    const same = byDigest.get(row.digest);
    if (same) same.push(row);
    else byDigest.set(row.digest, [row]);
  }
  const take = (entry: StateEntry) => byDigest.get(entry.digest)?.pop();

  const kept: index.IndexedEntry[] = [];
  const added: Array<{ document: ResourceDocument; entry: StateEntry }> = [];
  for (const entry of state.resources) {
    const row = take(entry);
    if (row) {
      kept.push(row);
      continue;
    }
    const document = resourceDocument(entry);
    if (document) added.push({ document, entry });
  }

  const urns = new Set<string>([...kept.map((row) => row.urn), ...added.map(({ document }) => document.urn)]);
  for (const { entry, urn } of state.pendingOnly) {
    if (urns.has(urn)) continue;
    const row = take(entry);
    if (row) kept.push(row);
    else {
      const document = resourceDocument(entry);
      if (document) added.push({ document, entry });
    }
  }
  const gone = [...byDigest.values()].flat();

  // A kept row's version, pending operation and URN text follow from other rows, the state's
  // pending operations and the stack's names: reviewed (read in full) only when one of those moved.
  const review =
    indexed.renamed ||
    state.pending.size > 0 ||
    existing.some((row) => row.pending !== '') ||
    added.some(({ document }) => isProvider(document)) ||
    gone.some((row) => row.provider);

  const providerVersions = new Map<string, string>();
  for (const row of kept) if (row.provider) providerVersions.set(providerReference(row.urn, row.provider.resource_id), row.provider.version);
  for (const { document } of added) if (isProvider(document)) providerVersions.set(providerReference(document.urn, document.resourceId), document.ownVersion);
  const versionOf = (own: boolean, ownVersion: string, providerUrn: string) => (own ? ownVersion : (providerVersions.get(providerUrn) ?? ''));

  if (review) {
    const keptById = new Map(kept.map((row) => [row.id, row]));
    for (const row of await index.loadIndexedRows(tx, [...keptById.keys()])) {
      const version = versionOf(row.own_version, row.version, row.provider_urn);
      const pending = row.digest.startsWith('op:') ? row.pending : (state.pending.get(row.urn) ?? '');
      if (version !== row.version || pending !== row.pending) {
        await index.changeIndexRow(tx, row.id, { version, version_key: versionKey(version), pending });
        keptById.get(row.id)!.pending = pending;
      }
      const text = urnText(row.urn, stack);
      if (text !== row.urn_text) await index.changeUrnText(tx, row, text);
    }
  }

  // A changed resource (same URN, new bytes) takes the row it had: with the stack's names unchanged,
  // its text is the same.
  const goneByUrn = new Map<string, index.IndexedEntry[]>();
  if (!indexed.renamed) for (const row of gone) goneByUrn.set(row.urn, [...(goneByUrn.get(row.urn) ?? []), row]);
  const types = new Map(added.map(({ document }) => [document.type, { type: document.type, ...typeParts(document.type) }]));
  const keys = await index.typeKeys(tx, [...types.values()]);
  const rewritten: Array<{ row: index.NewIndexRow & { id: number }; document: ResourceDocument }> = [];
  const inserted: Array<{ row: index.NewIndexRow; document: ResourceDocument }> = [];
  for (const { document: d, entry } of added) {
    const version = versionOf(isProvider(d), d.ownVersion, d.providerUrn);
    const row: index.NewIndexRow = {
      stack_key: indexed.key,
      type_key: keys.get(d.type)!,
      name: d.name,
      created: d.created,
      modified: d.modified,
      custom: d.custom ? 1 : 0,
      del: d.delete ? 1 : 0,
      protected: d.protected ? 1 : 0,
      pending: entry.pending ?? state.pending.get(d.urn) ?? '',
      version,
      version_key: versionKey(version),
      urn: d.urn,
      urn_text: urnText(d.urn, stack),
      resource_id: d.resourceId,
      parent_urn: d.parentUrn,
      provider_urn: d.providerUrn,
      dependencies: JSON.stringify(d.dependencies),
      digest: entry.digest,
      properties: d.properties,
    };
    const old = goneByUrn.get(d.urn)?.pop();
    if (old) rewritten.push({ row: { ...row, id: old.id }, document: d });
    else inserted.push({ row, document: d });
  }
  const rewrittenIds = new Set(rewritten.map(({ row }) => row.id));
  const removed = await index.loadIndexedRows(tx, gone.filter((row) => !rewrittenIds.has(row.id)).map((row) => row.id));
  await index.deleteIndexRows(tx, removed);
  await index.updateIndexRows(tx, rewritten.map(({ row }) => row));
  const insertedIds = await index.insertIndexRows(tx, inserted.map(({ row }) => row));

  const now = [...kept, ...rewritten.map(({ row, document }) => entryOf(row, row.id, document)), ...inserted.map(({ row, document }, i) => entryOf(row, insertedIds[i]!, document))];
  const typeOf = new Map(existing.map((row) => [row.id, row.type_key]));
  if (removed.length > 0 || inserted.length > 0 || rewritten.some(({ row }) => typeOf.get(row.id) !== row.type_key)) {
    await index.setStackCounts(tx, indexed.key, now.map((row) => row.type_key));
  }
  return now;
}

/** What the stack's entries record of a row just written. */
const entryOf = (row: index.NewIndexRow, id: number, document: ResourceDocument): index.IndexedEntry => ({
  id,
  digest: row.digest,
  urn: row.urn,
  type_key: row.type_key,
  pending: row.pending,
  ...(isProvider(document) && { provider: { resource_id: document.resourceId, version: document.ownVersion } }),
});

/** The stack is deleted: its resources leave the index. */
export async function forgetStackResources(tx: Executor, stackId: string): Promise<void> {
  await index.forgetIndexedStack(tx, stackId);
}

/**
 * `stackyard admin reindex`: rebuilds each stack's index from its newest state, one stack per
 * transaction (searches meanwhile see every other stack as before), then drops what no stack owns.
 * The text index is first made to match the rows, so that removing them removes their text too
 * even if the two had drifted apart (by hand, or by a restore of one without the other).
 */
export async function reindexAll(db: Executor, blobs: BlobStore, progress?: (done: number, total: number) => void): Promise<{ stacks: number }> {
  await transaction(db, (tx) => index.repairText(tx));
  const stacks = await index.listStacksToIndex(db);
  let done = 0;
  for (const names of stacks) {
    await transaction(db, async (tx) => {
      const latest = await loadStackVersion(tx, blobs, names.stackId);
      await index.forgetIndexedStack(tx, names.stackId);
      await indexStackState(tx, { id: names.stackId, organizationId: names.organizationId, project: names.project, stack: names.stack }, latest?.deployment);
    });
    progress?.(++done, stacks.length);
  }
  await transaction(db, (tx) => index.deleteOrphanRows(tx));
  return { stacks: stacks.length };
}
