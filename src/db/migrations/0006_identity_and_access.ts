import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * Identity and access: personal, organization and team tokens; teams with members and stack
 * permissions; who created each stack; the organization's default stack permission; audit events.
 */
export function migration0006(dialect: DialectInfo): Migration {
  const time = dialect.timeType;
  return {
    async up(db: Kysely<any>) {
      // Organization and team tokens act as machine identities: users of another kind, whose
      // logins hold a ':' that no person's login can.
      await db.schema.alterTable('users').addColumn('kind', 'text', (c) => c.notNull().defaultTo('person')).execute();

      await db.schema
        .alterTable('organizations')
        .addColumn('default_stack_permission', 'integer', (c) => c.notNull().defaultTo(102))
        .execute();

      await db.schema
        .createTable('teams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addUniqueConstraint('teams_org_name', ['organization_id', 'name'])
        .execute();

      await db.schema
        .createTable('team_members')
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
        .execute();
      await db.schema.createIndex('team_members_user').on('team_members').column('user_id').execute();

      await db.schema
        .createTable('team_stack_permissions')
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
        .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
        .addColumn('permission', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('team_stack_permissions_pk', ['team_id', 'stack_id'])
        .execute();
      await db.schema.createIndex('team_stack_permissions_stack').on('team_stack_permissions').column('stack_id').execute();

      // Stacks created before this migration have no recorded creator.
      await db.schema.alterTable('stacks').addColumn('created_by_user_id', 'text').execute();

      // Tokens of three kinds: rebuilt, since a personal token's owner column becomes optional.
      await db.schema
        .createTable('access_tokens_v2')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
        .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('cascade'))
        .addColumn('name', 'text')
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_by_user_id', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('expires_at', time)
        .addColumn('last_used_at', time)
        .addColumn('revoked_at', time)
        .execute();
      await db
        .insertInto('access_tokens_v2')
        .columns(['id', 'kind', 'user_id', 'description', 'token_hash', 'created_by_user_id', 'created_at', 'last_used_at', 'revoked_at'])
        .expression((eb) =>
          eb
            .selectFrom('access_tokens')
            .select((s) => [
              'id',
              s.val('personal').as('kind'),
              'user_id',
              'description',
              'token_hash',
              'user_id as created_by_user_id',
              'created_at',
              'last_used_at',
              'revoked_at',
            ]),
        )
        .execute();
      await db.schema.dropTable('access_tokens').execute();
      await db.schema.alterTable('access_tokens_v2').renameTo('access_tokens').execute();
      // Names of organization and team tokens are unique in their organization, revoked ones included.
      await db.schema.createIndex('access_tokens_org_name').on('access_tokens').columns(['organization_id', 'name']).unique().execute();
      await db.schema.createIndex('access_tokens_user').on('access_tokens').column('user_id').execute();
      await db.schema.createIndex('access_tokens_team').on('access_tokens').column('team_id').execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('id', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('occurred_at', time, (c) => c.notNull())
        .addColumn('source_ip', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('user_login', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('user_avatar_url', 'text', (c) => c.notNull())
        .addColumn('token_id', 'text')
        .addColumn('token_name', 'text')
        .addColumn('actor_name', 'text')
        .addColumn('req_org_admin', 'integer', (c) => c.notNull())
        .addColumn('req_stack_admin', 'integer', (c) => c.notNull())
        .addColumn('auth_failure', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_org_time').on('audit_events').columns(['organization_id', 'occurred_at', 'id']).execute();
    },
  };
}
