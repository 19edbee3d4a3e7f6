import type { Executor } from '../../db/executor.js';
import { preparedQuery } from '../../db/prepared.js';
import type { StackVersionsTable } from '../../db/schema.js';

export type StackVersionRow = StackVersionsTable;

export async function insertStackVersion(db: Executor, row: StackVersionRow): Promise<void> {
  await db.insertInto('stack_versions').values(row).execute();
}

/** The row of one version, or of the newest one when `version` is omitted. */
// Prepared: every export and read of a state starts here.
const newestVersion = preparedQuery((db: Executor, stackId: string) =>
  db.selectFrom('stack_versions').selectAll().where('stack_id', '=', stackId).orderBy('version', 'desc').limit(1),
);
const versionOf = preparedQuery((db: Executor, stackId: string, version: number) =>
  db.selectFrom('stack_versions').selectAll().where('stack_id', '=', stackId).where('version', '=', version),
);

export async function findStackVersion(db: Executor, stackId: string, version?: number): Promise<StackVersionRow | undefined> {
  const [row] = version === undefined ? await newestVersion(db, stackId) : await versionOf(db, stackId, version);
  return row && { ...row, resource_count: Number(row.resource_count) };
}

/** Starts `toVersion` as a copy of the newest stored state, inside the database; false when there is none to copy. */
export async function copyStackVersion(db: Executor, stackId: string, toVersion: number, createdAt: number): Promise<boolean> {
  const result = await db
    .insertInto('stack_versions')
    .columns(['stack_id', 'version', 'deployment_key', 'resource_count', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('stack_versions as source')
        .select((s) => [
          'source.stack_id',
          s.val(toVersion).as('version'),
          'source.deployment_key',
          'source.resource_count',
          s.val(createdAt).as('created_at'),
        ])
        .where('source.stack_id', '=', stackId)
        // Qualified: a bare "version" here would name the constant selected above.
        .orderBy('source.version', 'desc')
        .limit(1),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Points a version that an update is writing at other bytes. */
export async function writeStackVersion(db: Executor, stackId: string, version: number, deploymentKey: string, createdAt: number) {
  await db
    .insertInto('stack_versions')
    .values({ stack_id: stackId, version, deployment_key: deploymentKey, resource_count: 0, created_at: createdAt })
    .onConflict((oc) => oc.columns(['stack_id', 'version']).doUpdateSet({ deployment_key: deploymentKey }))
    .execute();
}

export async function setResourceCount(db: Executor, stackId: string, version: number, resourceCount: number) {
  await db
    .updateTable('stack_versions')
    .set({ resource_count: resourceCount })
    .where('stack_id', '=', stackId)
    .where('version', '=', version)
    .execute();
}

/** The newest version stored before `version`: what an update at `version` started from. */
export async function findStackVersionBefore(db: Executor, stackId: string, version: number): Promise<{ deployment_key: string } | undefined> {
  return db
    .selectFrom('stack_versions')
    .select('deployment_key')
    .where('stack_id', '=', stackId)
    .where('version', '<', version)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}
