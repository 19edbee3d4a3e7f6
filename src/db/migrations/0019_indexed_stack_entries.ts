import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * What index maintenance matches a stack's next state against (each row's id, digest, URN, type,
 * pending operation, and a provider's id and version), kept as one value per stack beside the
 * digest of the state it was indexed from, so that an update reads one row instead of a thousand
 * and needs no row of a resource that merely changed. Kept apart from `indexed_stacks`, which
 * searches scan. A stack without a row here (indexed before this migration) has its rows read
 * once, at its next update. PostgreSQL compresses the value with lz4 where it has it, several
 * times faster to write than its default.
 */
export function migration0019(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('indexed_stack_entries')
        .addColumn('stack_key', 'integer', (c) => c.primaryKey())
        .addColumn('state_digest', 'text', (c) => c.notNull())
        .addColumn('entries', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('indexed_stacks').dropColumn('state_digest').execute();
      if (dialect.name === 'postgres') {
        const lz4 = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`.execute(db);
        if ((lz4.rows[0]?.n ?? 0) > 0) await sql`ALTER TABLE indexed_stack_entries ALTER COLUMN entries SET COMPRESSION lz4`.execute(db);
      }
    },
  };
}
