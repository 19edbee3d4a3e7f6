import { yieldToEventLoop } from '../yield.js';

/**
 * Bound parameters one statement may carry. SQLite's limit (SQLITE_MAX_VARIABLE_NUMBER, 32,766 in
 * the build better-sqlite3 ships) is the lower of the two dialects'; PostgreSQL's is 65,535. Stores
 * do not know their dialect, so every insert keeps under the lower one.
 */
export const maxStatementParameters = 32_766;

/** Bytes of values one statement carries at most, so that a large batch is written in several. */
const maxStatementBytes = 4 * 1024 * 1024;

const sizeOf = (value: unknown) => (typeof value === 'string' || Buffer.isBuffer(value) ? value.length : 8);

/**
 * `rows` in slices small enough that a multi-row insert of each binds at most the parameter limit
 * and about `maxStatementBytes`. SQLite runs each statement on the event loop's thread, so between
 * slices other requests are served.
 */
export async function* insertBatches<T extends object>(rows: T[]): AsyncGenerator<T[]> {
  const columns = Math.max(1, ...rows.slice(0, 1).map((row) => Object.keys(row).length));
  const maxRows = Math.max(1, Math.floor(maxStatementParameters / columns));
  let batch: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = Object.values(row).reduce((sum: number, value) => sum + sizeOf(value), 0);
    if (batch.length > 0 && (batch.length >= maxRows || bytes + size > maxStatementBytes)) {
      yield batch;
      await yieldToEventLoop();
      batch = [];
      bytes = 0;
    }
    batch.push(row);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
