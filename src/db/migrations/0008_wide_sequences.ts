import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * Journal entries' sequence and operation ids and engine events' sequence numbers are chosen by the
 * client, which may count past 2^31 (the API allows any whole number up to 2^53). SQLite integers
 * are already 64-bit; PostgreSQL's `integer` columns become `bigint`.
 */
export function migration0008(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect.name !== 'postgres') return;
      await sql`alter table update_journal_entries alter column sequence_id type bigint, alter column operation_id type bigint`.execute(db);
      await sql`alter table update_events alter column sequence type bigint`.execute(db);
    },
  };
}
