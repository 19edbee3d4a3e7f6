// Upgrades of databases written by earlier builds: what a migration fills in for the rows it finds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { migration0009 } from '../../src/db/migrations/0009_event_urns.js';
import { connectDatabase } from '../../src/db/open.js';
import { databaseUrlOf } from '../helpers/database.js';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

describe('0009_event_urns', () => {
  it('gives the engine events stored before it the URN each concerns', async () => {
    const server = await startTestServer();
    const urn = 'urn:pulumi:dev::proj::test:index:Thing::a';
    let updateId = '';
    try {
      const api = new ApiClient(server.url, server.adminToken);
      await createStack(api, 'stackyard', 'proj', 'dev');
      const update = await beginUpdate(api, '/api/stacks/stackyard/proj/dev');
      updateId = update.updateId;
      const events = [
        { sequence: 0, timestamp: 1, preludeEvent: { config: {} } },
        { sequence: 1, timestamp: 1, resourcePreEvent: { metadata: { op: 'create', urn, type: 'test:index:Thing', provider: '' } } },
        ...Array.from({ length: 1500 }, (_, i) => ({ sequence: i + 2, timestamp: 1, diagnosticEvent: { urn, message: `${i}`, color: 'raw', severity: 'info' } })),
      ];
      const stored = await api.post(`/api/stacks/stackyard/proj/dev/update/${updateId}/events/batch`, { events }, withLease(update.token));
      assert.equal(stored.status, 200, stored.text);

      // As an earlier build left it: no URN column (the server is idle). The migration runs by
      // itself, as the later ones have already run here.
      const handle = await connectDatabase(await databaseUrlOf(server.dataDir));
      try {
        const db = handle.db as unknown as Kysely<any>;
        await db.schema.alterTable('update_events').dropColumn('urn').execute();
        await migration0009().up(db);
        const rows = await db.selectFrom('update_events').select(['sequence', 'urn']).where('update_id', '=', updateId).orderBy('sequence').execute();
        assert.equal(rows.length, 1502);
        assert.deepEqual(rows.slice(0, 3).map((row) => [Number(row.sequence), row.urn]), [[0, null], [1, urn], [2, urn]]);
        assert.equal(rows.filter((row) => row.urn === urn).length, 1501);
      } finally {
        await handle.db.destroy();
      }
    } finally {
      await server.close();
    }
  });
});
