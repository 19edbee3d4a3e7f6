import { insertBatches } from '../../db/batches.js';
import type { Executor } from '../../db/executor.js';
import type { AuditEventsTable } from '../../db/schema.js';

export type AuditEventRow = Omit<AuditEventsTable, 'id'> & { id: number };
export type NewAuditEvent = Omit<AuditEventsTable, 'id'>;

export async function insertAuditEvent(db: Executor, event: NewAuditEvent): Promise<void> {
  await db.insertInto('audit_events').values(event).execute();
}

export async function insertAuditEvents(db: Executor, events: NewAuditEvent[]): Promise<void> {
  for await (const batch of insertBatches(events)) await db.insertInto('audit_events').values(batch).execute();
}

/** Where a page ends: the newest-first order is (occurred_at, id) descending. */
export interface AuditCursor {
  occurredAt: number;
  id: number;
}

export interface AuditEventQuery {
  organizationId: string;
  /** Inclusive bounds on occurred_at, in milliseconds. */
  fromMs?: number;
  untilMs?: number;
  userId?: string;
  event?: string;
  /** Only events older than this one. */
  before?: AuditCursor;
  limit: number;
}

/** An organization's events, newest first, over the (organization_id, occurred_at, id) index. */
export async function listAuditEvents(db: Executor, query: AuditEventQuery): Promise<AuditEventRow[]> {
  let select = db.selectFrom('audit_events').selectAll().where('organization_id', '=', query.organizationId);
  if (query.fromMs !== undefined) select = select.where('occurred_at', '>=', query.fromMs);
  if (query.untilMs !== undefined) select = select.where('occurred_at', '<=', query.untilMs);
  if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
  if (query.event !== undefined) select = select.where('event', '=', query.event);
  const before = query.before;
  if (before) {
    select = select.where((eb) =>
      eb.or([eb('occurred_at', '<', before.occurredAt), eb.and([eb('occurred_at', '=', before.occurredAt), eb('id', '<', before.id)])]),
    );
  }
  return select.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
}
