import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/** What the update protocol keeps: programs, leases, checkpoint sequence, journals, engine events, secrets keys. */
export function migration0002(dialect: DialectInfo): Migration {
  const time = dialect.timeType;
  return {
    async up(db: Kysely<any>) {
      const addColumn = (name: string, type: 'text' | 'integer' | 'bigint', defaultValue?: string | number) =>
        db.schema
          .alterTable('updates')
          .addColumn(name, type, (c) => (defaultValue === undefined ? c : c.notNull().defaultTo(defaultValue)))
          .execute();
      await addColumn('dry_run', 'integer', 0);
      await addColumn('program', 'text', '{}');
      await addColumn('config', 'text', '{}');
      await addColumn('message', 'text', '');
      await addColumn('environment', 'text', '{}');
      await addColumn('lease_token_hash', 'text');
      await addColumn('lease_expires_at', time);
      await addColumn('checkpoint_sequence', 'integer', 0);
      await addColumn('resource_changes', 'text');
      await addColumn('resource_count', 'integer');
      await addColumn('cli_version', 'text', '');
      await addColumn('journal_version', 'integer', 0);
      await addColumn('journal_entry_count', 'integer', 0);
      await addColumn('materialized_entry_count', 'integer', 0);

      await db.schema
        .createTable('update_events')
        .addColumn('update_id', 'text', (c) => c.notNull().references('updates.id').onDelete('cascade'))
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('update_events_pk', ['update_id', 'sequence'])
        .execute();

      await db.schema
        .createTable('update_journal_entries')
        .addColumn('update_id', 'text', (c) => c.notNull().references('updates.id').onDelete('cascade'))
        .addColumn('sequence_id', 'integer', (c) => c.notNull())
        .addColumn('kind', 'integer', (c) => c.notNull())
        .addColumn('operation_id', 'integer', (c) => c.notNull())
        .addColumn('entry', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('update_journal_entries_pk', ['update_id', 'sequence_id'])
        .execute();

      await db.schema
        .createTable('stack_secret_keys')
        .addColumn('stack_id', 'text', (c) => c.primaryKey().references('stacks.id').onDelete('cascade'))
        .addColumn('wrapped_key', dialect.binaryType, (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
    },
  };
}
