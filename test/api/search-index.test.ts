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
    // The changed bucket is rewritten in its row (same URN, same text); the others are not touched.
    for (const name of ['default', 'inc-dev', 'runner', 'logs']) assert.equal(second.get(name)!.id, first.get(name)!.id, `${name} kept its row`);
    assert.deepEqual(await search('.tags.env:staging'), ['logs']);
    assert.deepEqual(await search('.tags.env:prod'), []);
    // Its text entries still find it, by name and by URN, and no one else's.
    assert.deepEqual(await search('logs'), ['logs']);
    assert.deepEqual(await search('name:logs'), ['logs']);
    assert.deepEqual(await search('urn:bucket:Bucket::logs'), ['logs']);
    assert.deepEqual(await search('jobs'), []);
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

describe('queries with many matches', () => {
  // A word in a stack's name matches all its rows; they are counted per stack, and a page of them
  // is found by reading rows in order (from 10,000 matches on). A word in more than 10,000 URNs is
  // counted row by row. Every resource has its own modified time, so the order is known here.
  const base = Date.UTC(2026, 0, 1);
  const expected: Array<{ name: string; stack: string; modified: number }> = [];

  function wideState(stack: string, names: string[], offset: number) {
    const prefix = `urn:pulumi:${stack}::wide::`;
    const resources = names.map((name, i) => {
      const modified = base + (2 * i + offset) * 1000;
      expected.push({ name, stack, modified });
      return { urn: `${prefix}test:index:Thing::${name}`, custom: true, id: `${name}-id`, type: 'test:index:Thing', modified: new Date(modified).toISOString(), created: new Date(modified).toISOString() };
    });
    return { version: 3, deployment: { manifest: { time: '2026-11-01T10:00:00Z', magic: '', version: '' }, resources } };
  }

  before(async () => {
    const imports: Array<[string, string[], number]> = [
      ['prod-a', Array.from({ length: 12_000 }, (_, i) => `item-${i}`), 0],
      ['dev-b', Array.from({ length: 2000 }, (_, i) => (i < 500 ? `prodlike-${i}` : `item-b-${i}`)), 1],
    ];
    for (const [stack, names, offset] of imports) {
      await createStack(api, org, 'wide', stack);
      const reply = await api.post(`/api/stacks/${org}/wide/${stack}/import`, wideState(stack, names, offset));
      assert.equal(reply.status, 200, reply.text);
    }
  });

  const newestFirst = (word: string) =>
    expected
      .filter((r) => r.name.includes(word) || r.stack.includes(word))
      .sort((a, b) => b.modified - a.modified)
      .map((r) => `${r.stack}/${r.name}`);
  const shown = (body: { resources: Array<{ stack: string; name: string }> }) => body.resources.map((r) => `${r.stack}/${r.name}`);

  async function searchWide(params: string) {
    const reply = await api.get(`/api/orgs/${org}/search/resources?${params}`);
    assert.equal(reply.status, 200, reply.text);
    return reply.body;
  }

  for (const word of ['prod', 'item']) {
    it(`'${word}': the total, the first pages, facets, and every match once by cursor`, async () => {
      const all = newestFirst(word);
      assert.ok(all.length > 12_000, `${all.length} matches`);
      const query = `query=${encodeURIComponent(`project:wide ${word}`)}`;
      const first = await searchWide(`${query}&size=50&facet=stack`);
      assert.equal(first.total, all.length);
      assert.deepEqual(shown(first), all.slice(0, 50));
      const stacks = new Map<string, number>();
      for (const key of all) stacks.set(key.split('/')[0]!, (stacks.get(key.split('/')[0]!) ?? 0) + 1);
      assert.deepEqual(first.aggregations.stack.results, [...stacks].sort((a, b) => b[1] - a[1]).map(([name, count]) => ({ name, count })));
      assert.deepEqual(shown(await searchWide(`${query}&size=50&page=7`)), all.slice(300, 350));

      const seen: string[] = [];
      let cursor = '';
      do {
        const page = await searchWide(`${query}&size=5000${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...shown(page));
        cursor = page.pagination.cursor ?? '';
      } while (cursor);
      assert.deepEqual(seen, all);
    });
  }
});
