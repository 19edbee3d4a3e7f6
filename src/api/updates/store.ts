import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import { insertBatches } from '../../db/batches.js';
import type { Executor } from '../../db/executor.js';
import { preparedQuery } from '../../db/prepared.js';
import type { UpdateCheckpointDeltasTable, UpdatesTable } from '../../db/schema.js';
import { JournalKind, type JournalRow, type ListedJournalRow } from './journal.js';

export type UpdateRow = Selectable<UpdatesTable>;
export type NewUpdate = Insertable<UpdatesTable>;

export async function insertUpdate(db: Executor, update: NewUpdate): Promise<void> {
  await db.insertInto('updates').values(update).execute();
}

export async function findUpdate(db: Executor, stackId: string, updateId: string): Promise<UpdateRow | undefined> {
  return db.selectFrom('updates').selectAll().where('stack_id', '=', stackId).where('id', '=', updateId).executeTakeFirst();
}

export async function changeUpdate(db: Executor, id: string, changes: Updateable<UpdatesTable>): Promise<void> {
  await db.updateTable('updates').set(changes).where('id', '=', id).execute();
}

const runningUpdate = preparedQuery((db: Executor, stackId: string) =>
  db
    .selectFrom('updates as u')
    .innerJoin('users as a', 'a.id', 'u.author_user_id')
    .selectAll('u')
    .select('a.login as author_login')
    .where('u.stack_id', '=', stackId)
    .where('u.status', '=', 'running')
    .where('u.dry_run', '=', 0),
);

/** The update holding the stack (a running non-preview), if any, with its author's login. */
export async function findRunningUpdate(db: Executor, stackId: string): Promise<(UpdateRow & { author_login: string }) | undefined> {
  return (await runningUpdate(db, stackId))[0];
}

export interface HistoryRow extends UpdateRow {
  author_login: string;
  author_name: string;
  author_avatar_url: string;
}

export interface HistoryQuery {
  dryRun: boolean;
  /** Only updates created after this sequence (used for "previews since the last update"). */
  afterSeq?: number;
  /** Only updates created before this sequence (the previews that led up to an update). */
  beforeSeq?: number;
  /** Only the update of this version. */
  version?: number;
  newestFirst: boolean;
  limit?: number;
  offset?: number;
}

export async function listUpdates(db: Executor, stackId: string, query: HistoryQuery): Promise<HistoryRow[]> {
  let select = db
    .selectFrom('updates as u')
    .innerJoin('users as a', 'a.id', 'u.author_user_id')
    .selectAll('u')
    .select(['a.login as author_login', 'a.name as author_name', 'a.avatar_url as author_avatar_url'])
    .where('u.stack_id', '=', stackId)
    .where('u.dry_run', '=', query.dryRun ? 1 : 0)
    // An update that never started (refused at start, say) did nothing to show.
    .where('u.status', '!=', 'not started')
    .orderBy('u.seq', query.newestFirst ? 'desc' : 'asc');
  if (query.afterSeq !== undefined) select = select.where('u.seq', '>', query.afterSeq);
  if (query.beforeSeq !== undefined) select = select.where('u.seq', '<', query.beforeSeq);
  if (query.version !== undefined) select = select.where('u.version', '=', query.version);
  if (query.limit !== undefined) select = select.limit(query.limit).offset(query.offset ?? 0);
  return select.execute();
}

/** Updates (not previews) running now, in every stack. */
export async function countRunningUpdates(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('updates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'running')
    .where('dry_run', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countUpdates(db: Executor, stackId: string, dryRun: boolean, afterSeq?: number, beforeSeq?: number): Promise<number> {
  let select = db
    .selectFrom('updates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('stack_id', '=', stackId)
    .where('dry_run', '=', dryRun ? 1 : 0)
    .where('status', '!=', 'not started');
  if (afterSeq !== undefined) select = select.where('seq', '>', afterSeq);
  if (beforeSeq !== undefined) select = select.where('seq', '<', beforeSeq);
  return Number((await select.executeTakeFirstOrThrow()).n);
}

/** Sequence of the stack's newest non-preview update (before `beforeSeq`, if given); 0 when there is none. */
export async function latestUpdateSeq(db: Executor, stackId: string, beforeSeq?: number): Promise<number> {
  let select = db
    .selectFrom('updates')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('stack_id', '=', stackId)
    .where('dry_run', '=', 0);
  if (beforeSeq !== undefined) select = select.where('seq', '<', beforeSeq);
  const row = await select.executeTakeFirst();
  return Number(row?.seq ?? 0);
}

export async function insertEvents(db: Executor, updateId: string, events: Array<{ sequence: number; kind: string; urn: string | null; event: string }>) {
  if (events.length === 0) return;
  // A retried batch carries the same sequence numbers: the first copy wins.
  for await (const batch of insertBatches(events.map((e) => ({ update_id: updateId, ...e })))) {
    await db
      .insertInto('update_events')
      .values(batch)
      .onConflict((oc) => oc.columns(['update_id', 'sequence']).doNothing())
      .execute();
  }
}

export async function listEvents(
  db: Executor,
  updateId: string,
  filter: { after: number; kinds: string[]; urn?: string; through?: number; limit: number },
) {
  let query = db
    .selectFrom('update_events')
    .select(['sequence', 'kind', 'event'])
    .where('update_id', '=', updateId)
    .where('sequence', '>', filter.after);
  if (filter.through !== undefined) query = query.where('sequence', '<=', filter.through);
  if (filter.kinds.length > 0) query = query.where('kind', 'in', filter.kinds);
  if (filter.urn !== undefined) query = query.where('urn', '=', filter.urn);
  const rows = await query.orderBy('sequence').limit(filter.limit).execute();
  return rows.map((row) => ({ ...row, sequence: Number(row.sequence) }));
}

/** The sequence numbers stored after `after`, in order. */
export async function listEventSequences(db: Executor, updateId: string, after: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('update_events')
    .select('sequence')
    .where('update_id', '=', updateId)
    .where('sequence', '>', after)
    .orderBy('sequence')
    .limit(limit)
    .execute();
  return rows.map((row) => Number(row.sequence));
}

export async function deleteStackUpdates(db: Executor, stackId: string): Promise<void> {
  for (const table of ['update_events', 'update_journal_entries', 'update_checkpoint_deltas'] as const) {
    await db
      .deleteFrom(table)
      .where('update_id', 'in', db.selectFrom('updates').select('id').where('stack_id', '=', stackId))
      .execute();
  }
  await db.deleteFrom('updates').where('stack_id', '=', stackId).execute();
}

/** Stores the entries not stored yet; returns how many were new. */
export async function insertJournalEntries(db: Executor, updateId: string, rows: JournalRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  let inserted = 0;
  for await (const batch of insertBatches(rows.map((row) => ({ update_id: updateId, ...row })))) {
    const result = await db
      .insertInto('update_journal_entries')
      .values(batch)
      .onConflict((oc) => oc.columns(['update_id', 'sequence_id']).doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

/** The entries in sequence order; `begin` entries without their text (see `listBegunEntries`). */
export async function listJournalEntries(db: Executor, updateId: string): Promise<ListedJournalRow[]> {
  return db
    .selectFrom('update_journal_entries')
    .select((eb) => [
      'kind',
      'operation_id',
      eb.case().when('kind', '=', JournalKind.begin).then(sql.lit(null)).else(eb.ref('entry')).end().$castTo<string | null>().as('entry'),
      'state',
      'flags',
    ])
    .where('update_id', '=', updateId)
    .orderBy('sequence_id')
    .execute();
}

/** The texts of the `begin` entries of these operations. */
export async function listBegunEntries(db: Executor, updateId: string, operationIds: number[]): Promise<Map<number, string>> {
  const texts = new Map<number, string>();
  for (let i = 0; i < operationIds.length; i += 500) {
    const rows = await db
      .selectFrom('update_journal_entries')
      .select(['operation_id', 'entry'])
      .where('update_id', '=', updateId)
      .where('kind', '=', JournalKind.begin)
      .where('operation_id', 'in', operationIds.slice(i, i + 500))
      .execute();
    for (const row of rows) texts.set(row.operation_id, row.entry);
  }
  return texts;
}

export async function insertCheckpointDelta(db: Executor, row: Insertable<UpdateCheckpointDeltasTable>): Promise<void> {
  await db.insertInto('update_checkpoint_deltas').values(row).execute();
}

export async function listCheckpointDeltas(db: Executor, updateId: string, afterSequence: number) {
  return db
    .selectFrom('update_checkpoint_deltas')
    .select(['sequence', 'checkpoint_hash', 'delta'])
    .where('update_id', '=', updateId)
    .where('sequence', '>', afterSequence)
    .orderBy('sequence')
    .execute();
}

export async function deleteCheckpointDeltas(db: Executor, updateId: string): Promise<void> {
  await db.deleteFrom('update_checkpoint_deltas').where('update_id', '=', updateId).execute();
}

/** The stack's running update if it holds journal entries or delta checkpoints not yet in its state. */
// Prepared: every read of a stack's state asks it first.
const unmaterializedUpdate = preparedQuery((db: Executor, stackId: string) =>
  db
    .selectFrom('updates')
    .selectAll()
    .where('stack_id', '=', stackId)
    .where('status', '=', 'running')
    .where((eb) =>
      eb.or([
        eb('materialized_entry_count', '<', eb.ref('journal_entry_count')),
        eb('materialized_checkpoint_sequence', '<', eb.ref('checkpoint_sequence')),
      ]),
    ),
);

export async function findUnmaterializedUpdate(db: Executor, stackId: string): Promise<UpdateRow | undefined> {
  return (await unmaterializedUpdate(db, stackId))[0];
}

/** The lease fields of an update found by its stack's names and its id, for the lease check that runs before a body is read. */
export async function findUpdateLease(
  db: Executor,
  names: { organization: string; project: string; stack: string },
  updateId: string,
): Promise<Pick<UpdateRow, 'lease_token_hash' | 'lease_expires_at' | 'status'> | undefined> {
  return db
    .selectFrom('updates as u')
    .innerJoin('stacks as s', 's.id', 'u.stack_id')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .innerJoin('organizations as o', 'o.id', 'p.organization_id')
    .select(['u.lease_token_hash', 'u.lease_expires_at', 'u.status'])
    .where('u.id', '=', updateId)
    .where('o.name', '=', names.organization)
    .where('p.name', '=', names.project)
    .where('s.name', '=', names.stack)
    .executeTakeFirst();
}
