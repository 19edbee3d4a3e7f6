import { insertAuditEvent, insertAuditEvents, type NewAuditEvent } from '../api/auditlogs/store.js';
import type { Clock } from '../clock.js';
import type { Executor } from '../db/executor.js';
import { transaction } from '../db/transaction.js';
import { auditRow, type AuditActor, type AuditEntry } from './record.js';

/**
 * Audit events of reads (a state export), written together just after the reads rather than in a
 * transaction each: the CLI exports on every `up`, and that transaction cost more than the export.
 * An event keeps the time of its read. The audit log's readers flush first, so this server's own
 * reads are always listed; another replica's appear within a turn of its event loop. A change
 * still writes its event in its own transaction (recordAudit).
 */
export class DeferredAudit {
  private pending: NewAuditEvent[] = [];
  private scheduled = false;
  private written: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { db: Executor; clock: Clock; onError(error: unknown): void }) {}

  record(caller: AuditActor, entry: AuditEntry): void {
    this.pending.push(auditRow(this.deps.clock, caller, entry));
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Resolves once every event recorded so far is written. */
  flush(): Promise<void> {
    this.written = this.written.then(() => this.writePending());
    return this.written;
  }

  private async writePending(): Promise<void> {
    const events = this.pending.splice(0);
    if (events.length === 0) return;
    try {
      await transaction(this.deps.db, (tx) => insertAuditEvents(tx, events));
    } catch {
      // One event whose organization was deleted meanwhile must not take the others with it.
      for (const event of events) {
        await transaction(this.deps.db, (tx) => insertAuditEvent(tx, event)).catch((error: unknown) => this.deps.onError(error));
      }
    }
  }
}
