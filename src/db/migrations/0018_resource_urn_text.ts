import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * Free text finds a resource by its URN, stack or project. A URN begins with its stack and project
 * (`urn:pulumi:<stack>::<project>::`), so the text index held each stack's names once per resource:
 * a word in a stack's name matched all its rows there, to be counted one by one. The index now
 * holds `urn_text`, the URN after that prefix when it names the row's own stack and project (else
 * the whole URN, as for a state copied from elsewhere), and a query finds the prefix's words among
 * the stacks instead (src/api/search/store.ts). SQLite's text table is made again over it;
 * PostgreSQL's trigram index moves to it.
 *
 * Protected resources are few; their own index serves `protected:true` and a version range on them.
 * Each indexed stack keeps the digest of the resources it was indexed from, so that a state whose
 * resources did not change (a no-op update) costs one comparison.
 */
export function migration0018(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      await sql`ALTER TABLE resource_index_details ADD COLUMN urn_text text NOT NULL DEFAULT ''`.execute(db);
      const prefix = sql`('urn:pulumi:' || s.stack || '::' || s.project || '::')`;
      await sql`UPDATE resource_index_details SET urn_text = coalesce((
          SELECT CASE WHEN substr(resource_index_details.urn, 1, length(${prefix})) = ${prefix}
                      THEN substr(resource_index_details.urn, length(${prefix}) + 1) ELSE resource_index_details.urn END
          FROM resource_index r JOIN indexed_stacks s ON s.key = r.stack_key WHERE r.id = resource_index_details.id), urn)`.execute(db);
      if (dialect.name === 'sqlite') {
        await sql`DROP TABLE resource_text`.execute(db);
        await sql`CREATE VIRTUAL TABLE resource_text USING fts5(urn_text, name, content='', tokenize='trigram')`.execute(db);
        await sql`INSERT INTO resource_text(rowid, urn_text, name) SELECT r.id, d.urn_text, r.name FROM resource_index r JOIN resource_index_details d ON d.id = r.id`.execute(db);
      } else {
        const installed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_trgm'`.execute(db);
        if ((installed.rows[0]?.n ?? 0) > 0) {
          await sql`DROP INDEX IF EXISTS resource_index_details_urn_trgm`.execute(db);
          await sql`CREATE INDEX resource_index_details_urn_text_trgm ON resource_index_details USING gin (urn_text gin_trgm_ops)`.execute(db);
        }
      }
      await sql`ALTER TABLE indexed_stacks ADD COLUMN state_digest text NOT NULL DEFAULT ''`.execute(db);
      await sql`CREATE INDEX resource_index_protected ON resource_index (version_key, stack_key, modified) WHERE protected = 1`.execute(db);
    },
  };
}
