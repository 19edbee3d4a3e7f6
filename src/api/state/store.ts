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
