import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

export function migration0001(dialect: DialectInfo): Migration {
  const time = dialect.timeType;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('avatar_url', 'text', (c) => c.notNull())
        .addColumn('site_admin', 'integer', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('organization_members')
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('organization_members_pk', ['organization_id', 'user_id'])
        .execute();
      await db.schema.createIndex('organization_members_user').on('organization_members').column('user_id').execute();

      await db.schema
        .createTable('access_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('last_used_at', time)
        .addColumn('revoked_at', time)
        .execute();

      await db.schema
        .createTable('projects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addUniqueConstraint('projects_org_name', ['organization_id', 'name'])
        .execute();

      await db.schema
        .createTable('stacks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('active_update_id', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addUniqueConstraint('stacks_project_name', ['project_id', 'name'])
        .execute();

      await db.schema
        .createTable('stack_tags')
        .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('stack_tags_pk', ['stack_id', 'name'])
        .execute();
      await db.schema.createIndex('stack_tags_name_value').on('stack_tags').columns(['name', 'value']).execute();

      await db.schema
        .createTable('stack_versions')
        .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('deployment', dialect.binaryType, (c) => c.notNull())
        .addColumn('resource_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('stack_versions_pk', ['stack_id', 'version'])
        .execute();

      await db.schema
        .createTable('updates')
        .addColumn('seq', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('author_user_id', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('started_at', time)
        .addColumn('ended_at', time)
        .execute();
      await db.schema.createIndex('updates_stack').on('updates').columns(['stack_id', 'seq']).execute();
    },
  };
}
