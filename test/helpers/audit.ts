import type { TestServer } from './server.js';

/**
 * Audit rows read straight from the table, for tests of the areas that write them (the audit
 * HTTP API has tests of its own): take a mark before an action, then the events written after it.
 */
export async function auditMark(server: TestServer): Promise<number> {
  const db = server.server.ctx.database.db;
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** The organization's audit events written after `mark`, oldest first. */
export async function auditAfter(server: TestServer, org: string, mark: number) {
  const db = server.server.ctx.database.db;
  const { id } = await db.selectFrom('organizations').select('id').where('name', '=', org).executeTakeFirstOrThrow();
  return db
    .selectFrom('audit_events')
    .select(['event', 'description', 'user_login', 'token_name', 'req_org_admin', 'req_stack_admin', 'auth_failure'])
    .where('organization_id', '=', id)
    .where('id', '>', mark)
    .orderBy('id')
    .execute();
}
