import type { Kysely, Migration } from 'kysely';

/**
 * Stack lists show each stack's last update time, `max(started_at)` of its updates: without this
 * index that read every update the stack ever had, on every list.
 */
export function migration0023(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('updates_stack_started').on('updates').columns(['stack_id', 'started_at']).execute();
    },
  };
}
