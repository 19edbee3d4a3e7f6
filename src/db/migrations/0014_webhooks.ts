import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * Webhooks of an organization, a stack or an environment (`scope_key` says which: `org`,
 * `stack:<id>`, `env:<id>`, so names are unique per scope with no nullable column in the key),
 * and every delivery attempt made to them. A hook's secret is sealed by the master key.
 */
export function migration0014(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('scope_key', 'text', (c) => c.notNull())
        .addColumn('stack_id', 'text')
        .addColumn('environment_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('payload_url', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        // JSON arrays of names.
        .addColumn('filters', 'text', (c) => c.notNull())
        .addColumn('groups', 'text', (c) => c.notNull())
        .addColumn('secret_sealed', dialect.binaryType)
        // hex(sha256(secret)): the `secretCiphertext` clients compare; '' without a secret.
        .addColumn('secret_digest', 'text', (c) => c.notNull())
        .addColumn('created_at', dialect.timeType, (c) => c.notNull())
        .addColumn('updated_at', dialect.timeType, (c) => c.notNull())
        .addUniqueConstraint('webhooks_scope_name', ['organization_id', 'scope_key', 'name'])
        .execute();
      await db.schema.createIndex('webhooks_stack').on('webhooks').column('stack_id').execute();
      await db.schema.createIndex('webhooks_environment').on('webhooks').column('environment_id').execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
        // The event's id: the `Pulumi-Webhook-ID` header, the same for every attempt and redelivery.
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('sent_at', dialect.timeType, (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('request_url', 'text', (c) => c.notNull())
        .addColumn('request_headers', 'text', (c) => c.notNull())
        // 0: no response (the reason is in response_body).
        .addColumn('response_code', 'integer', (c) => c.notNull())
        .addColumn('response_headers', 'text', (c) => c.notNull())
        .addColumn('response_body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_deliveries_hook').on('webhook_deliveries').columns(['webhook_id', 'id']).execute();
      await db.schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').columns(['webhook_id', 'event_id']).execute();
    },
  };
}
