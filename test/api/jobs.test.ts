import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DatabaseHandle } from '../../src/db/dialect.js';
import { connectDatabase } from '../../src/db/open.js';
import { createLogger } from '../../src/context.js';
import { JobRunner, enqueueJob, type JobHandlers } from '../../src/jobs/runner.js';
import { claimJob, listJobs } from '../../src/jobs/store.js';
import { ManualClock } from '../helpers/clock.js';
import { databaseUrlOf, testDatabase } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
/**
 * Two connection pools to the server's database on PostgreSQL, as two processes have. On SQLite
 * both runners share one connection: better-sqlite3 waits for a lock synchronously, so a second
 * connection in the same process would wait on the first without letting it finish.
 */
const handles: DatabaseHandle[] = [];
const clock = new ManualClock();

before(async () => {
  server = await startTestServer();
  const url = await databaseUrlOf(server.dataDir);
  const first = await connectDatabase(url);
  handles.push(first, testDatabase === 'postgres' ? await connectDatabase(url) : first);
  // The server's own runner would take these tests' jobs; it has none of their kinds, so stop it.
  await server.server.ctx.jobs.stop();
});
after(async () => {
  for (const handle of new Set(handles)) await handle.db.destroy();
  await server.close();
});

const runner = (database: DatabaseHandle, handlers: JobHandlers) => new JobRunner({ database, clock, logger: createLogger('silent'), handlers });

describe('the job table', () => {
  it('gives each job to exactly one of two runners working through it together', async () => {
    const ran: Array<[string, number]> = [];
    const counting = (name: string): JobHandlers => ({
      count: async (payload) => {
        ran.push([name, (payload as { n: number }).n]);
        await new Promise((resolve) => setTimeout(resolve, 10));
      },
    });
    for (let n = 0; n < 30; n++) await enqueueJob(handles[0]!.db, clock, 'count', { n });
    const [first, second] = await Promise.all([runner(handles[0]!, counting('first')).drain(), runner(handles[1]!, counting('second')).drain()]);
    assert.equal(first + second, 30);
    assert.deepEqual(ran.map(([, n]) => n).sort((a, b) => a - b), Array.from({ length: 30 }, (_, n) => n));
    assert.ok(first > 0 && second > 0, `both took jobs: ${first} and ${second}`);
    assert.deepEqual(await listJobs(handles[0]!.db), []);
  });

  it('puts a failed job off with its error, and runs it again once it is due', async () => {
    let calls = 0;
    const flaky = runner(handles[0]!, {
      flaky: async () => {
        if (++calls === 1) throw new Error('the bucket did not answer');
      },
    });
    await enqueueJob(handles[0]!.db, clock, 'flaky', {});
    assert.equal(await flaky.drain(), 1);
    const [failed] = await listJobs(handles[0]!.db);
    assert.deepEqual([Number(failed!.attempts), failed!.last_error, failed!.locked_until], [1, 'the bucket did not answer', null]);
    assert.equal(Number(failed!.run_after), clock.now() + 2000);
    assert.equal(await flaky.drain(), 0, 'not due yet');
    clock.advance(2000);
    assert.equal(await flaky.drain(), 1);
    assert.equal(calls, 2);
    assert.deepEqual(await listJobs(handles[0]!.db), []);
  });

  it('leaves a job that a process holds to it until the hold runs out, as when that process died', async () => {
    const ran: string[] = [];
    await enqueueJob(handles[0]!.db, clock, 'held', {});
    // Another process claimed it and died.
    const claimed = await handles[1]!.db.transaction().execute((tx) => claimJob(tx, handles[1]!.dialect, clock.now(), clock.now() + 5 * 60_000));
    assert.equal(claimed?.kind, 'held');
    const survivor = runner(handles[0]!, { held: async () => void ran.push('held') });
    assert.equal(await survivor.drain(), 0);
    clock.advance(5 * 60_000);
    assert.equal(await survivor.drain(), 1);
    assert.deepEqual(ran, ['held']);
  });

  if (testDatabase === 'postgres') {
    it('passes over the job another process is claiming instead of waiting for it (FOR UPDATE SKIP LOCKED)', async () => {
      for (const n of [1, 2]) await enqueueJob(handles[0]!.db, clock, 'skip', { n });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let claimedFirst!: (job: unknown) => void;
      const firstClaim = new Promise<any>((resolve) => (claimedFirst = resolve));
      // One process has claimed the first job and has not committed yet.
      const slow = handles[1]!.db.transaction().execute(async (tx) => {
        claimedFirst(await claimJob(tx, handles[1]!.dialect, clock.now(), clock.now() + 60_000));
        await released;
      });
      const held = await firstClaim;
      const claiming = handles[0]!.db.transaction().execute((tx) => claimJob(tx, handles[0]!.dialect, clock.now(), clock.now() + 60_000));
      const other = await Promise.race([claiming, new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000))]);
      release();
      await Promise.all([slow, claiming]);
      assert.deepEqual([JSON.parse(held.payload).n, typeof other === 'string' ? other : JSON.parse((other as { payload: string }).payload).n], [1, 2]);
      await handles[0]!.db.deleteFrom('jobs').execute();
    });
  }

  it('keeps a job of a kind this build does not know, with the reason', async () => {
    await enqueueJob(handles[0]!.db, clock, 'from-a-newer-build', {});
    assert.equal(await runner(handles[0]!, {}).drain(), 1);
    const [kept] = await listJobs(handles[0]!.db);
    assert.equal(kept!.last_error, "no handler for jobs of kind 'from-a-newer-build'");
    await handles[0]!.db.deleteFrom('jobs').execute();
  });
});
