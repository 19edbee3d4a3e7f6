import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/** Background work that any server process may claim (src/jobs/). */
export function migration0005(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('run_after', dialect.timeType, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', dialect.timeType)
        .addColumn('last_error', 'text')
        .addColumn('created_at', dialect.timeType, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_run_after').on('jobs').column('run_after').execute();
    },
  };
}
