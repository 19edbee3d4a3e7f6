/**
 * Bound parameters one statement may carry. SQLite's limit (SQLITE_MAX_VARIABLE_NUMBER, 32,766 in
 * the build better-sqlite3 ships) is the lower of the two dialects'; PostgreSQL's is 65,535. Stores
 * do not know their dialect, so every insert keeps under the lower one.
 */
export const maxStatementParameters = 32_766;

/** `rows` in slices small enough that a multi-row insert of each binds at most the limit. */
export function insertBatches<T extends object>(rows: T[]): T[][] {
  const columns = Math.max(1, ...rows.slice(0, 1).map((row) => Object.keys(row).length));
  const size = Math.max(1, Math.floor(maxStatementParameters / columns));
  const batches: T[][] = [];
  for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size));
  return batches;
}
