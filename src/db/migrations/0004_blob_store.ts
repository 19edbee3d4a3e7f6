import { createHash } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * States move out of `stack_versions` into a blob store, named by the SHA-256 of their bytes
 * (`checkpoints/<hex>`): versions keep only the name. The database's own `blobs` table is the
 * default store, and where states stored before this migration are moved, one at a time.
 */
export function migration0004(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('blobs')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('bytes', dialect.binaryType, (c) => c.notNull())
        .addColumn('created_at', dialect.timeType, (c) => c.notNull())
        .execute();
      await db.schema.alterTable('stack_versions').addColumn('deployment_key', 'text').execute();
      const versions = await db.selectFrom('stack_versions').select(['stack_id', 'version', 'created_at']).execute();
      for (const { stack_id, version, created_at } of versions) {
        const { deployment } = await db
          .selectFrom('stack_versions')
          .select('deployment')
          .where('stack_id', '=', stack_id)
          .where('version', '=', version)
          .executeTakeFirstOrThrow();
        const key = `checkpoints/${createHash('sha256').update(deployment).digest('hex')}`;
        await db
          .insertInto('blobs')
          .values({ key, bytes: deployment, created_at })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
        await db.updateTable('stack_versions').set({ deployment_key: key }).where('stack_id', '=', stack_id).where('version', '=', version).execute();
      }
      await db.schema.alterTable('stack_versions').dropColumn('deployment').execute();
    },
  };
}
