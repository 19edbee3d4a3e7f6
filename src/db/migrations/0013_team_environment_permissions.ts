import type { Kysely, Migration } from 'kysely';

/** What a team may do with an environment (1 read, 2 open, 3 write, 4 admin), and how long it may keep one open. */
export function migration0013(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('team_environment_permissions')
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
        .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
        .addColumn('permission', 'integer', (c) => c.notNull())
        // A Go duration string; null: no limit beyond the server's.
        .addColumn('max_open_duration', 'text')
        .addPrimaryKeyConstraint('team_environment_permissions_pk', ['team_id', 'environment_id'])
        .execute();
      await db.schema.createIndex('team_environment_permissions_env').on('team_environment_permissions').column('environment_id').execute();
    },
  };
}
