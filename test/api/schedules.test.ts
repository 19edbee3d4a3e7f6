// Deployment schedules over HTTP: raw (cron or once), drift and TTL schedules created, read, replaced,
// paused, resumed and deleted; firings that queue deployments (no runner here, so they stay
// queued), once across replicas sharing the database, and once on the return of a server that was
// down when a schedule came due.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fireDeploymentSchedule } from '../../src/api/schedules/service.js';
import { enqueueJob } from '../../src/jobs/runner.js';
import { listJobs } from '../../src/jobs/store.js';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { ManualClock } from '../helpers/clock.js';
import { dropDatabase } from '../helpers/database.js';
import { createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startReplica, startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let server: TestServer;
let admin: ApiClient;
let reader: ApiClient;
let org: string;

before(async () => {
  server = await startTestServer();
  admin = new ApiClient(server.url, server.adminToken);
  org = server.org;
  // Members read the organization's stacks and change none: the reader below.
  assert.equal((await admin.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 101 })).status, 200);
  reader = admin.withToken(await createUser(server, 'schedule-reader', { org }));
});
after(() => server.close());

const repo = { sourceContext: { git: { repoUrl: 'file:///srv/repo.git', branch: 'refs/heads/main' } } };
const sqlTimePattern = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;
const sqlTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const fromSqlTime = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);
/** An RFC 3339 time `ms` from now, as clients send it. */
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

let stacks = 0;
/** A stack of the admin's, with deployment settings unless `settings` is false; its API path. */
async function freshStack(api: ApiClient = admin, settings = true): Promise<string> {
  const name = `sched${++stacks}`;
  await createStack(api, org, 'web', name);
  const path = `/api/stacks/${org}/web/${name}`;
  if (settings) assert.equal((await api.post(`${path}/deployments/settings`, { ...repo, operationContext: { environmentVariables: { KEY: { secret: 'settings-secret' } } } })).status, 200);
  return path;
}

async function deploymentsOf(api: ApiClient, path: string) {
  const reply = await api.get(`${path}/deployments?pageSize=100`);
  assert.equal(reply.status, 200, reply.text);
  return reply.body.deployments as Array<{ id: string; status: string; pulumiOperation: string; initiator: string; requestedBy: { githubLogin: string } }>;
}

describe('POST /api/stacks/{org}/{project}/{stack}/deployments/schedules', () => {
  it('creates a cron schedule whose request keeps its secrets sealed, read back by list and get', async () => {
    const path = await freshStack();
    const mark = await auditMark(server);
    const before = Date.now();
    const request = { operation: 'refresh', inheritSettings: true, operationContext: { environmentVariables: { TOKEN: { secret: 'hush' } } } };
    const created = await admin.post(`${path}/deployments/schedules`, { scheduleCron: '0 */4 * * *', request });
    assert.equal(created.status, 200, created.text);
    const schedule = created.body;
    assert.deepEqual(Object.keys(schedule).sort(), ['created', 'definition', 'id', 'kind', 'lastExecuted', 'modified', 'nextExecution', 'orgID', 'paused', 'scheduleCron']);
    assert.equal(schedule.scheduleCron, '0 */4 * * *');
    assert.equal(schedule.kind, 'deployment');
    assert.equal(schedule.paused, false);
    assert.equal(schedule.lastExecuted, null);
    assert.match(schedule.created, sqlTimePattern);
    assert.equal(schedule.created, schedule.modified);
    // The next multiple of four hours, in UTC.
    const next = fromSqlTime(schedule.nextExecution);
    assert.ok(next > before && next - before <= 4 * 3600_000 && next % (4 * 3600_000) === 0, schedule.nextExecution);
    assert.equal(typeof schedule.definition.programID, 'string');
    assert.equal(schedule.definition.request.operation, 'refresh');
    assert.deepEqual(Object.keys(schedule.definition.request.operationContext.environmentVariables.TOKEN), ['ciphertext']);
    assert.ok(!created.text.includes('hush'), 'the secret never comes back');

    const listed = await reader.get(`${path}/deployments/schedules`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body, { schedules: [schedule], scheduledDeployments: [schedule] });
    assert.deepEqual((await reader.get(`${path}/deployments/schedules/${schedule.id}`)).body, schedule);
    assert.equal((await reader.get(`${path}/deployments/metadata`)).body.hasSchedules, true);
    assert.deepEqual((await auditAfter(server, org, mark)).map((e) => [e.event, e.description]), [
      ['scheduled-deployment-created', `Created raw schedule ${schedule.id} of stack "web/${path.split('/').at(-1)}"`],
    ]);
  });

  it('refuses bodies that name neither or both times, a bad cron or time, or a bad request; nothing is stored', async () => {
    const path = await freshStack();
    const request = { operation: 'update' };
    for (const [body, message] of [
      [{ request }, /exactly one of scheduleCron and scheduleOnce must be set$/],
      [{ scheduleCron: '', scheduleOnce: null, request }, /exactly one of scheduleCron and scheduleOnce must be set$/],
      [{ scheduleCron: '0 * * * *', scheduleOnce: inFuture(60_000), request }, /exactly one of scheduleCron and scheduleOnce must be set, not both/],
      [{ scheduleCron: '0 0 * * * *', request }, /scheduleCron '0 0 \* \* \* \*' is not a 5-field cron expression .*: it has 6 fields/],
      [{ scheduleCron: '@daily', request }, /is not a 5-field cron expression/],
      [{ scheduleCron: '61 * * * *', request }, /scheduleCron '61 \* \* \* \*' is not a 5-field cron expression .*minute/],
      [{ scheduleCron: '0 0 30 2 *', request }, /scheduleCron '0 0 30 2 \*' never fires/],
      [{ scheduleOnce: 'tomorrow', request }, /scheduleOnce 'tomorrow' is not an RFC 3339 time/],
      [{ scheduleOnce: '2030-02-31T00:00:00Z', request }, /scheduleOnce '2030-02-31T00:00:00Z' is not an RFC 3339 time/],
      [{ scheduleOnce: '2030-01-01T00:00:00', request }, /is not an RFC 3339 time with a zone/],
      [{ scheduleCron: '0 * * * *' }, /request is required/],
      [{ scheduleCron: '0 * * * *', request: 'update' }, /request/],
      [{ scheduleCron: 42, request }, /scheduleCron/],
      [{ scheduleCron: '0 * * * *', request: {} }, /Missing top level required field 'operation'/],
      [{ scheduleCron: '0 * * * *', request: { operation: 'launch' } }, /operation 'launch' is not one of/],
      [{ scheduleCron: '0 * * * *', request: { operation: 'update', operationContext: { operation: 'destroy' } } }, /'operation' must only be set at the top level/],
      [{ scheduleCron: '0 * * * *', request: { operation: 'update', agentPoolID: 'no-such-pool' } }, /the agent pool specified in the deployment settings does not exist: 'no-such-pool'/],
      [{ scheduleCron: '0 * * * *', request: { operation: 'update', operationContext: { environmentVariables: { X: { ciphertext: 'AAAA' } } } } }, /the ciphertext was not issued by this server/],
    ] as const) {
      const refused = await admin.post(`${path}/deployments/schedules`, body);
      assert.equal(refused.status, 400, `${JSON.stringify(body)}: ${refused.text}`);
      assert.match(refused.body.message, message, JSON.stringify(body));
    }
    const bare = await freshStack(admin, false);
    const noSettings = await admin.post(`${bare}/deployments/schedules`, { scheduleCron: '0 * * * *', request: { operation: 'update', ...repo } });
    assert.equal(noSettings.status, 400);
    assert.match(noSettings.body.message, /does not have deployment settings configured/);
    assert.deepEqual((await admin.get(`${path}/deployments/schedules`)).body.schedules, []);
    assert.deepEqual((await admin.get(`${bare}/deployments/schedules`)).body.schedules, []);
    assert.equal((await admin.post(`/api/stacks/${org}/web/nosuch/deployments/schedules`, { scheduleCron: '0 * * * *', request })).status, 404);
  });

  it('replaces a schedule whole on update: cron becomes once, the request is the one sent', async () => {
    const path = await freshStack();
    const created = (await admin.post(`${path}/deployments/schedules`, { scheduleCron: '0 0 * * *', request: { operation: 'preview' } })).body;
    const once = '2031-05-13T12:51:00+02:00';
    const mark = await auditMark(server);
    const updated = await admin.post(`${path}/deployments/schedules/${created.id}`, { scheduleOnce: once, request: { operation: 'update', inheritSettings: true } });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.scheduleCron, undefined);
    assert.equal(updated.body.scheduleOnce, '2031-05-13 10:51:00.000');
    assert.equal(updated.body.nextExecution, '2031-05-13 10:51:00.000');
    assert.deepEqual(updated.body.definition.request, { operation: 'update', inheritSettings: true });
    assert.equal(updated.body.created, created.created);
    assert.deepEqual((await admin.get(`${path}/deployments/schedules/${created.id}`)).body, updated.body);
    assert.deepEqual((await auditAfter(server, org, mark)).map((e) => e.event), ['scheduled-deployment-updated']);

    assert.equal((await admin.post(`${path}/deployments/schedules/${created.id}`, { request: { operation: 'update' } })).status, 400);
    assert.equal((await admin.post(`${path}/deployments/schedules/no-such-schedule`, { scheduleCron: '0 * * * *', request: { operation: 'update' } })).status, 404);
    assert.deepEqual((await admin.get(`${path}/deployments/schedules/${created.id}`)).body, updated.body, 'a refused update changes nothing');
  });
});

describe('drift and TTL schedules', () => {
  it('are deployment schedules with the request each makes, updated only through their own kind', async () => {
    const path = await freshStack();
    const drift = await admin.post(`${path}/deployments/drift/schedules`, { scheduleCron: '0 0 * * 0', autoRemediate: true });
    assert.equal(drift.status, 200, drift.text);
    assert.equal(drift.body.scheduleCron, '0 0 * * 0');
    assert.deepEqual(drift.body.definition.request, { operation: 'detect-drift', inheritSettings: true, operationContext: { options: { remediateIfDriftDetected: true } } });
    // An omitted boolean is false: updates replace.
    const driftUpdated = await admin.post(`${path}/deployments/drift/schedules/${drift.body.id}`, { scheduleCron: '30 1 * * *' });
    assert.equal(driftUpdated.status, 200, driftUpdated.text);
    assert.equal(driftUpdated.body.scheduleCron, '30 1 * * *');
    assert.equal(driftUpdated.body.definition.request.operationContext.options.remediateIfDriftDetected, false);
    assert.match((await admin.post(`${path}/deployments/drift/schedules`, { autoRemediate: true })).body.message, /scheduleCron is required/);

    const timestamp = '2099-01-01T00:00:00.000Z';
    const ttl = await admin.post(`${path}/deployments/ttl/schedules`, { timestamp, deleteAfterDestroy: true });
    assert.equal(ttl.status, 200, ttl.text);
    assert.equal(ttl.body.scheduleOnce, '2099-01-01 00:00:00.000');
    assert.equal(ttl.body.nextExecution, '2099-01-01 00:00:00.000');
    assert.deepEqual(ttl.body.definition.request, { operation: 'destroy', inheritSettings: true, operationContext: { options: { deleteAfterDestroy: true } } });
    const ttlUpdated = await admin.post(`${path}/deployments/ttl/schedules/${ttl.body.id}`, { timestamp: '2098-06-01T10:00:00Z' });
    assert.equal(ttlUpdated.status, 200, ttlUpdated.text);
    assert.equal(ttlUpdated.body.scheduleOnce, '2098-06-01 10:00:00.000');
    assert.deepEqual(ttlUpdated.body.definition.request.operationContext.options, { deleteAfterDestroy: false });
    for (const [body, message] of [
      [{ deleteAfterDestroy: true }, /timestamp needs to be set/],
      [{ timestamp: '2001-01-01T00:00:00Z' }, /timestamp '2001-01-01T00:00:00Z' must be in the future/],
      [{ timestamp: 'soon' }, /timestamp 'soon' is not an RFC 3339 time/],
    ] as const) {
      const refused = await admin.post(`${path}/deployments/ttl/schedules`, body);
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.body.message, message);
    }
    assert.equal((await admin.post(`${path}/deployments/ttl/schedules/${ttl.body.id}`, { timestamp: '2001-01-01T00:00:00Z' })).status, 400);

    // The convenience routes change only their own kind; the raw route any.
    const wrongKind = await admin.post(`${path}/deployments/drift/schedules/${ttl.body.id}`, { scheduleCron: '0 * * * *' });
    assert.equal(wrongKind.status, 400);
    assert.match(wrongKind.body.message, /Invalid schedule: schedule '.*' is not a drift schedule/);
    assert.equal((await admin.post(`${path}/deployments/ttl/schedules/${drift.body.id}`, { timestamp })).status, 400);
    assert.equal((await admin.post(`${path}/deployments/drift/schedules/no-such-schedule`, { scheduleCron: '0 * * * *' })).status, 404);

    const listed = (await admin.get(`${path}/deployments/schedules`)).body.schedules.map((s: { id: string }) => s.id);
    assert.deepEqual(listed, [drift.body.id, ttl.body.id]);

    const bare = await freshStack(admin, false);
    for (const [route, body] of [['drift', { scheduleCron: '0 * * * *' }], ['ttl', { timestamp }]] as const) {
      const refused = await admin.post(`${bare}/deployments/${route}/schedules`, body);
      assert.equal(refused.status, 400);
      assert.match(refused.body.message, /does not have deployment settings configured/);
    }
  });
});

describe('pause, resume and delete', () => {
  it('pause keeps a schedule from firing, resume fires it next from now, delete is idempotent', async () => {
    const path = await freshStack();
    const schedule = (await admin.post(`${path}/deployments/schedules`, { scheduleCron: '*/5 * * * *', request: { operation: 'update' } })).body;
    const base = `${path}/deployments/schedules/${schedule.id}`;
    const mark = await auditMark(server);
    const paused = await admin.post(`${base}/pause`);
    assert.equal(paused.status, 200);
    assert.equal(paused.text, '');
    assert.equal((await admin.get(base)).body.paused, true);
    assert.equal((await admin.post(`${base}/pause`)).status, 200, 'again: nothing changes');
    const resumed = await admin.post(`${base}/resume`);
    assert.equal(resumed.status, 200);
    assert.equal(resumed.text, '');
    const after = (await admin.get(base)).body;
    assert.equal(after.paused, false);
    const next = fromSqlTime(after.nextExecution);
    assert.ok(next > Date.now() && next - Date.now() <= 5 * 60_000 && next % (5 * 60_000) === 0, after.nextExecution);
    assert.deepEqual((await auditAfter(server, org, mark)).map((e) => e.description), [
      `Paused raw schedule ${schedule.id} of stack "web/${path.split('/').at(-1)}"`,
      `Resumed raw schedule ${schedule.id} of stack "web/${path.split('/').at(-1)}"`,
    ]);
    for (const action of ['pause', 'resume', 'history']) {
      const missing = await admin.request(action === 'history' ? 'GET' : 'POST', `${path}/deployments/schedules/no-such-schedule/${action}`);
      assert.equal(missing.status, 404, action);
      assert.match(missing.body.message, /schedule 'no-such-schedule' of stack 'web\/sched\d+' not found/);
    }

    const deleted = await admin.delete(base);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.text, '');
    assert.equal((await admin.get(base)).status, 404);
    assert.equal((await admin.delete(base)).status, 200, 'a schedule already gone is no error');
    assert.equal((await admin.delete(`/api/stacks/${org}/web/nosuch/deployments/schedules/${schedule.id}`)).status, 404, 'a stack that is not is');
    assert.deepEqual((await admin.get(`${path}/deployments/schedules`)).body.schedules, []);
  });
});

describe('who may', () => {
  it('read schedules with read on the stack, and change them with edit', async () => {
    const path = await freshStack();
    const schedule = (await admin.post(`${path}/deployments/schedules`, { scheduleCron: '0 * * * *', request: { operation: 'update' } })).body;
    const base = `${path}/deployments/schedules/${schedule.id}`;
    assert.equal((await reader.get(base)).status, 200);
    assert.equal((await reader.get(`${base}/history`)).status, 200);
    for (const [method, route, body] of [
      ['POST', `${path}/deployments/schedules`, { scheduleCron: '0 * * * *', request: { operation: 'update' } }],
      ['POST', `${path}/deployments/drift/schedules`, { scheduleCron: '0 * * * *' }],
      ['POST', `${path}/deployments/ttl/schedules`, { timestamp: '2099-01-01T00:00:00Z' }],
      ['POST', base, { scheduleCron: '0 * * * *', request: { operation: 'update' } }],
      ['POST', `${base}/pause`, undefined],
      ['POST', `${base}/resume`, undefined],
      ['DELETE', base, undefined],
    ] as const) {
      const refused = await reader.request(method, route, { body });
      assert.equal(refused.status, 403, `${method} ${route}: ${refused.text}`);
      assert.match(refused.body.message, /edit permission on stack '.*' is required/);
    }
    assert.deepEqual((await admin.get(base)).body, schedule, 'nothing changed');
    assert.equal((await new ApiClient(server.url).get(base)).status, 401);
  });
});

describe('firing', () => {
  it('queues the request as the schedule\'s author, with the settings of the time, and records it in the history', async () => {
    const path = await freshStack();
    // Paused deployments queue all the same (Pulumi's docs): the firing is not lost.
    assert.equal((await admin.post(`${path}/deployments/pause`)).status, 200);
    const once = inFuture(1500);
    const schedule = (await admin.post(`${path}/deployments/schedules`, { scheduleOnce: once, request: { operation: 'refresh', inheritSettings: true } })).body;
    const held = (await admin.post(`${path}/deployments/schedules`, { scheduleOnce: once, request: { operation: 'update' } })).body;
    assert.equal((await admin.post(`${path}/deployments/schedules/${held.id}/pause`)).status, 200);
    // Changed after the schedule was made: the firing runs with what the settings say then.
    assert.equal((await admin.post(`${path}/deployments/settings`, { sourceContext: { git: { branch: 'refs/heads/release' } } })).status, 200);

    const [deployment] = await waitFor('the schedule to fire', async () => {
      const queued = await deploymentsOf(admin, path);
      return queued.length > 0 ? queued : undefined;
    });
    assert.equal(deployment!.status, 'not-started');
    assert.equal(deployment!.pulumiOperation, 'refresh');
    assert.equal(deployment!.initiator, 'schedule');
    assert.equal(deployment!.requestedBy.githubLogin, server.server.firstBoot!.login);
    const detail = (await admin.get(`${path}/deployments/${deployment!.id}`)).body;
    assert.deepEqual(detail.configuration.source, { git: { repoURL: 'file:///srv/repo.git', branch: 'refs/heads/release' } });

    const fired = (await admin.get(`${path}/deployments/schedules/${schedule.id}`)).body;
    assert.equal(fired.nextExecution, null, 'a one-time schedule stays, with nothing next');
    assert.match(fired.lastExecuted, sqlTimePattern);
    assert.ok(fromSqlTime(fired.lastExecuted) >= Date.parse(once));
    const history = await reader.get(`${path}/deployments/schedules/${schedule.id}/history`);
    assert.equal(history.status, 200, history.text);
    const events = history.body.scheduleHistoryEvents;
    assert.deepEqual(history.body.scheduledDeploymentsHistory, events);
    assert.equal(events.length, 1);
    assert.deepEqual({ ...events[0], id: typeof events[0].id }, { id: 'string', scheduledActionID: schedule.id, executed: fired.lastExecuted, version: 1, result: 'not-started' });

    // The history follows the deployment: canceled while queued, it failed.
    assert.equal((await admin.post(`${path}/deployments/${deployment!.id}/cancel`)).status, 200);
    assert.equal((await admin.get(`${path}/deployments/schedules/${schedule.id}/history`)).body.scheduleHistoryEvents[0].result, 'failed');

    // The paused one did not fire, though its time has passed and its job has run.
    await server.server.ctx.jobs.drain();
    assert.deepEqual((await admin.get(`${path}/deployments/schedules/${held.id}/history`)).body.scheduleHistoryEvents, []);
    assert.equal((await deploymentsOf(admin, path)).length, 1);
    assert.equal((await admin.get(`${path}/deployments/schedules/${held.id}`)).body.lastExecuted, null);
  });

  it('records a firing that can queue nothing as skipped, and a TTL schedule is gone once fired', async () => {
    const path = await freshStack();
    const orphan = (await admin.post(`${path}/deployments/schedules`, { scheduleOnce: inFuture(1000), request: { operation: 'update' } })).body;
    const ttl = (await admin.post(`${path}/deployments/ttl/schedules`, { timestamp: inFuture(1000) })).body;
    // Without the settings there is no source to run: the firing is skipped, not retried.
    assert.equal((await admin.delete(`${path}/deployments/settings`)).status, 200);
    const events = await waitFor('the firing to be recorded', async () => {
      const history = (await admin.get(`${path}/deployments/schedules/${orphan.id}/history`)).body.scheduleHistoryEvents;
      return history.length > 0 ? history : undefined;
    });
    assert.deepEqual(events.map((e: { result: string }) => e.result), ['skipped']);
    assert.equal((await admin.get(`${path}/deployments/schedules/${orphan.id}`)).body.nextExecution, null);
    await waitFor('the TTL schedule to fire', async () => ((await admin.get(`${path}/deployments/schedules/${ttl.id}`)).status === 404 ? true : undefined));
    assert.deepEqual(await deploymentsOf(admin, path), []);
    assert.ok(!(await listJobs(server.server.ctx.database.db)).some((job) => job.kind === fireDeploymentSchedule && job.last_error !== null), 'no job failed');

    // With settings again, a TTL schedule queues its destroy, and is gone.
    assert.equal((await admin.post(`${path}/deployments/settings`, repo)).status, 200);
    const again = (await admin.post(`${path}/deployments/ttl/schedules`, { timestamp: inFuture(1000), deleteAfterDestroy: false })).body;
    const [destroy] = await waitFor('the TTL schedule to queue a destroy', async () => {
      const queued = await deploymentsOf(admin, path);
      return queued.length > 0 ? queued : undefined;
    });
    assert.equal(destroy!.pulumiOperation, 'destroy');
    assert.equal((await admin.get(`${path}/deployments/schedules/${again.id}`)).status, 404);
    assert.equal((await admin.delete(`${path}/deployments/schedules/${again.id}`)).status, 200, 'deleting it after is no error');
  });

  it('fires a due schedule once, however many replicas sharing the database try', async () => {
    const primary = await startTestServer();
    const replica = await startReplica(primary);
    try {
      const api = new ApiClient(primary.url, primary.adminToken);
      await createStack(api, primary.org, 'web', 'replicated');
      const path = `/api/stacks/${primary.org}/web/replicated`;
      assert.equal((await api.post(`${path}/deployments/settings`, repo)).status, 200);
      const schedule = (await api.post(`${path}/deployments/schedules`, { scheduleOnce: inFuture(1500), request: { operation: 'update' } })).body;
      // More jobs for the same firing, as a schedule resumed and changed back may leave: every one is tried.
      const due = fromSqlTime(schedule.nextExecution);
      const { db } = primary.server.ctx.database;
      for (let i = 0; i < 5; i++) await enqueueJob(db, primary.server.ctx.clock, fireDeploymentSchedule, { scheduleId: schedule.id, due }, due);
      await waitFor('every firing job to have run', async () =>
        (await listJobs(db)).some((job) => job.kind === fireDeploymentSchedule) || Date.now() < due ? undefined : true,
      );
      assert.equal((await deploymentsOf(api, path)).length, 1);
      assert.equal((await new ApiClient(replica.url, primary.adminToken).get(`${path}/deployments/schedules/${schedule.id}/history`)).body.scheduleHistoryEvents.length, 1);
    } finally {
      await replica.close();
      await primary.close();
    }
  });

  it('fires a cron schedule that came due while the server was down once when it is back, then at its next time from then', async () => {
    const clock = new ManualClock();
    const first = await startTestServer({ overrides: { clock } });
    let down = false;
    let back: { url: string; close(): Promise<void> } | undefined;
    try {
      const api = new ApiClient(first.url, first.adminToken);
      await createStack(api, first.org, 'web', 'downtime');
      const path = `/api/stacks/${first.org}/web/downtime`;
      assert.equal((await api.post(`${path}/deployments/settings`, repo)).status, 200);
      const schedule = (await api.post(`${path}/deployments/schedules`, { scheduleCron: '0 * * * *', request: { operation: 'update' } })).body;
      await first.server.close();
      down = true;
      // Down for five hours and a half: five firings missed.
      clock.advance(5.5 * 3600_000);
      back = await startReplica(first, { clock });
      const again = new ApiClient(back.url, first.adminToken);
      await waitFor('the missed firing', async () => ((await deploymentsOf(again, path)).length > 0 ? true : undefined));
      const fired = (await again.get(`${path}/deployments/schedules/${schedule.id}`)).body;
      const next = fromSqlTime(fired.nextExecution);
      assert.ok(next > clock.now() && next - clock.now() <= 3600_000 && next % 3600_000 === 0, `next ${fired.nextExecution}, now ${sqlTime(clock.now())}`);
      assert.equal(fired.lastExecuted, sqlTime(clock.now()));
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal((await deploymentsOf(again, path)).length, 1, 'once, not once per missed hour');
      assert.equal((await again.get(`${path}/deployments/schedules/${schedule.id}/history`)).body.scheduleHistoryEvents.length, 1);
    } finally {
      await back?.close();
      if (!down) await first.close();
      else {
        await dropDatabase(first.dataDir);
        fs.rmSync(first.dataDir, { recursive: true, force: true });
      }
    }
  });
});
