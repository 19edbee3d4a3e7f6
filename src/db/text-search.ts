import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Executor } from './executor.js';

/**
 * Substring search on the resource index, the one place where the two databases differ for it.
 * SQLite: an FTS5 table with the `trigram` tokenizer holds the URNs' text (`urn_text`, see
 * migration 0018) and names (contentless, keyed by the index row's id), so a term of three or more characters is a phrase of trigrams there;
 * shorter terms scan. PostgreSQL: pg_trgm indexes on the columns themselves serve `ILIKE`.
 * Both compare ASCII letters without case.
 */
export const isPostgres = (db: Executor) => db.getExecutor().adapter instanceof PostgresAdapter;

/** `%` and `_` are literal in a search term; `\` escapes them. */
export const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `column` (a SQL expression) matches the LIKE pattern without case. */
export function likeNoCase(db: Executor, column: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
  return isPostgres(db) ? sql<boolean>`${column} ILIKE ${pattern} ESCAPE '\\'` : sql<boolean>`${column} LIKE ${pattern} ESCAPE '\\'`;
}

export type TextColumn = 'urn_text' | 'name';

/**
 * The index rows whose `column` contains `term` (without case): a subquery of ids, or undefined
 * when the caller should test the column itself (PostgreSQL, or a term too short for trigrams).
 */
export function textMatchIds(db: Executor, column: TextColumn, term: string): RawBuilder<unknown> | undefined {
  if (isPostgres(db) || [...term].length < 3) return undefined;
  const phrase = `${column} : "${term.replaceAll('"', '""')}"`;
  return sql`SELECT rowid AS id FROM resource_text WHERE resource_text MATCH ${phrase}`;
}

/**
 * `resource_index r` rows whose id `ids` (a subquery of a column `id`) selects. PostgreSQL turns
 * `r.id IN (…)` under OR or NOT into a subplan that it hashes only when small, and otherwise reads
 * the ids again for every row (a common word: for hours); EXISTS becomes a semi- or anti-join, or
 * else a probe by id, never that. SQLite hashes the ids either way, and drives from them.
 */
export function rowIn(db: Executor, ids: RawBuilder<unknown>): RawBuilder<boolean> {
  return isPostgres(db) ? sql<boolean>`EXISTS (SELECT 1 FROM (${ids}) u WHERE u.id = r.id)` : sql<boolean>`r.id IN (${ids})`;
}

/**
 * Makes SQLite read `resource_index r` in the order of `index`, testing each row, where it would
 * rather collect every match of an `IN` set and sort them: right when matches are so many that
 * a page is found among the first rows. PostgreSQL weighs that itself, from its statistics.
 */
export const inIndexOrder = (db: Executor, index: string): RawBuilder<unknown> => (isPostgres(db) ? sql`` : sql`INDEXED BY ${sql.id(index)}`);

/** `column` is one of `values` (found by an earlier statement; any number of them, as one parameter). */
export function anyOf(db: Executor, column: RawBuilder<unknown>, values: number[]): RawBuilder<boolean> {
  return isPostgres(db) ? sql<boolean>`${column} = ANY(${values})` : sql<boolean>`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/** Adds rows to the text index (SQLite; PostgreSQL's indexes follow the columns). */
export async function indexText(tx: Executor, rows: Array<{ id: number; urn_text: string; name: string }>): Promise<void> {
  if (isPostgres(tx) || rows.length === 0) return;
  for (let i = 0; i < rows.length; i += 500) {
    const slice = rows.slice(i, i + 500);
    await sql`INSERT INTO resource_text(rowid, urn_text, name) VALUES ${sql.join(slice.map((r) => sql`(${r.id}, ${r.urn_text}, ${r.name})`))}`.execute(tx);
  }
}

/** Removes rows from the text index; a contentless FTS5 table needs the values it was given. */
export async function unindexText(tx: Executor, rows: Array<{ id: number; urn_text: string; name: string }>): Promise<void> {
  if (isPostgres(tx) || rows.length === 0) return;
  for (let i = 0; i < rows.length; i += 500) {
    const slice = rows.slice(i, i + 500);
    await sql`INSERT INTO resource_text(resource_text, rowid, urn_text, name) VALUES ${sql.join(slice.map((r) => sql`('delete', ${r.id}, ${r.urn_text}, ${r.name})`))}`.execute(tx);
  }
}

/** Empties the text index, for a rebuild. */
export async function clearText(tx: Executor): Promise<void> {
  if (!isPostgres(tx)) await sql`INSERT INTO resource_text(resource_text) VALUES ('delete-all')`.execute(tx);
}

/** Makes the text index hold exactly the index's rows again, whatever happened to it. */
export async function rebuildText(tx: Executor): Promise<void> {
  if (isPostgres(tx)) return;
  await clearText(tx);
  await sql`INSERT INTO resource_text(rowid, urn_text, name) SELECT r.id, d.urn_text, r.name FROM resource_index r JOIN resource_index_details d ON d.id = r.id`.execute(tx);
}

/**
 * `count` consecutive new ids for `resource_index`, taken before the rows are written so that
 * the rows of its other tables can name them. PostgreSQL draws them from the column's sequence;
 * SQLite has one writer at a time, so the next ids after the largest are free.
 */
export async function allocateResourceIds(tx: Executor, count: number): Promise<number[]> {
  if (count === 0) return [];
  if (isPostgres(tx)) {
    const result = await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence('resource_index', 'id')) AS id FROM generate_series(1, ${count})`.execute(tx);
    return result.rows.map((r) => Number(r.id));
  }
  const result = await sql<{ id: number | null }>`SELECT max(id) AS id FROM resource_index`.execute(tx);
  const start = (result.rows[0]?.id ?? 0) + 1;
  return Array.from({ length: count }, (_, i) => start + i);
}
