import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { findStackVersionBefore, writeStackVersion } from '../state/store.js';
import { replayJournal, type JournalEntry, type JournalRecord } from './journal.js';
import { changeUpdate, listJournalEntries, type UpdateRow } from './store.js';

/**
 * Folds a journaling update's entries into the state stored for its version, on top of the state
 * it started from. The sequence materialised is recorded, so reads between entries replay once.
 */
export async function materializeJournal(tx: Executor, clock: Clock, update: UpdateRow): Promise<void> {
  if (update.journal_version === 0 || update.materialized_entry_count >= update.journal_entry_count) return;
  const base = await findStackVersionBefore(tx, update.stack_id, update.version);
  const baseDeployment = base ? (JSON.parse(base.deployment.toString('utf8')) as { deployment?: Record<string, unknown> }).deployment : undefined;
  const records = (await listJournalEntries(tx, update.id)).map(
    (row): JournalRecord => ({ kind: row.kind, operationID: row.operation_id, entry: () => JSON.parse(row.entry) as JournalEntry }),
  );
  const cliVersion = update.cli_version || String((baseDeployment?.['manifest'] as { version?: string } | undefined)?.version ?? '');
  const bytes = replayJournal(baseDeployment, records, cliVersion, clock.now());
  await writeStackVersion(tx, update.stack_id, update.version, bytes, clock.now());
  await changeUpdate(tx, update.id, { materialized_entry_count: update.journal_entry_count });
}
