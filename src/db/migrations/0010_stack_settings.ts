import type { Kysely, Migration } from 'kysely';

/**
 * Per-stack settings that most stacks never change: notification choices (`…/notifications/settings`)
 * and where the stack's configuration lives when the service holds it (`…/config`, an ESC
 * environment). A stack without a row has the defaults and local configuration.
 */
export function migration0010(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('stack_settings')
        .addColumn('stack_id', 'text', (c) => c.primaryKey())
        .addColumn('notify_update_failure', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('notify_update_success', 'integer', (c) => c.notNull().defaultTo(0))
        // The StackConfig the CLI sent, as JSON; null when the configuration is local.
        .addColumn('config', 'text')
        .execute();
    },
  };
}
