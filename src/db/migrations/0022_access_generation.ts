import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * One counter that every change to who-may-do-what bumps, from any process: triggers on the
 * tables that tokens, organizations, memberships and teams live in. A server keeps what it looked
 * up of them in memory for as long as the counter stays put (src/auth/access-cache.ts), so a
 * request reads one row instead of five, and a revocation on another replica is seen at once.
 *
 * A token's insert and its last-used bookkeeping do not bump it: nothing cached can depend on a
 * token not yet seen, and last use changes nothing about access.
 */
const watched: { table: string; events: string; sqliteEvents: string[] }[] = [
  {
    table: 'access_tokens',
    events: 'UPDATE OF kind, user_id, organization_id, team_id, admin, token_hash, expires_at, revoked_at, scope_stack_id, scope_deployment_id OR DELETE',
    sqliteEvents: ['UPDATE OF kind, user_id, organization_id, team_id, admin, token_hash, expires_at, revoked_at, scope_stack_id, scope_deployment_id', 'DELETE'],
  },
  ...['users', 'organizations', 'organization_members', 'teams', 'team_members', 'team_stack_permissions'].map((table) => ({
    table,
    events: 'INSERT OR UPDATE OR DELETE',
    sqliteEvents: ['INSERT', 'UPDATE', 'DELETE'],
  })),
];

export function migration0022(dialect: DialectInfo): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('access_generation')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('value', dialect.timeType, (c) => c.notNull())
        .execute();
      await db.insertInto('access_generation').values({ id: 1, value: 0 }).execute();
      if (dialect.name === 'postgres') {
        await sql`CREATE FUNCTION bump_access_generation() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; RETURN NULL; END $$`.execute(db);
        for (const { table, events } of watched) {
          await sql
            .raw(`CREATE TRIGGER ${table}_access_generation AFTER ${events} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bump_access_generation()`)
            .execute(db);
        }
        return;
      }
      for (const { table, sqliteEvents } of watched) {
        for (const [index, event] of sqliteEvents.entries()) {
          await sql
            .raw(`CREATE TRIGGER ${table}_access_generation_${index} AFTER ${event} ON ${table} BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END`)
            .execute(db);
        }
      }
    },
  };
}
