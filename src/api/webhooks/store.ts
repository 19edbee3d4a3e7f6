import type { Insertable, Selectable, Updateable } from 'kysely';
import type { WebhookDeliveriesTable, WebhooksTable } from '../../db/schema.js';
import type { Executor } from '../../db/executor.js';

export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/** The scope key of a hook (see migration 0014): names are unique within one. */
export const scopeKey = (scope: { stackId?: string; environmentId?: string }) =>
  scope.stackId ? `stack:${scope.stackId}` : scope.environmentId ? `env:${scope.environmentId}` : 'org';

export async function listWebhooks(db: Executor, organizationId: string, key: string): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().where('organization_id', '=', organizationId).where('scope_key', '=', key).orderBy('created_at').orderBy('name').execute();
}

export async function findWebhook(db: Executor, organizationId: string, key: string, name: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('organization_id', '=', organizationId).where('scope_key', '=', key).where('name', '=', name).executeTakeFirst();
}

export async function findWebhookById(db: Executor, id: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The active hooks an event in these scopes may go to: the organization's, and the stack's or environment's own. */
export async function activeWebhooksFor(db: Executor, organizationId: string, keys: string[]): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('scope_key', 'in', keys)
    .where('active', '=', 1)
    .orderBy('id')
    .execute();
}

/** Whether the organization has any active hook, of any scope. */
export async function hasActiveWebhooks(db: Executor, organizationId: string): Promise<boolean> {
  const row = await db.selectFrom('webhooks').select('id').where('organization_id', '=', organizationId).where('active', '=', 1).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function insertWebhook(db: Executor, row: Insertable<WebhooksTable>): Promise<void> {
  await db.insertInto('webhooks').values(row).execute();
}

export async function changeWebhook(db: Executor, id: string, change: Updateable<WebhooksTable>): Promise<void> {
  await db.updateTable('webhooks').set(change).where('id', '=', id).execute();
}

export async function deleteWebhook(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
  await db.deleteFrom('webhooks').where('id', '=', id).execute();
}

/** Removes a stack's or an environment's hooks with their deliveries, in the deletion's transaction. */
export async function deleteWebhooksOf(db: Executor, owner: { stackId: string } | { environmentId: string }): Promise<void> {
  const hooks = db
    .selectFrom('webhooks')
    .select('id')
    .where('stackId' in owner ? 'stack_id' : 'environment_id', '=', 'stackId' in owner ? owner.stackId : owner.environmentId);
  await db.deleteFrom('webhook_deliveries').where('webhook_id', 'in', hooks).execute();
  await db.deleteFrom('webhooks').where('id', 'in', hooks).execute();
}

/** A stack's hooks follow it to another organization. */
export async function moveStackWebhooks(db: Executor, stackId: string, organizationId: string): Promise<void> {
  await db.updateTable('webhooks').set({ organization_id: organizationId }).where('stack_id', '=', stackId).execute();
}

export async function insertDelivery(db: Executor, row: Insertable<WebhookDeliveriesTable>): Promise<void> {
  await db.insertInto('webhook_deliveries').values(row).execute();
}

/** The hook's latest attempts, newest first. */
export async function listDeliveries(db: Executor, webhookId: string, limit: number): Promise<DeliveryRow[]> {
  return db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit).execute();
}

/** The latest attempt of one event to the hook. */
export async function findDelivery(db: Executor, webhookId: string, eventId: string): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .where('event_id', '=', eventId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Keeps the newest `keep` attempts of a hook. */
export async function pruneDeliveries(db: Executor, webhookId: string, keep: number): Promise<void> {
  const cutoff = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('webhook_id', '=', webhookId)
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (cutoff) await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', webhookId).where('id', '<=', cutoff.id).execute();
}
