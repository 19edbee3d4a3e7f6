import type { Executor } from '../../db/executor.js';
import type { StackVersionsTable } from '../../db/schema.js';

export type StackVersionRow = StackVersionsTable;

export async function insertStackVersion(db: Executor, row: StackVersionRow): Promise<void> {
  await db.insertInto('stack_versions').values(row).execute();
}

/** The checkpoint of one version, or the newest one when `version` is omitted. */
export async function findStackVersion(
  db: Executor,
  stackId: string,
  version?: number,
): Promise<(StackVersionRow & { deployment: Buffer }) | undefined> {
  let query = db.selectFrom('stack_versions').selectAll().where('stack_id', '=', stackId);
  query = version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  return row && { ...row, deployment: toBuffer(row.deployment), resource_count: Number(row.resource_count) };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Starts `toVersion` as a copy of the newest stored state, inside the database. */
export async function copyStackVersion(db: Executor, stackId: string, toVersion: number, createdAt: number): Promise<void> {
  await db
    .insertInto('stack_versions')
    .columns(['stack_id', 'version', 'deployment', 'resource_count', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('stack_versions as source')
        .select((s) => [
          'source.stack_id',
          s.val(toVersion).as('version'),
          'source.deployment',
          'source.resource_count',
          s.val(createdAt).as('created_at'),
        ])
        .where('source.stack_id', '=', stackId)
        // Qualified: a bare "version" here would name the constant selected above.
        .orderBy('source.version', 'desc')
        .limit(1),
    )
    .execute();
}

/** Replaces the bytes of a version that an update is writing. */
export async function writeStackVersion(db: Executor, stackId: string, version: number, deployment: Buffer, createdAt: number) {
  await db
    .insertInto('stack_versions')
    .values({ stack_id: stackId, version, deployment, resource_count: 0, created_at: createdAt })
    .onConflict((oc) => oc.columns(['stack_id', 'version']).doUpdateSet({ deployment }))
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

/** The newest state stored before `version`: what an update at `version` started from. */
export async function findStackVersionBefore(db: Executor, stackId: string, version: number) {
  const row = await db
    .selectFrom('stack_versions')
    .select('deployment')
    .where('stack_id', '=', stackId)
    .where('version', '<', version)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { deployment: toBuffer(row.deployment) };
}
