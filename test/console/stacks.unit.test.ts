// The stack pages' logic without a browser: the resources tree, diffs and timelines of engine
// events, secrets, the list's filters and how times and values read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTimeline, parsePropertyPath, plainMessage, propertyChanges, valueAt } from '../../console/src/stacks/diff';
import { formatAgo, formatChanges, formatDuration, formatValue } from '../../console/src/stacks/format';
import { filtersOf, matchesSearch, searchParamsOf, stacksPath } from '../../console/src/stacks/list-query';
import { ciphertextOf, decodePlaintext, isSecret } from '../../console/src/stacks/secrets';
import { buildResourceTree, filterTree } from '../../console/src/stacks/tree';
import type { EngineEvent, StateResource } from '../../console/src/stacks/types';
import { nameOfUrn, providerLabel, typeOfUrn } from '../../console/src/stacks/urn';

const prefix = 'urn:pulumi:dev::files::';
const stackUrn = `${prefix}pulumi:pulumi:Stack::files-dev`;
const resource = (type: string, name: string, parent?: string): StateResource => ({
  urn: `${prefix}${parent && parent !== stackUrn ? `${typeOfUrn(parent)}$` : ''}${type}::${name}`,
  type,
  ...(parent && { parent }),
});

describe('URNs', () => {
  it('reads the name (which may hold ::), the type and a provider reference', () => {
    assert.equal(nameOfUrn(`${prefix}aws:s3:Bucket::my::odd::name`), 'my::odd::name');
    assert.equal(typeOfUrn(`${prefix}my:comp:Thing$aws:s3:Bucket::b`), 'aws:s3:Bucket');
    assert.equal(providerLabel(`${prefix}pulumi:providers:stackyardfile::default_0_1_0::3f2a`), 'stackyardfile (default_0_1_0)');
  });
});

describe('buildResourceTree', () => {
  const stack = resource('pulumi:pulumi:Stack', 'files-dev');
  const component = resource('my:index:Comp', 'web', stack.urn);
  const child = resource('stackyardfile:index:File', 'index', component.urn);
  const file = resource('stackyardfile:index:File', 'a', stack.urn);
  const provider = resource('pulumi:providers:stackyardfile', 'default');

  it('puts each resource under its parent, depth first, siblings in state order', () => {
    const rows = buildResourceTree([stack, provider, file, component, child]);
    assert.deepEqual(
      rows.map((r) => [r.name, r.depth, r.childCount]),
      [
        ['files-dev', 0, 2],
        ['a', 1, 0],
        ['web', 1, 1],
        ['index', 2, 0],
        ['default', 0, 0],
      ],
    );
  });

  it('shows a resource whose parent is missing as a root, and survives a parent cycle', () => {
    const orphan = { ...file, parent: `${prefix}gone:index:Thing::x` };
    assert.deepEqual(buildResourceTree([stack, orphan]).map((r) => [r.name, r.depth]), [['files-dev', 0], ['a', 0]]);
    const loopA = { urn: `${prefix}t:i:T::a`, type: 't:i:T', parent: `${prefix}t:i:T::b` };
    const loopB = { urn: `${prefix}t:i:T::b`, type: 't:i:T', parent: `${prefix}t:i:T::a` };
    assert.deepEqual(buildResourceTree([loopA, loopB]), [], 'a cycle has no root to hang from: nothing, not a hang');
  });

  it('builds 10,000 resources in a deep chain without overflowing', () => {
    const chain: StateResource[] = [stack];
    for (let i = 0; i < 10_000; i++) chain.push({ urn: `${prefix}t:i:T::r${i}`, type: 't:i:T', parent: chain[chain.length - 1]!.urn });
    const rows = buildResourceTree(chain);
    assert.equal(rows.length, 10_001);
    assert.equal(rows[10_000]!.depth, 10_000);
  });

  it('filters by name, type or URN and keeps the ancestors of each match', () => {
    const rows = buildResourceTree([stack, provider, file, component, child]);
    assert.deepEqual(filterTree(rows, 'FILE::INDEX').map((r) => r.name), ['files-dev', 'web', 'index']);
    assert.deepEqual(filterTree(rows, 'web').map((r) => r.name), ['files-dev', 'web']);
    assert.deepEqual(filterTree(rows, 'providers').map((r) => r.name), ['default']);
    assert.equal(filterTree(rows, '  ').length, rows.length);
    assert.deepEqual(filterTree(rows, 'nothing-like-it'), []);
  });
});

describe('propertyChanges', () => {
  it('uses the detailed diff: kinds, replacements and old → new values by property path', () => {
    const changes = propertyChanges({
      op: 'replace',
      urn: `${prefix}stackyardfile:index:File::a`,
      type: 'stackyardfile:index:File',
      old: { inputs: { path: '/a.txt', content: 'alpha', tags: { 'x.y': '1', gone: 'z' }, list: [1, 2] } },
      new: { inputs: { path: '/b.txt', content: 'alpha', tags: { 'x.y': '2', added: 'n' }, list: [1, 3] } },
      detailedDiff: {
        path: { diffKind: 'update-replace' },
        'tags["x.y"]': { diffKind: 'update' },
        'tags.gone': { diffKind: 'delete' },
        'tags.added': { diffKind: 'add' },
        'list[1]': { diffKind: 'update' },
      },
    });
    assert.deepEqual(changes, [
      { key: 'list[1]', kind: 'update', replace: false, old: 2, new: 3 },
      { key: 'path', kind: 'update', replace: true, old: '/a.txt', new: '/b.txt' },
      { key: 'tags.added', kind: 'add', replace: false, new: 'n' },
      { key: 'tags.gone', kind: 'delete', replace: false, old: 'z' },
      { key: 'tags["x.y"]', kind: 'update', replace: false, old: '1', new: '2' },
    ]);
  });

  it('falls back on `diffs` and `keys`, and shows every input of a create or a delete', () => {
    const old = { inputs: { content: 'alpha', path: '/a' } };
    const next = { inputs: { content: 'beta', path: '/a', mode: '0644' } };
    assert.deepEqual(propertyChanges({ op: 'update', urn: 'u', type: 't', old, new: next, diffs: ['mode', 'content'], keys: ['content'] }), [
      { key: 'content', kind: 'update', replace: true, old: 'alpha', new: 'beta' },
      { key: 'mode', kind: 'add', replace: false, new: '0644' },
    ]);
    assert.deepEqual(propertyChanges({ op: 'create', urn: 'u', type: 't', new: { inputs: { b: 2, a: 1, __provider: 'x' } } }), [
      { key: 'a', kind: 'add', replace: false, new: 1 },
      { key: 'b', kind: 'add', replace: false, new: 2 },
    ]);
    assert.deepEqual(propertyChanges({ op: 'delete', urn: 'u', type: 't', old: { inputs: { a: 1 } } }), [{ key: 'a', kind: 'delete', replace: false, old: 1 }]);
    assert.deepEqual(propertyChanges({ op: 'same', urn: 'u', type: 't', old, new: old }), []);
  });

  it('parses property paths with indexes and quoted keys', () => {
    assert.deepEqual(parsePropertyPath('a.b[0]["c.d"].e'), ['a', 'b', 0, 'c.d', 'e']);
    assert.deepEqual(parsePropertyPath('["say \\"hi\\""]'), ['say "hi"']);
    assert.equal(valueAt({ a: [{ b: 1 }] }, 'a[0].b'), 1);
    assert.equal(valueAt({ a: 'text' }, 'a.b'), undefined);
    assert.equal(valueAt(undefined, 'a'), undefined);
  });
});

describe('buildTimeline', () => {
  const step = (op: string, name: string, inputs: Record<string, unknown> = {}) => ({
    op,
    urn: `${prefix}stackyardfile:index:File::${name}`,
    type: 'stackyardfile:index:File',
    new: { inputs },
  });
  const events: EngineEvent[] = [
    { sequence: 5, timestamp: 12, type: 'resOutputsEvent', resOutputsEvent: { metadata: step('create', 'a') } },
    { sequence: 1, timestamp: 10, type: 'preludeEvent' },
    { sequence: 2, timestamp: 10, type: 'resourcePreEvent', resourcePreEvent: { metadata: step('same', 'stack') } },
    { sequence: 3, timestamp: 11, type: 'resourcePreEvent', resourcePreEvent: { metadata: step('create', 'a', { content: 'alpha' }) } },
    { sequence: 4, timestamp: 11, type: 'resourcePreEvent', resourcePreEvent: { metadata: step('create', 'b', { content: 'beta' }) } },
    { sequence: 6, timestamp: 12, type: 'resOpFailedEvent', resOpFailedEvent: { metadata: step('create', 'b'), status: 1, steps: 1 } },
    { sequence: 7, timestamp: 12, type: 'diagnosticEvent', diagnosticEvent: { message: '<{%fg 1%}>error: disk full<{%reset%}>\n', severity: 'error' } },
    { sequence: 10, timestamp: 12, type: 'diagnosticEvent', diagnosticEvent: { message: 'to stderr', severity: 'info#err' } },
    { sequence: 8, timestamp: 12, type: 'diagnosticEvent', diagnosticEvent: { message: 'working…', severity: 'info', ephemeral: true } },
    { sequence: 9, timestamp: 13, type: 'summaryEvent', summaryEvent: { durationSeconds: 3, resourceChanges: { create: 1, same: 1 } } },
  ];

  it('gives one entry per changing step in sequence order, with its outcome, diagnostics and the summary', () => {
    const { entries, unchanged } = buildTimeline(events);
    assert.equal(unchanged, 1);
    assert.deepEqual(
      entries.map((e) => (e.kind === 'step' ? `${e.op} ${e.name} ${e.status} ${e.changes.map((c) => `${c.key}=${String(c.new)}`).join()}` : `${e.kind} ${e.severity} ${e.message}`)),
      ['create a done content=alpha', 'create b failed content=beta', 'diagnostic error error: disk full', 'summary info 1 created in 3s', 'diagnostic info to stderr'],
    );
  });

  it('strips the colour markup of engine messages', () => {
    assert.equal(plainMessage('<{%bold%}>hi<{%reset%}>  \n'), 'hi');
  });
});

describe('secrets', () => {
  const secret = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: 'Y2lwaGVy' };
  it('recognises a secret and its ciphertext, and decodes what decrypt returns', () => {
    assert.equal(isSecret(secret), true);
    assert.equal(isSecret({ ciphertext: 'x' }), false);
    assert.equal(ciphertextOf(secret), 'Y2lwaGVy');
    assert.equal(ciphertextOf('plain'), undefined);
    assert.equal(decodePlaintext(Buffer.from('"hunter2"').toString('base64')), 'hunter2');
    assert.deepEqual(decodePlaintext(Buffer.from('{"a":[1]}').toString('base64')), { a: [1] });
    assert.equal(decodePlaintext(Buffer.from('not json ✓').toString('base64')), 'not json ✓');
  });

  it('never formats a secret’s ciphertext as its value', () => {
    assert.equal(formatValue(secret), '[secret]');
    assert.equal(formatValue({ password: secret, user: 'me' }), '{"password":"[secret]","user":"me"}');
  });
});

describe('formatting', () => {
  it('formats values on one line, cut when long', () => {
    assert.equal(formatValue('alpha'), '"alpha"');
    assert.equal(formatValue(undefined), '');
    assert.equal(formatValue(null), 'null');
    assert.equal(formatValue('x'.repeat(50), 10), `"${'x'.repeat(8)}…`);
  });

  it('tells times as ago, durations and change counts', () => {
    const now = 1_000_000_000_000;
    assert.equal(formatAgo(now / 1000 - 10, now), 'just now');
    assert.equal(formatAgo(now / 1000 - 60, now), '1 minute ago');
    assert.equal(formatAgo(now / 1000 - 3 * 3600, now), '3 hours ago');
    assert.equal(formatAgo(now / 1000 - 2 * 86400, now), '2 days ago');
    assert.equal(formatAgo(now / 1000 + 100, now), 'just now', 'a clock a little ahead is not the future');
    assert.equal(formatDuration(4.4), '4s');
    assert.equal(formatDuration(65), '1m 05s');
    assert.equal(formatDuration(7380), '2h 03m');
    assert.equal(formatChanges({ create: 2, same: 4, update: 1, delete: 0 }), '2 created, 1 updated');
    assert.equal(formatChanges(undefined), '');
  });
});

describe('stack list filters', () => {
  it('round-trips the filters through the query string, leaving empty ones out', () => {
    const filters = filtersOf(new URLSearchParams('q=web&project=fleet&tagName=team&tagValue=red'));
    assert.deepEqual(filters, { search: 'web', project: 'fleet', tagName: 'team', tagValue: 'red' });
    assert.equal(searchParamsOf(filters).toString(), 'q=web&project=fleet&tagName=team&tagValue=red');
    assert.equal(searchParamsOf({ search: '', project: '', tagName: '', tagValue: 'orphan' }).toString(), '');
  });

  it('asks the API for pages under the server-side filters, in large pages while searching by name', () => {
    const none = { search: '', project: '', tagName: '', tagValue: '' };
    assert.equal(stacksPath('acme', none), '/api/user/stacks?organization=acme&maxResults=50');
    assert.equal(
      stacksPath('acme', { search: 'x', project: 'web app', tagName: 'team', tagValue: 'red' }, 'tok'),
      '/api/user/stacks?organization=acme&maxResults=1000&project=web+app&tagName=team&tagValue=red&continuationToken=tok',
    );
    const stack = { id: '1', orgName: 'acme', projectName: 'fleet', stackName: 'Prod-1' };
    assert.equal(matchesSearch(stack, 'fleet/prod'), true);
    assert.equal(matchesSearch(stack, 'staging'), false);
    assert.equal(matchesSearch(stack, ''), true);
  });
});
