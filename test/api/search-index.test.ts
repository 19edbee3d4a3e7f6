import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { indexedStack, readIndexedEntries, type IndexedEntry } from '../../src/api/search/index-store.js';
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

async function importState(body: unknown, stack = 'inc/dev') {
  const reply = await api.post(`/api/stacks/${org}/${stack}/import`, body);
  assert.equal(reply.status, 200, reply.text);
  await assertEntriesMatchRows();
}

const byId = (entries: IndexedEntry[]) => [...entries].sort((a, b) => a.id - b.id);

/**
 * What maintenance recorded of each stack's rows (migration 0019) is what the rows hold: the next
 * update is matched against it instead of the rows.
 */
async function assertEntriesMatchRows() {
  const db = server.server.ctx.database.db;
  const stacks = await db
    .selectFrom('indexed_stacks as s')
    .innerJoin('indexed_stack_entries as e', 'e.stack_key', 's.key')
    .select(['s.key', 's.stack_id as stackId', 's.organization_id as organizationId', 's.project', 's.stack'])
    .execute();
  assert.ok(stacks.length > 0);
  for (const names of stacks) {
    // Asked with a digest no state has, under its own names: its entries, and nothing changes.
    const { entries } = await indexedStack(db, names, 'none');
    assert.deepEqual(byId(entries!), byId(await readIndexedEntries(db, Number(names.key))), `${names.project}/${names.stack}`);
  }
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

describe('what maintenance records of the rows', () => {
  const urn = (stack: string, name: string) => `urn:pulumi:${stack}::recorded::aws:s3/bucket:Bucket::${name}`;
  const bucketState = (stack: string, tags: Record<string, string>) => ({
    version: 3,
    deployment: {
      manifest: { time: '2026-11-01T10:00:00Z', magic: '', version: '' },
      resources: Object.entries(tags).map(([name, tag]) => ({ urn: urn(stack, name), custom: true, id: `${name}-id`, type: 'aws:s3/bucket:Bucket', outputs: { tag } })),
    },
  });
  const found = async (query: string) => {
    const reply = await api.get(`/api/orgs/${org}/search/resources?query=${encodeURIComponent(`project:recorded ${query}`)}&size=100`);
    assert.equal(reply.status, 200, reply.text);
    return (reply.body.resources as Array<{ name: string; stack: string }>).map((r) => `${r.stack}/${r.name}`).sort();
  };

  it('matches a stack indexed before entries were recorded against its rows, then records them', async () => {
    await createStack(api, org, 'recorded', 'before');
    await importState(bucketState('before', { a: '1', b: '1', c: '1' }), 'recorded/before');
    const db = server.server.ctx.database.db;
    const { key } = await db.selectFrom('indexed_stacks').select('key').where('project', '=', 'recorded').where('stack', '=', 'before').executeTakeFirstOrThrow();
    await db.deleteFrom('indexed_stack_entries').where('stack_key', '=', key).execute();
    const ids = await rowIds('before');

    await importState(bucketState('before', { a: '1', b: '2', d: '1' }), 'recorded/before');
    assert.deepEqual(await found('.tag:2'), ['before/b']);
    assert.deepEqual(await found('stack:before'), ['before/a', 'before/b', 'before/d']);
    const after = await rowIds('before');
    assert.equal(after.get('a'), ids.get('a'), 'an unchanged resource keeps its row');
    assert.equal(after.get('b'), ids.get('b'), 'a changed resource keeps its row');
    assert.ok((await db.selectFrom('indexed_stack_entries').select('stack_key').where('stack_key', '=', key).executeTakeFirst()) !== undefined);
  });

  it('after a rename, matches the next state against the entries under the new names', async () => {
    await createStack(api, org, 'recorded', 'first');
    await importState(bucketState('first', { a: '1', b: '1' }), 'recorded/first');
    const renamed = await api.post(`/api/stacks/${org}/recorded/first/rename`, { newName: 'second' });
    assert.equal(renamed.status, 200, renamed.text);
    await assertEntriesMatchRows();
    const ids = await rowIds('second');
    await importState(bucketState('second', { a: '1', b: '2' }), 'recorded/second');
    assert.deepEqual(await found('stack:second .tag:2'), ['second/b']);
    assert.deepEqual(await found('first'), []);
    assert.deepEqual(await found('stack:second urn:bucket:Bucket::b'), ['second/b']);
    assert.deepEqual(await found('second'), ['second/a', 'second/b']);
    assert.deepEqual(await rowIds('second'), ids, 'the renamed stack kept its rows, the changed one rewritten in place');
  });

  async function rowIds(stack: string): Promise<Map<string, number>> {
    const rows = await server.server.ctx.database.db
      .selectFrom('resource_index as r')
      .innerJoin('indexed_stacks as s', 's.key', 'r.stack_key')
      .select(['r.id', 'r.name'])
      .where('s.project', '=', 'recorded')
      .where('s.stack', '=', stack)
      .execute();
    return new Map(rows.map((r) => [r.name, Number(r.id)]));
  }
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
