import type { BlobStore } from '../../blobs/blob-store.js';
import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { loadStackVersion, loadStateBefore, writeStackState } from '../state/versions.js';
import { applyDelta } from './delta.js';
import type { CheckedFullCheckpoint } from './full-checkpoint.js';
import { PieceText } from './piece-text.js';
import type { StateLayout } from './state-layout.js';
import { begunOperationsToLoad, recordOfRow, replayJournal, UnreplayableError } from './journal.js';
import { changeUpdate, deleteCheckpointDeltas, insertCheckpointDelta, listBegunEntries, listCheckpointDeltas, listJournalEntries, type UpdateRow } from './store.js';

/** Running updates whose latest checkpoint text this process keeps; more is read from the database. */
const workingLimit = 32;
/** Edits kept apart before the whole text is stored again: rewriting a large state on every save costs more than the edits save. */
const deltasBetweenWholeStates = 64;

/** An update's newest checkpoint as this process last saved it, with what the next save is checked against. */
export interface WorkingCheckpoint {
  sequence: number;
  text: PieceText;
  /** Where the text's resources lie (verbatim and delta checkpoints). */
  layout?: StateLayout;
  /** The body it came in (full checkpoints). */
  full?: CheckedFullCheckpoint;
}

/**
 * Brings the stored state of an update's version up to date with what the update sent apart from
 * it: journal entries, replayed on top of the state it started from, and delta checkpoints,
 * applied to the last text stored whole. Reads during an update and its end call this, so the
 * deltas and entries are folded in once, not on every save.
 *
 * It also keeps the newest checkpoint text of running updates in memory, keyed by sequence, so a
 * delta applies without reading the state back; the sequence in the database says whether the
 * copy is current (another process may have served the update since).
 */
export class StateMaterializer {
  private readonly working = new Map<string, WorkingCheckpoint>();

  constructor(private readonly deps: { clock: Clock; blobs: BlobStore }) {}

  /** Returns the stored state's text when this process has it at hand, so callers need not read it back. */
  async materialize(tx: Executor, update: UpdateRow): Promise<Buffer | undefined> {
    if (update.journal_version > 0 && update.materialized_entry_count < update.journal_entry_count) {
      const bytes = await this.replay(tx, update);
      await writeStackState(tx, this.deps.blobs, update.stack_id, update.version, bytes, this.deps.clock.now());
      await changeUpdate(tx, update.id, { materialized_entry_count: update.journal_entry_count });
      return bytes;
    }
    if (update.materialized_checkpoint_sequence < update.checkpoint_sequence) {
      const text = await this.checkpointText(tx, update);
      await this.storeWhole(tx, update, update.checkpoint_sequence, text);
      return text?.bytes();
    }
    return this.textAtHand(update)?.bytes();
  }

  /**
   * The state the update's journal describes, without storing it: what arriving entries are
   * checked against. Throws UnreplayableError naming the entry when it cannot be rebuilt.
   */
  async replay(tx: Executor, update: UpdateRow): Promise<Buffer> {
    const base = await loadStateBefore(tx, this.deps.blobs, update.stack_id, update.version);
    const rows = await listJournalEntries(tx, update.id);
    const begun = await listBegunEntries(tx, update.id, begunOperationsToLoad(rows));
    const records = rows.map((row) => recordOfRow(row.entry === null ? { ...row, entry: begun.get(row.operation_id) ?? null } : row));
    return replayJournal(base, records, update.cli_version, this.deps.clock.now());
  }

  /** The text of the update's newest sequenced checkpoint; undefined before the first. */
  async checkpointText(tx: Executor, update: UpdateRow): Promise<PieceText | undefined> {
    if (update.checkpoint_sequence === 0) return undefined;
    const working = this.textAtHand(update);
    if (working) return working;
    const stored = (await loadStackVersion(tx, this.deps.blobs, update.stack_id, update.version))?.deployment;
    if (!stored) return undefined;
    let text = PieceText.of(stored);
    for (const delta of await listCheckpointDeltas(tx, update.id, update.materialized_checkpoint_sequence)) {
      try {
        text = applyDelta(text, JSON.parse(delta.delta), delta.checkpoint_hash, true).text;
      } catch (error) {
        // A stored delta was accepted once; if it no longer applies the text cannot be rebuilt.
        throw new UnreplayableError(`checkpoint ${delta.sequence}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return text;
  }

  /** Stores `text` as the whole state of the update's version at `sequence`. */
  async storeWhole(tx: Executor, update: UpdateRow, sequence: number, text: PieceText | undefined): Promise<void> {
    if (text) await writeStackState(tx, this.deps.blobs, update.stack_id, update.version, text.bytes(), this.deps.clock.now());
    await deleteCheckpointDeltas(tx, update.id);
    await changeUpdate(tx, update.id, { checkpoint_sequence: sequence, materialized_checkpoint_sequence: sequence });
  }

  /**
   * Stores `text` as the update's checkpoint at `sequence`: as the edits that made it from the
   * previous text (`delta`, JSON, checked by `hash` when rebuilt: the text's SHA-256, or its CRC-32
   * for edits the server found) while few have piled
   * up since the last whole text, else whole.
   */
  async storeSequenced(tx: Executor, update: UpdateRow, sequence: number, text: PieceText, edits?: { delta: string; hash: string }): Promise<void> {
    if (!edits || sequence - update.materialized_checkpoint_sequence >= deltasBetweenWholeStates) {
      await this.storeWhole(tx, update, sequence, text);
      return;
    }
    await insertCheckpointDelta(tx, { update_id: update.id, sequence, checkpoint_hash: edits.hash, delta: edits.delta });
    await changeUpdate(tx, update.id, { checkpoint_sequence: sequence });
  }

  /** Keeps the update's checkpoint at `sequence`, once the transaction that wrote it committed. */
  remember(updateId: string, checkpoint: WorkingCheckpoint): void {
    this.working.delete(updateId);
    this.working.set(updateId, checkpoint);
    if (this.working.size > workingLimit) this.working.delete(this.working.keys().next().value!);
  }

  /** This process's copy of the update's newest checkpoint, if the database says it is current. */
  atHand(update: UpdateRow): WorkingCheckpoint | undefined {
    const kept = this.working.get(update.id);
    return kept?.sequence === update.checkpoint_sequence ? kept : undefined;
  }

  /** This process's copy of the update's newest checkpoint text, if the database says it is current. */
  textAtHand(update: UpdateRow): PieceText | undefined {
    return this.atHand(update)?.text;
  }

  /**
   * The last checkpoint this process saved for the update, current or not: a checked text the
   * next one can be checked against before the update's row is read.
   */
  lastSaved(updateId: string): WorkingCheckpoint | undefined {
    return this.working.get(updateId);
  }

  forget(updateId: string): void {
    this.working.delete(updateId);
  }
}
