import type { TestServer } from './server.js';

/**
 * Marks a stack as held by a running update, as the update protocol does, so that the
 * refusals of delete, rename, transfer and import can be seen before that protocol exists.
 */
export async function holdStackWithRunningUpdate(server: TestServer, org: string, project: string, stack: string) {
  const { db } = server.server.ctx.database;
  const row = await db
    .selectFrom('stacks as s')
    .innerJoin('projects as p', 'p.id', 's.project_id')
    .innerJoin('organizations as o', 'o.id', 'p.organization_id')
    .select(['s.id'])
    .where('o.name', '=', org)
    .where('p.name', '=', project)
    .where('s.name', '=', stack)
    .executeTakeFirstOrThrow();
  const admin = await db.selectFrom('users').select('id').where('login', '=', 'admin').executeTakeFirstOrThrow();
  const now = Date.now();
  await db
    .insertInto('updates')
    .values({
      id: `running-${row.id}`,
      stack_id: row.id,
      kind: 'update',
      status: 'running',
      version: 0,
      author_user_id: admin.id,
      created_at: now,
      started_at: now,
      ended_at: null,
    })
    .execute();
  return {
    updateId: `running-${row.id}`,
    release: async () => {
      await db.updateTable('updates').set({ status: 'succeeded', ended_at: Date.now() }).where('id', '=', `running-${row.id}`).execute();
    },
  };
}
