import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { migration0017 } from '../../src/db/migrations/0017_resource_count_history.js';
import { ManualClock } from '../helpers/clock.js';
import { createOrganization, createStack, createUser, deploymentWithResources } from '../helpers/factories.js';
import { ApiClient, type Reply } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

// Resources under management (issue 20): real imports, updates, a deletion and a transfer at
// controlled times, then every granularity's figures checked against values worked out by hand.
// R(h) is the largest organization-wide count seen in UTC hour h, carried into empty hours;
// resourceHours sums R over a bucket's hours inside the window, resources is their rounded mean.
//
// The history of `org` (s0, s1, s2 in project `rum`), R(h) in brackets:
//   2027-12-29 06:40  import s0, 2 resources       total 2    [06:00 → 2, and 2 every hour after]
//   2027-12-31 22:30  import s1, 5 resources       total 7
//   2027-12-31 22:45  import s2, 4 resources       total 11   [22:00 → 11]
//   2027-12-31 23:10  update s1 to 3 resources     total 9    [23:00 → 11]
//                                                             [2028-01-01 00:00 → 9]
//   2028-01-01 01:15  delete s2                    total 5    [01:00 → 9]
//                                                             [02:00 and after → 5]
// 2027-12-29 is a Wednesday in week 52 (%U); 2028-01-01 is a Saturday, week 0 of 2028.
//
// And of `rum-from` → `rum-to`: `moving` imported with 6 resources in rum-from at 03:10, transferred
// to rum-to at 05:20, imported again there with 3 resources at 06:05.

let server: TestServer;
let admin: ApiClient;
let member: ApiClient;
let outsider: ApiClient;
let org: string;
const clock = new ManualClock();
const hourMs = 3_600_000;
/** Where the clock is left once the histories are written. */
const finalNow = '2028-01-01T09:00:00Z';

const at = (iso: string) => Date.parse(iso);
const unix = (iso: string) => Math.floor(at(iso) / 1000);
/** Moves the test clock forward to an exact moment. */
function setClock(iso: string): void {
  const delta = at(iso) - clock.now();
  assert.ok(delta >= 0, `the clock only moves forward, to ${iso}`);
  clock.advance(delta);
}

/** `count` + 2 resources: the Stack resource, a provider, `count` more. */
async function importState(orgName: string, stack: string, resources: number): Promise<void> {
  const reply = await admin.post(`/api/stacks/${orgName}/rum/${stack}/import`, deploymentWithResources('rum', stack, resources - 2));
  assert.equal(reply.status, 200, reply.text);
}

/** A real update whose last checkpoint leaves the stack with `resources` resources. */
async function updateTo(stack: string, resources: number): Promise<void> {
  const path = `/api/stacks/${org}/rum/${stack}`;
  const { updateId, token } = await beginUpdate(admin, path);
  const checkpoint = await admin.request('PATCH', `${path}/update/${updateId}/checkpoint`, withLease(token, {
    body: { isInvalid: false, version: 3, deployment: deploymentWithResources('rum', stack, resources - 2).deployment },
  }));
  assert.equal(checkpoint.status, 204, checkpoint.text);
  const completed = await admin.post(`${path}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token));
  assert.equal(completed.status, 204, completed.text);
}

before(async () => {
  setClock('2027-12-20T00:00:00Z');
  server = await startTestServer({ overrides: { clock } });
  admin = new ApiClient(server.url, server.adminToken);
  org = server.org;
  member = admin.withToken(await createUser(server, 'rum-member', { org, role: 'member' }));
  outsider = admin.withToken(await createUser(server, 'rum-outsider'));
  await createOrganization(server, 'rum-from', 'admin');
  await createOrganization(server, 'rum-to', 'admin');
  await createOrganization(server, 'rum-empty', 'admin');
  for (const stack of ['s0', 's1', 's2']) await createStack(admin, org, 'rum', stack);
  await createStack(admin, 'rum-from', 'rum', 'moving');

  setClock('2027-12-29T06:40:00Z');
  await importState(org, 's0', 2);
  setClock('2027-12-31T22:30:00Z');
  await importState(org, 's1', 5);
  setClock('2027-12-31T22:45:00Z');
  await importState(org, 's2', 4);
  setClock('2027-12-31T23:10:00Z');
  await updateTo('s1', 3);
  setClock('2028-01-01T01:15:00Z');
  const removed = await admin.delete(`/api/stacks/${org}/rum/s2?force=true`);
  assert.equal(removed.status, 204, removed.text);

  setClock('2028-01-01T03:10:00Z');
  await importState('rum-from', 'moving', 6);
  setClock('2028-01-01T05:20:00Z');
  const moved = await admin.post('/api/stacks/rum-from/rum/moving/transfer', { toOrg: 'rum-to' });
  assert.equal(moved.status, 204, moved.text);
  setClock('2028-01-01T06:05:00Z');
  await importState('rum-to', 'moving', 3);

  setClock(finalNow);
});
after(() => server.close());

function summary(query: string, api = admin, path = `/api/orgs/${org}/resources/summary`): Promise<Reply> {
  return api.get(`${path}?${query}`);
}

async function rows(query: string, orgName = org): Promise<unknown[]> {
  const reply = await summary(query, admin, `/api/orgs/${orgName}/resources/summary`);
  assert.equal(reply.status, 200, reply.text);
  assert.deepEqual(Object.keys(reply.body), ['summary']);
  return reply.body.summary;
}

/** The CLI's form: a lookbackDays window ending at lookbackStart. */
const ending = (iso: string, days: number, granularity: string) => `granularity=${granularity}&lookbackDays=${days}&lookbackStart=${unix(iso)}`;

/** One hourly row per hour from `fromIso`, with the given R(h). */
function hourlyRows(fromIso: string, totals: number[]) {
  return totals.map((total, i) => {
    const d = new Date(at(fromIso) + i * hourMs);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), resources: total, resourceHours: total };
  });
}

describe('GET /api/orgs/{org}/resources/summary', () => {
  it('hourly: R(h) is the largest total seen in the hour, carried forward; a deleted stack counts until it is deleted', async () => {
    // [2027-12-31 02:30, 2028-01-01 02:30): 25 hours, the first and the last partial.
    assert.deepEqual(
      await rows(ending('2028-01-01T02:30:00Z', 1, 'hourly')),
      hourlyRows('2027-12-31T02:00:00Z', [...Array<number>(20).fill(2), 11, 11, 9, 9, 5]),
    );
  });

  it('daily: the first day is truncated to the hours of the window', async () => {
    // 2027-12-30 from 02:00: 22 hours of 2 = 44. 2027-12-31: 22 × 2 + 11 + 11 = 66, 66 / 24 = 2.75.
    // 2028-01-01 00:00–02:00: 9 + 9 + 5 = 23, 23 / 3 = 7.67.
    assert.deepEqual(await rows(ending('2028-01-01T02:30:00Z', 2, 'daily')), [
      { year: 2027, month: 12, day: 30, resources: 2, resourceHours: 44 },
      { year: 2027, month: 12, day: 31, resources: 3, resourceHours: 66 },
      { year: 2028, month: 1, day: 1, resources: 8, resourceHours: 23 },
    ]);
  });

  it('daily: days before the first recorded count are left out, the hours of that day before it count 0', async () => {
    // 2027-12-28 had nothing yet; 2027-12-29: 18 hours of 2 = 36 over 24 hours, 1.5.
    assert.deepEqual(await rows(ending('2028-01-01T02:30:00Z', 4, 'daily')), [
      { year: 2027, month: 12, day: 29, resources: 2, resourceHours: 36 },
      { year: 2027, month: 12, day: 30, resources: 2, resourceHours: 48 },
      { year: 2027, month: 12, day: 31, resources: 3, resourceHours: 66 },
      { year: 2028, month: 1, day: 1, resources: 8, resourceHours: 23 },
    ]);
  });

  it('weekly: Sunday-start weeks numbered as strftime %U, the week across New Year split in two', async () => {
    // Week 52 of 2027 is Sunday 12-26 to Friday 12-31: 144 hours, 36 + 48 + 66 = 150.
    assert.deepEqual(await rows(ending('2028-01-01T02:30:00Z', 7, 'weekly')), [
      { year: 2027, weekNumber: 52, resources: 1, resourceHours: 150 },
      { year: 2028, weekNumber: 0, resources: 8, resourceHours: 23 },
    ]);
  });

  it('monthly and yearly: the average is over every hour of the bucket inside the window', async () => {
    // December from 12-02 02:00: 30 × 24 − 2 = 718 hours, 150 / 718 rounds to 0.
    assert.deepEqual(await rows(ending('2028-01-01T02:30:00Z', 30, 'monthly')), [
      { year: 2027, month: 12, resources: 0, resourceHours: 150 },
      { year: 2028, month: 1, resources: 8, resourceHours: 23 },
    ]);
    assert.deepEqual(await rows(ending('2028-01-01T02:30:00Z', 365, 'yearly')), [
      { year: 2027, resources: 0, resourceHours: 150 },
      { year: 2028, resources: 8, resourceHours: 23 },
    ]);
  });

  it('lookbackDays alone ends the window now; lookbackStart alone starts it there and ends it now', async () => {
    // Now is 2028-01-01 09:00: hours 00–08 of 2028 are 9 + 9 + 7 × 5 = 53, 53 / 9 = 5.9.
    assert.deepEqual(await rows('granularity=yearly&lookbackDays=730'), [
      { year: 2027, resources: 0, resourceHours: 150 },
      { year: 2028, resources: 6, resourceHours: 53 },
    ]);
    assert.deepEqual(await rows(`granularity=daily&lookbackStart=${unix('2027-12-31T21:00:00Z')}`), [
      { year: 2027, month: 12, day: 31, resources: 8, resourceHours: 24 },
      { year: 2028, month: 1, day: 1, resources: 6, resourceHours: 53 },
    ]);
    assert.deepEqual(await rows(`granularity=hourly&lookbackStart=${unix('2028-01-01T06:30:00Z')}`), hourlyRows('2028-01-01T06:00:00Z', [5, 5, 5]));
    // A window ending on the hour takes no part of the next one.
    assert.deepEqual(await rows(ending('2028-01-01T02:00:00Z', 1, 'hourly')).then((r) => r.slice(-2)), hourlyRows('2028-01-01T00:00:00Z', [9, 9]));
  });

  it('follows a transferred stack: its count leaves one organization and arrives in the other', async () => {
    // [2027-12-31 08:00, 2028-01-01 08:00): the hour of the transfer counts 6 in both.
    assert.deepEqual(await rows(ending('2028-01-01T08:00:00Z', 1, 'hourly'), 'rum-from'), hourlyRows('2028-01-01T03:00:00Z', [6, 6, 6, 0, 0]));
    assert.deepEqual(await rows(ending('2028-01-01T08:00:00Z', 1, 'hourly'), 'rum-to'), hourlyRows('2028-01-01T05:00:00Z', [6, 6, 3]));
  });

  it('records a count only when it changes, in the organization that holds the stack', async () => {
    // The same count again (a re-import, now) changes nothing.
    await importState('rum-to', 'moving', 3);
    const db = server.server.ctx.database.db;
    const history = await db
      .selectFrom('resource_count_history as h')
      .innerJoin('organizations as o', 'o.id', 'h.organization_id')
      .innerJoin('stacks as s', 's.id', 'h.stack_id')
      .select(['o.name', 'h.at', 'h.resource_count'])
      .where('s.name', '=', 'moving')
      .orderBy('h.id')
      .execute();
    assert.deepEqual(
      history.map((row) => [row.name, new Date(Number(row.at)).toISOString(), Number(row.resource_count)]),
      [
        ['rum-from', '2028-01-01T03:10:00.000Z', 6],
        ['rum-from', '2028-01-01T05:20:00.000Z', 0],
        ['rum-to', '2028-01-01T05:20:00.000Z', 6],
        ['rum-to', '2028-01-01T06:05:00.000Z', 3],
      ],
    );
  });

  it('answers 200 with an empty summary for an organization that never held a resource, and for a window before any', async () => {
    assert.deepEqual(await rows('granularity=daily&lookbackDays=30', 'rum-empty'), []);
    assert.deepEqual(await rows(ending('2027-12-29T06:00:00Z', 1, 'hourly')), []);
  });

  it('answers the same at the docs’ path without /api', async () => {
    const query = ending('2028-01-01T02:30:00Z', 2, 'daily');
    const literal = await admin.get(`/orgs/${org}/resources/summary?${query}`);
    assert.equal(literal.status, 200, literal.text);
    assert.deepEqual(literal.body, { summary: await rows(query) });
  });

  const refusals: Array<[string, string]> = [
    ['lookbackDays=1', "querystring must have required property 'granularity'"],
    ['granularity=minutely&lookbackDays=1', 'querystring/granularity must be equal to one of the allowed values'],
    ['granularity=daily', 'one of lookbackDays or lookbackStart is required'],
    ['granularity=daily&lookbackDays=0', 'lookbackDays must be a positive number of days, not 0'],
    ['granularity=daily&lookbackDays=-3', 'lookbackDays must be a positive number of days, not -3'],
    ['granularity=daily&lookbackDays=1.5', 'querystring/lookbackDays must be integer'],
    ['granularity=daily&lookbackDays=many', 'querystring/lookbackDays must be integer'],
    ['granularity=hourly&lookbackDays=3', "lookbackDays may be at most 2 with granularity 'hourly', not 3"],
    ['granularity=yearly&lookbackDays=3661', 'lookbackDays may be at most 3660, not 3661'],
    ['granularity=daily&lookbackStart=0', 'lookbackStart must be a positive Unix time in seconds, not 0'],
    ['granularity=daily&lookbackStart=-60', 'lookbackStart must be a positive Unix time in seconds, not -60'],
    [`granularity=daily&lookbackStart=${unix(finalNow) + 1}`, `lookbackStart (${unix(finalNow) + 1}) is in the future`],
    [`granularity=daily&lookbackDays=1&lookbackStart=${unix(finalNow) + 1}`, `lookbackStart (${unix(finalNow) + 1}) is in the future`],
    [`granularity=daily&lookbackStart=${unix('2027-01-01T08:59:59Z')}`, `lookbackStart (${unix('2027-01-01T08:59:59Z')}) is more than a year ago`],
    [
      `granularity=hourly&lookbackStart=${unix('2027-12-30T08:59:59Z')}`,
      `with granularity 'hourly' the window may span at most 2 days: lookbackStart (${unix('2027-12-30T08:59:59Z')}) is earlier`,
    ],
  ];
  for (const [query, message] of refusals) {
    it(`answers 400 for ?${query}: ${message}`, async () => {
      for (const path of [`/api/orgs/${org}/resources/summary`, `/orgs/${org}/resources/summary`, `/api/orgs/${org}/discovered-resources/summary`]) {
        const reply = await summary(query, admin, path);
        assert.deepEqual([reply.status, reply.body], [400, { code: 400, message: `Bad Request: ${message}` }], path);
      }
    });
  }

  it('accepts the edges: a lookbackStart a year ago to the second, or two days ago hourly, or now (an empty window); two days hourly', async () => {
    assert.equal((await summary(`granularity=daily&lookbackStart=${unix('2027-01-01T09:00:00Z')}`)).status, 200);
    assert.equal((await summary(`granularity=hourly&lookbackStart=${unix('2027-12-30T09:00:00Z')}`)).status, 200);
    assert.equal((await summary('granularity=hourly&lookbackDays=2')).body.summary.length, 48);
    assert.equal((await summary(`granularity=daily&lookbackStart=${unix(finalNow)}`)).status, 200);
  });

  it('is for organization admins: a member gets 403, anyone else 404, as for an organization that does not exist', async () => {
    const query = 'granularity=daily&lookbackDays=1';
    for (const path of [`/api/orgs/${org}/resources/summary`, `/orgs/${org}/resources/summary`, `/api/orgs/${org}/discovered-resources/summary`]) {
      const denied = await summary(query, member, path);
      assert.deepEqual([denied.status, denied.body], [403, { code: 403, message: `Forbidden: reading resource usage needs the 'admin' role in organization '${org}'` }]);
      const hidden = await summary(query, outsider, path);
      assert.deepEqual([hidden.status, hidden.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
      const unknown = await summary(query, admin, path.replace(org, 'no-such-org'));
      assert.deepEqual([unknown.status, unknown.body], [404, { code: 404, message: "Not Found: organization 'no-such-org' not found" }]);
      const anonymous = await admin.get(`${path}?${query}`, { token: null });
      assert.equal(anonymous.status, 401);
    }
  });
});

describe('GET /api/orgs/{org}/discovered-resources/summary', () => {
  it('answers an empty summary: nothing is discovered outside Pulumi programs here', async () => {
    const reply = await summary('granularity=daily&lookbackDays=30', admin, `/api/orgs/${org}/discovered-resources/summary`);
    assert.deepEqual([reply.status, reply.body], [200, { summary: [] }]);
  });
});

describe('0017_resource_count_history', () => {
  it('builds the history of an existing install from every stored version of every stack', async () => {
    const { db: handleDb, dialect } = server.server.ctx.database;
    const db = handleDb as unknown as Kysely<any>;
    const recorded = await db.selectFrom('resource_count_history').select(['organization_id', 'stack_id', 'at', 'resource_count']).orderBy('id').execute();
    const versions = await db
      .selectFrom('stack_versions as v')
      .innerJoin('stacks as s', 's.id', 'v.stack_id')
      .innerJoin('projects as p', 'p.id', 's.project_id')
      .select(['p.organization_id', 'v.stack_id', 'v.created_at', 'v.resource_count'])
      .orderBy('v.created_at')
      .orderBy('v.stack_id')
      .orderBy('v.version')
      .execute();
    try {
      // As an earlier build left the database: no history. The migration runs by itself.
      await db.schema.dropTable('resource_count_history').execute();
      await migration0017(dialect).up(db);
      const rebuilt = await db.selectFrom('resource_count_history').select(['organization_id', 'stack_id', 'at', 'resource_count']).orderBy('id').execute();
      const expected = versions.map((v) => ({ organization_id: v.organization_id, stack_id: v.stack_id, at: Number(v.created_at), resource_count: Number(v.resource_count) }));
      assert.deepEqual(rebuilt.map((r) => ({ ...r, at: Number(r.at), resource_count: Number(r.resource_count) })), expected);
      // s0, s1 (import, the update's start, its end) and the transferred stack, now in rum-to; s2 went with its versions.
      const orgId = (await db.selectFrom('organizations').select('id').where('name', '=', org).executeTakeFirstOrThrow()).id;
      assert.deepEqual(
        expected.filter((row) => row.organization_id === orgId).map((row) => [new Date(row.at).toISOString(), row.resource_count]),
        [
          ['2027-12-29T06:40:00.000Z', 2],
          ['2027-12-31T22:30:00.000Z', 5],
          ['2027-12-31T23:10:00.000Z', 3],
        ],
      );
    } finally {
      // The live history back, for any test after this one.
      await db.deleteFrom('resource_count_history').execute();
      for (const row of recorded) await db.insertInto('resource_count_history').values(row).execute();
    }
  });
});
