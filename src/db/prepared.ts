import type { Compilable, CompiledQuery } from 'kysely';
import type { Executor } from './executor.js';

/**
 * A query built and compiled by Kysely once, then run with new values: building a query's tree
 * and compiling it to SQL cost more than SQLite takes to run it, on the lookups every request
 * makes. The builder must use its arguments only as bound values, never to choose the query's
 * shape (no `if` on them, no lists of varying length): it is called once, with placeholders.
 */
/**
 * The SQL texts of prepared queries, each with a statement name: PostgreSQL connections prepare
 * them by name once and then only bind and run them (src/db/postgres.ts), as SQLite keeps its
 * compiled statements. Other queries vary too much in text to name.
 */
export const preparedStatementNames = new Map<string, string>();

export function preparedQuery<A extends unknown[], R>(build: (db: Executor, ...args: A) => Compilable<R>): (db: Executor, ...args: A) => Promise<R[]> {
  // One template per dialect: compiled SQL differs between them, not between a database and its transactions.
  const templates = new WeakMap<object, { compiled: CompiledQuery<R>; slots: (number | { value: unknown })[] }>();
  return async (db, ...args) => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      const placeholders = args.map((_, index) => `\u0000prepared argument ${index}\u0000`);
      const compiled = build(db, ...(placeholders as A)).compile();
      const slots = compiled.parameters.map((value) => {
        const index = placeholders.indexOf(value as string);
        return index >= 0 ? index : { value };
      });
      const used = new Set(slots.filter((slot) => typeof slot === 'number'));
      if (used.size !== args.length) throw new Error(`a prepared query must bind each of its ${args.length} arguments as a value: ${compiled.sql}`);
      template = { compiled, slots };
      if (!preparedStatementNames.has(compiled.sql)) preparedStatementNames.set(compiled.sql, `stackyard_prepared_${preparedStatementNames.size + 1}`);
      templates.set(adapter, template);
    }
    const { compiled, slots } = template;
    const parameters = slots.map((slot) => (typeof slot === 'number' ? args[slot] : slot.value));
    return (await db.executeQuery<R>({ ...compiled, parameters })).rows;
  };
}
