import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseHandle } from './dialect.js';
import { preparedStatementNames } from './prepared.js';
import type { Database } from './schema.js';

const int8 = 20;

/** A connection that runs prepared queries (src/db/prepared.ts) as named statements: parsed and planned once per connection. */
class NamedStatementClient extends pg.Client {
  override query(...args: unknown[]): any {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length === 2 ? preparedStatementNames.get(text) : undefined;
    if (name) return super.query({ name, text: text as string, values: values as unknown[] });
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}

/**
 * PostgreSQL through a connection pool. Times are unix milliseconds in bigint columns and counts
 * come back as bigint, which `pg` hands over as strings; both stay far below 2^53, so they are
 * read as numbers, as SQLite gives them.
 */
export function openPostgres(url: string): DatabaseHandle {
  const pool = new pg.Pool({
    Client: NamedStatementClient,
    connectionString: url,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === int8 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  // An idle connection the server drops (restart, failover) must not take the process down.
  pool.on('error', () => {});
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    dialect: {
      name: 'postgres',
      binaryType: 'bytea',
      serialType: 'serial',
      serialPrimaryKey: (column) => column.primaryKey(),
      timeType: 'bigint',
      skipLocked: true,
    },
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
