import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * Resources under management: each stack's resource count over time, appended whenever it changes
 * (src/api/usage/). No foreign keys: usage outlives a stack's deletion (recorded as a count of 0)
 * and follows a transfer (0 in the old organization, the count in the new one). Existing installs
 * get their history from every stored version of every stack.
 */
export function migration0017(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('resource_count_history')
        .addColumn('id', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('stack_id', 'text', (c) => c.notNull())
        .addColumn('at', dialect.timeType, (c) => c.notNull())
        .addColumn('resource_count', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('resource_count_history_org_at').on('resource_count_history').columns(['organization_id', 'at']).execute();
      // A stack's last recorded count, looked up on every change of its state.
      await db.schema.createIndex('resource_count_history_stack_at').on('resource_count_history').columns(['stack_id', 'at']).execute();

      await db
        .insertInto('resource_count_history')
        .columns(['organization_id', 'stack_id', 'at', 'resource_count'])
        .expression(
          db
            .selectFrom('stack_versions as v')
            .innerJoin('stacks as s', 's.id', 'v.stack_id')
            .innerJoin('projects as p', 'p.id', 's.project_id')
            .select(['p.organization_id', 'v.stack_id', 'v.created_at', 'v.resource_count'])
            .orderBy('v.created_at')
            .orderBy('v.stack_id')
            .orderBy('v.version'),
        )
        .execute();
    },
  };
}
