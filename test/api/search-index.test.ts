import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// How the search index follows a stack's state (issue 18): incrementally, by each resource's text.
// A resource whose text did not change keeps its row; only new and changed ones are written.

let server: TestServer;
let api: ApiClient;
let org: string;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  await createStack(api, org, 'inc', 'dev');
});
after(async () => server.close());

const prefix = 'urn:pulumi:dev::inc::';
const providerUrn = `${prefix}pulumi:providers:aws::default`;

function state(options: { providerVersion: string; bucketTag: string; withQueue: boolean; pendingCreate?: boolean }) {
  const resources: Array<Record<string, unknown>> = [
    { urn: `${prefix}pulumi:pulumi:Stack::inc-dev`, custom: false, type: 'pulumi:pulumi:Stack' },
    { urn: providerUrn, custom: true, id: 'p1', type: 'pulumi:providers:aws', inputs: { version: options.providerVersion }, outputs: { version: options.providerVersion } },
    { urn: `${prefix}aws:s3/bucket:Bucket::logs`, custom: true, id: 'b1', type: 'aws:s3/bucket:Bucket', provider: `${providerUrn}::p1`, outputs: { tags: { env: options.bucketTag } } },
    { urn: `${prefix}aws:iam/role:Role::runner`, custom: true, id: 'r1', type: 'aws:iam/role:Role', provider: `${providerUrn}::p1`, outputs: { name: 'runner' } },
  ];
  if (options.withQueue) resources.push({ urn: `${prefix}aws:sqs/queue:Queue::jobs`, custom: true, id: 'q1', type: 'aws:sqs/queue:Queue', provider: `${providerUrn}::p1` });
  const pending = options.pendingCreate
    ? [{ type: 'creating', resource: { urn: `${prefix}aws:sns/topic:Topic::alerts`, custom: true, type: 'aws:sns/topic:Topic', provider: `${providerUrn}::p1` } }]
    : [];
  return { version: 3, deployment: { manifest: { time: '2026-11-01T10:00:00Z', magic: '', version: '' }, resources, pending_operations: pending } };
}

async function importState(body: unknown) {
  const reply = await api.post(`/api/stacks/${org}/inc/dev/import`, body);
  assert.equal(reply.status, 200, reply.text);
}

/** Index row id, version and pending of each resource of the stack, by name. */
async function rows(): Promise<Map<string, { id: number; version: string; pending: string }>> {
  const db = server.server.ctx.database.db;
  const found = await db
    .selectFrom('resource_index as r')
    .innerJoin('indexed_stacks as s', 's.key', 'r.stack_key')
    .select(['r.id', 'r.name', 'r.version', 'r.pending'])
    .where('s.project', '=', 'inc')
    .execute();
  return new Map(found.map((r) => [r.name, { id: Number(r.id), version: r.version, pending: r.pending }]));
}

async function search(query: string) {
  const reply = await api.get(`/api/orgs/${org}/search/resources?query=${encodeURIComponent(`project:inc ${query}`)}&size=100`);
  assert.equal(reply.status, 200, reply.text);
  return (reply.body.resources as Array<{ name: string }>).map((r) => r.name).sort();
}

describe('index maintenance', () => {
  it('keeps the rows of unchanged resources, rewrites changed ones and drops vanished ones', async () => {
    await importState(state({ providerVersion: '6.1.0', bucketTag: 'prod', withQueue: true }));
    const first = await rows();
    assert.deepEqual([...first.keys()].sort(), ['default', 'inc-dev', 'jobs', 'logs', 'runner']);

    await importState(state({ providerVersion: '6.1.0', bucketTag: 'prod', withQueue: true }));
    assert.deepEqual(await rows(), first, 'the same state again writes nothing');

    await importState(state({ providerVersion: '6.1.0', bucketTag: 'staging', withQueue: false }));
    const second = await rows();
    assert.equal(second.has('jobs'), false);
    assert.notEqual(second.get('logs')!.id, first.get('logs')!.id, 'the changed bucket is a new row');
    for (const name of ['default', 'inc-dev', 'runner']) assert.equal(second.get(name)!.id, first.get(name)!.id, `${name} kept its row`);
    assert.deepEqual(await search('.tags.env:staging'), ['logs']);
    assert.deepEqual(await search('.tags.env:prod'), []);
  });

  it("follows a provider's new version onto the resources it manages without rewriting them", async () => {
    const before = await rows();
    assert.deepEqual(await search('version:<7.0 type:aws:iam'), ['runner']);
    await importState(state({ providerVersion: '7.2.0', bucketTag: 'staging', withQueue: false }));
    const after = await rows();
    assert.equal(after.get('runner')!.id, before.get('runner')!.id);
    assert.equal(after.get('runner')!.version, '7.2.0');
    assert.deepEqual(await search('version:>=7.0 package:aws -type:providers'), ['logs', 'runner']);
    assert.deepEqual(await search('version:<7.0'), []);
  });

  it('indexes the resource of an interrupted create with its pending operation, and forgets it once done', async () => {
    await importState(state({ providerVersion: '7.2.0', bucketTag: 'staging', withQueue: false, pendingCreate: true }));
    assert.equal((await rows()).get('alerts')?.pending, 'creating');
    assert.deepEqual(await search('pending:creating'), ['alerts']);
    await importState(state({ providerVersion: '7.2.0', bucketTag: 'staging', withQueue: false }));
    assert.equal((await rows()).has('alerts'), false);
    assert.deepEqual(await search('pending:'), []);
  });
});
