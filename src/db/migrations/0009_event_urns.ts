import type { Kysely, Migration } from 'kysely';
import { eventUrn } from '../../api/updates/events.js';

/**
 * Engine events carry the URN of the resource they concern (`GET …/events?urn=` filters on it):
 * a column of its own, filled for the events stored before it existed.
 */
export function migration0009(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('update_events').addColumn('urn', 'text').execute();
      let after = { update_id: '', sequence: -1 };
      for (;;) {
        const rows = await db
          .selectFrom('update_events')
          .select(['update_id', 'sequence', 'event'])
          .where((eb) =>
            eb.or([eb('update_id', '>', after.update_id), eb.and([eb('update_id', '=', after.update_id), eb('sequence', '>', after.sequence)])]),
          )
          .orderBy('update_id')
          .orderBy('sequence')
          .limit(1000)
          .execute();
        if (rows.length === 0) return;
        for (const row of rows) {
          const urn = eventUrn(JSON.parse(row.event));
          if (urn) await db.updateTable('update_events').set({ urn }).where('update_id', '=', row.update_id).where('sequence', '=', row.sequence).execute();
        }
        const last = rows[rows.length - 1]!;
        after = { update_id: last.update_id, sequence: Number(last.sequence) };
      }
    },
  };
}
