import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * ESC environments: each a series of revisions (definitions whose secrets are ciphertexts of the
 * environment's own data key), named revision tags, key/value tags, and open sessions (what an
 * open evaluated, sealed, until it expires). Data keys are wrapped by the master key; an
 * organization has one too, for the sessions of anonymous (`yaml/open`) environments.
 */
export function migration0012(dialect: DialectInfo): Migration {
  const time = dialect.timeType;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('environments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('modified_at', time, (c) => c.notNull())
        .addColumn('created_by_user_id', 'text')
        .addColumn('latest_revision', 'integer', (c) => c.notNull())
        .addUniqueConstraint('environments_org_name', ['organization_id', 'project', 'name'])
        .execute();

      await db.schema
        .createTable('environment_revisions')
        .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('creator_user_id', 'text')
        .addColumn('retracted_at', time)
        .addColumn('retracted_by_user_id', 'text')
        .addColumn('retracted_replacement', 'integer')
        .addColumn('retracted_reason', 'text')
        .addPrimaryKeyConstraint('environment_revisions_pk', ['environment_id', 'revision'])
        .execute();

      await db.schema
        .createTable('environment_revision_tags')
        .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('modified_at', time, (c) => c.notNull())
        .addColumn('editor_user_id', 'text')
        .addPrimaryKeyConstraint('environment_revision_tags_pk', ['environment_id', 'name'])
        .execute();

      await db.schema
        .createTable('environment_tags')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('modified_at', time, (c) => c.notNull())
        .addColumn('editor_user_id', 'text')
        .addUniqueConstraint('environment_tags_env_name', ['environment_id', 'name'])
        .execute();

      // Owner: an environment's id, or `org:<organization id>` for anonymous sessions.
      await db.schema
        .createTable('environment_keys')
        .addColumn('owner_id', 'text', (c) => c.primaryKey())
        .addColumn('wrapped_key', dialect.binaryType, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('environment_open_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        // Null for an anonymous environment; its sessions are sealed with the organization's key.
        .addColumn('environment_id', 'text')
        .addColumn('key_owner_id', 'text', (c) => c.notNull())
        .addColumn('sealed', dialect.binaryType, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('environment_open_sessions_expiry').on('environment_open_sessions').column('expires_at').execute();
    },
  };
}
