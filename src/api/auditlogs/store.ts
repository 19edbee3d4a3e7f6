import type { Executor } from '../../db/executor.js';
import type { AuditEventsTable } from '../../db/schema.js';

export type AuditEventRow = AuditEventsTable & { id: number };
export type NewAuditEvent = Omit<AuditEventsTable, 'id'>;

export async function insertAuditEvent(db: Executor, event: NewAuditEvent): Promise<void> {
  await db.insertInto('audit_events').values(event).execute();
}
