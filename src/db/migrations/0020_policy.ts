import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * Policy as code: packs and their versions (a version's archive is a blob, named once uploaded),
 * policy groups with their stacks and applied pack versions, and the violations runs report.
 *
 * The default group (`is_default`) holds every stack of its organization except those removed
 * from it (`policy_group_exclusions`), so a new stack joins it with nothing written; other groups
 * hold the stacks added to them (`policy_group_stacks`). Both key stacks by id, so a rename keeps
 * them in place, and go with a deleted stack, as its violations do.
 */
export function migration0020(dialect: DialectInfo): Migration {
  const time = dialect.timeType;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('policy_packs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addUniqueConstraint('policy_packs_org_name', ['organization_id', 'name'])
        .execute();

      await db.schema
        .createTable('policy_pack_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pack_id', 'text', (c) => c.notNull().references('policy_packs.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('version_tag', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('runtime', 'text', (c) => c.notNull())
        // JSON: the policies as published, and the rest of the request (description, readme, tags…).
        .addColumn('policies', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        // The archive's blob key, once uploaded; a version is listed and served once complete.
        .addColumn('blob_key', 'text')
        .addColumn('complete', 'integer', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addUniqueConstraint('policy_pack_versions_number', ['pack_id', 'version'])
        .addUniqueConstraint('policy_pack_versions_tag', ['pack_id', 'version_tag'])
        .execute();

      await db.schema
        .createTable('policy_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('agent_pool_id', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addUniqueConstraint('policy_groups_org_name', ['organization_id', 'name'])
        .execute();

      for (const table of ['policy_group_stacks', 'policy_group_exclusions']) {
        await db.schema
          .createTable(table)
          .addColumn('group_id', 'text', (c) => c.notNull().references('policy_groups.id').onDelete('cascade'))
          .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
          .addPrimaryKeyConstraint(`${table}_pk`, ['group_id', 'stack_id'])
          .execute();
        await db.schema.createIndex(`${table}_stack`).on(table).column('stack_id').execute();
      }

      await db.schema
        .createTable('policy_group_packs')
        .addColumn('group_id', 'text', (c) => c.notNull().references('policy_groups.id').onDelete('cascade'))
        .addColumn('pack_id', 'text', (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        // JSON objects as given: config by policy name (or `all`), and ESC environment references.
        .addColumn('config', 'text')
        .addColumn('environments', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('policy_group_packs_pk', ['group_id', 'pack_id'])
        .execute();
      await db.schema.createIndex('policy_group_packs_version').on('policy_group_packs').column('version_id').execute();

      await db.schema
        .createTable('policy_violations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
        .addColumn('update_id', 'text', (c) => c.notNull())
        // The update's version; null for a preview, which makes none.
        .addColumn('stack_version', 'integer')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('policy_pack', 'text', (c) => c.notNull())
        .addColumn('policy_pack_tag', 'text', (c) => c.notNull())
        .addColumn('policy_name', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('resource_urn', 'text', (c) => c.notNull())
        // The URN's type (its last `$` part), which issues are filtered and sorted by.
        .addColumn('resource_type', 'text', (c) => c.notNull())
        // Triage (PolicyIssue.status): `open`, `in_progress`, `ignored` and `by_design` as people set
        // them, `fixed` once a later update reports the policy passed for the resource.
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('assigned_to_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('observed_at', time, (c) => c.notNull())
        .addColumn('modified_at', time, (c) => c.notNull())
        .addUniqueConstraint('policy_violations_key', ['stack_id', 'policy_pack', 'policy_name', 'resource_urn'])
        .execute();
      await db.schema.createIndex('policy_violations_observed').on('policy_violations').columns(['observed_at', 'id']).execute();
    },
  };
}
