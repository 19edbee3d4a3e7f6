import type { Executor } from './executor.js';
import { preparedQuery } from './prepared.js';

// Every authenticated request reads it.
const generationRow = preparedQuery((db: Executor) => db.selectFrom('access_generation').select('value').where('id', '=', 1));

/** The access generation (migration 0022): it changes whenever tokens, organizations, memberships or teams do. */
export async function readAccessGeneration(db: Executor): Promise<number> {
  const [row] = await generationRow(db);
  if (!row) throw new Error('the access generation row is missing (migration 0022)');
  return Number(row.value);
}
