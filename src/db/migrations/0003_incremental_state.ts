import type { Kysely, Migration } from 'kysely';

/**
 * What an update writes between full states: journal entries keep their resource state apart
 * (replay splices the text in unparsed), and delta checkpoints are kept as the deltas, folded
 * into the stored state now and then instead of rewriting it on every save.
 */
export function migration0003(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('update_journal_entries').addColumn('state', 'text').execute();
      await db.schema
        .alterTable('update_journal_entries')
        .addColumn('flags', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('updates')
        .addColumn('materialized_checkpoint_sequence', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('update_checkpoint_deltas')
        .addColumn('update_id', 'text', (c) => c.notNull().references('updates.id').onDelete('cascade'))
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('checkpoint_hash', 'text', (c) => c.notNull())
        .addColumn('delta', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('update_checkpoint_deltas_pk', ['update_id', 'sequence'])
        .execute();
    },
  };
}
