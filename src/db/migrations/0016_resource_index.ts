import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * The resource search index: one row per resource (and per interrupted operation's resource) of
 * every stack's newest state. Kept narrow for scans; what only a page of results needs lives in
 * `resource_index_details`. Stacks and types are numbered in small dictionaries, so a filter on
 * them is a lookup there and an integer comparison here. Times are unix ms, 0 when the state has
 * none. Free text runs on a trigram index of URNs and names: SQLite's FTS5 `trigram` tokenizer,
 * PostgreSQL's pg_trgm (see src/db/text-search.ts).
 */
export function migration0016(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('indexed_stacks')
        .addColumn('key', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('stack_id', 'text', (c) => c.notNull().unique().references('stacks.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('stack', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('indexed_stacks_org').on('indexed_stacks').columns(['organization_id']).execute();

      await db.schema
        .createTable('indexed_types')
        .addColumn('key', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('type', 'text', (c) => c.notNull().unique())
        // `aws:cloudwatch:LogGroup` for `aws:cloudwatch/logGroup:LogGroup`: both find it.
        .addColumn('short', 'text', (c) => c.notNull())
        .addColumn('package', 'text', (c) => c.notNull())
        .addColumn('module', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('resource_index')
        .addColumn('id', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('stack_key', 'integer', (c) => c.notNull())
        .addColumn('type_key', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created', dialect.timeType, (c) => c.notNull())
        .addColumn('modified', dialect.timeType, (c) => c.notNull())
        .addColumn('custom', 'integer', (c) => c.notNull())
        .addColumn('del', 'integer', (c) => c.notNull())
        .addColumn('protected', 'integer', (c) => c.notNull())
        .addColumn('pending', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('version_key', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('resource_index_stack').on('resource_index').columns(['stack_key', 'modified']).execute();
      // In the default order, with what the readable-stack and type tests need: a page is read off
      // this index alone. (A type index would be chosen by SQLite for `package:aws` too, and sort.)
      await db.schema.createIndex('resource_index_modified').on('resource_index').columns(['modified', 'id', 'stack_key', 'type_key']).execute();

      // Rows per stack and type, kept with the rows: counts and facets of queries on stacks and
      // types alone (and of no query) add these up instead of counting up to every row.
      await db.schema
        .createTable('resource_index_counts')
        .addColumn('stack_key', 'integer', (c) => c.notNull())
        .addColumn('type_key', 'integer', (c) => c.notNull())
        .addColumn('resources', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('resource_index_counts_pk', ['stack_key', 'type_key'])
        .execute();
      await db.schema.createIndex('resource_index_counts_type').on('resource_index_counts').columns(['type_key', 'stack_key', 'resources']).execute();

      await db.schema
        .createTable('resource_index_details')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('urn', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('parent_urn', 'text', (c) => c.notNull())
        .addColumn('provider_urn', 'text', (c) => c.notNull())
        // JSON array of URNs.
        .addColumn('dependencies', 'text', (c) => c.notNull())
        // Of the resource's text as the state holds it, with what else its row is made from.
        .addColumn('digest', 'text', (c) => c.notNull())
        // Outputs over inputs, secrets as "[secret]"; JSON.
        .addColumn('properties', 'text', (c) => c.notNull())
        .execute();

      if (dialect.name === 'sqlite') {
        await sql`CREATE VIRTUAL TABLE resource_text USING fts5(urn, name, content='', tokenize='trigram')`.execute(db);
      } else {
        const available = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'pg_trgm'`.execute(db);
        if ((available.rows[0]?.n ?? 0) > 0) {
          await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
          await sql`CREATE INDEX resource_index_details_urn_trgm ON resource_index_details USING gin (urn gin_trgm_ops)`.execute(db);
          await sql`CREATE INDEX resource_index_name_trgm ON resource_index USING gin (name gin_trgm_ops)`.execute(db);
        }
      }
    },
  };
}
