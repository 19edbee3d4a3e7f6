import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  fieldNames, parseQuery, QueryError, sortFieldOf, type FieldMatch, type QueryNode, type SearchField, type ValueMatch,
} from '../../src/api/search/query.js';
import { matchesDocument, timeBounds, versionKey, type SearchDocument } from '../../src/api/search/match.js';

const contains = (value: string): ValueMatch => ({ kind: 'contains', value });
const glob = (value: string): ValueMatch => ({ kind: 'glob', value });
const equals = (value: string): ValueMatch => ({ kind: 'equals', value });
const text = (match: ValueMatch | string): QueryNode => ({ kind: 'text', match: typeof match === 'string' ? contains(match) : match });
const field = (name: SearchField, match: FieldMatch | string): QueryNode => ({ kind: 'field', field: name, match: typeof match === 'string' ? contains(match) : match });
const key = (name: string) => ({ kind: 'key' as const, key: name });
const not = (node: QueryNode): QueryNode => ({ kind: 'not', node });
const and = (...nodes: QueryNode[]): QueryNode => ({ kind: 'and', nodes });
const or = (...nodes: QueryNode[]): QueryNode => ({ kind: 'or', nodes });
const exists = { kind: 'exists' } as const;

/** The error parseQuery throws for a query, as status, position and message. */
function failure(query: string): { status: number; position: number; message: string } {
  try {
    parseQuery(query);
  } catch (error) {
    assert.ok(error instanceof QueryError, `${query}: ${String(error)}`);
    return { status: error.status, position: error.position, message: error.message };
  }
  assert.fail(`${JSON.stringify(query)} parsed without an error`);
}

describe('parseQuery: the examples of the search documentation', () => {
  const examples: [string, QueryNode][] = [
    ['bucket', text('bucket')],
    ['foo bar', and(text('foo'), text('bar'))],
    ['type:aws:s3/bucket:Bucket modified:>=2023-09-01', and(field('type', 'aws:s3/bucket:Bucket'), field('modified', { kind: 'compare', op: '>=', value: '2023-09-01' }))],
    ['stack:"my-cool-stack"', field('stack', equals('my-cool-stack'))],
    [
      '"S3-bucket" -(stack:prod OR stack:dev) -project:sandbox',
      and(text(equals('S3-bucket')), not(or(field('stack', 'prod'), field('stack', 'dev'))), not(field('project', 'sandbox'))),
    ],
    ['foo bar OR baz', or(and(text('foo'), text('bar')), text('baz'))],
    ['modified:[2023-01-01 to 2023-03-31]', field('modified', { kind: 'range', from: '2023-01-01', to: '2023-03-31' })],
    ['pending:creating', field('pending', 'creating')],
    ['protected:true package:aws', and(field('protected', equals('true')), field('package', 'aws'))],
    ['.instanceType:"t3.large"', { kind: 'property', path: [key('instanceType')], match: equals('t3.large') }],
    ['.tags: -.tags.stack:', and({ kind: 'property', path: [key('tags')], match: exists }, not({ kind: 'property', path: [key('tags'), key('stack')], match: exists }))],
    ['package:awsx version:<2.0', and(field('package', 'awsx'), field('version', { kind: 'compare', op: '<', value: '2.0' }))],
    [
      '(type:aws:ec2/instance:Instance OR type:azure:compute:VirtualMachine OR type:gcp:compute:Instance)',
      or(field('type', 'aws:ec2/instance:Instance'), field('type', 'azure:compute:VirtualMachine'), field('type', 'gcp:compute:Instance')),
    ],
    ['.instanceType:t3.large', { kind: 'property', path: [key('instanceType')], match: contains('t3.large') }],
    ['.tags["name containing spaces"]:value', { kind: 'property', path: [key('tags'), key('name containing spaces')], match: contains('value') }],
    ['.foo[*].bar:baz', { kind: 'property', path: [key('foo'), { kind: 'each' }, key('bar')], match: contains('baz') }],
    ['dependency:access-logs', field('dependency', 'access-logs')],
    ['provider.urn:aws::default_5_21_1', field('provider.urn', 'aws::default_5_21_1')],
    ['-name:foo -name:bar', and(not(field('name', 'foo')), not(field('name', 'bar')))],
    ['foo (bar OR baz)', and(text('foo'), or(text('bar'), text('baz')))],
  ];
  for (const [query, expected] of examples) {
    it(query, () => assert.deepStrictEqual(parseQuery(query), expected));
  }

  it('an empty or blank query is no query', () => {
    assert.equal(parseQuery(''), undefined);
    assert.equal(parseQuery(' \t\n '), undefined);
  });
});

describe('parseQuery: operators and precedence', () => {
  it('OR and AND fold left to right with no precedence', () => {
    assert.deepStrictEqual(parseQuery('a b OR c'), or(and(text('a'), text('b')), text('c')));
    assert.deepStrictEqual(parseQuery('a OR b c'), and(or(text('a'), text('b')), text('c')));
    assert.deepStrictEqual(parseQuery('a OR b OR c d e'), and(or(text('a'), text('b'), text('c')), text('d'), text('e')));
    assert.deepStrictEqual(parseQuery('a AND b OR c'), or(and(text('a'), text('b')), text('c')));
    assert.deepStrictEqual(parseQuery('a OR b AND c'), and(or(text('a'), text('b')), text('c')));
  });

  it('only upper-case OR and AND are operators; other spellings are words', () => {
    assert.deepStrictEqual(parseQuery('a or b'), and(text('a'), text('or'), text('b')));
    assert.deepStrictEqual(parseQuery('a and b Or c'), and(text('a'), text('and'), text('b'), text('Or'), text('c')));
    assert.deepStrictEqual(parseQuery('ORACLE ANDROID'), and(text('ORACLE'), text('ANDROID')));
    assert.deepStrictEqual(parseQuery('"OR"'), text(equals('OR')));
  });

  it('parentheses group, keep their structure, and may touch OR', () => {
    assert.deepStrictEqual(parseQuery('(a OR b) OR c'), or(or(text('a'), text('b')), text('c')));
    assert.deepStrictEqual(parseQuery('((a))'), text('a'));
    assert.deepStrictEqual(parseQuery('a OR(b c)'), or(text('a'), and(text('b'), text('c'))));
    assert.deepStrictEqual(parseQuery('(a)'), text('a'));
  });

  it('every documented spelling of a negation', () => {
    const notFoo = not(field('name', 'foo'));
    assert.deepStrictEqual(parseQuery('-name:foo'), notFoo);
    assert.deepStrictEqual(parseQuery('name:-foo'), notFoo);
    assert.deepStrictEqual(parseQuery('-name:"foo"'), not(field('name', equals('foo'))));
    assert.deepStrictEqual(parseQuery('name:-"foo"'), not(field('name', equals('foo'))));
    assert.deepStrictEqual(parseQuery('-"foo bar"'), not(text(equals('foo bar'))));
    assert.deepStrictEqual(parseQuery('-foo'), not(text('foo')));
    assert.deepStrictEqual(parseQuery('-(a OR b)'), not(or(text('a'), text('b'))));
    assert.deepStrictEqual(parseQuery('-team:'), not(field('team', exists)));
    assert.deepStrictEqual(parseQuery('-name:-foo'), not(notFoo));
    assert.deepStrictEqual(parseQuery('my-stack'), text('my-stack'));
  });
});

describe('parseQuery: terms', () => {
  it('every canonical field name and alias', () => {
    for (const name of fieldNames) {
      if (name === 'created' || name === 'modified' || name === 'custom' || name === 'delete' || name === 'protected') continue;
      assert.deepStrictEqual(parseQuery(`${name}:x`), field(name, 'x'));
    }
    assert.deepStrictEqual(parseQuery('dependencies:x'), field('dependency', 'x'));
    assert.deepStrictEqual(parseQuery('parentUrn:x parent_urn:y'), and(field('parent.urn', 'x'), field('parent.urn', 'y')));
    assert.deepStrictEqual(parseQuery('providerUrn:x provider_urn:y'), and(field('provider.urn', 'x'), field('provider.urn', 'y')));
    assert.deepStrictEqual(parseQuery('teams:ops'), field('team', 'ops'));
  });

  it('a field with nothing after the colon asks for existence', () => {
    assert.deepStrictEqual(parseQuery('team:'), field('team', exists));
    assert.deepStrictEqual(parseQuery('(team:)'), field('team', exists));
    assert.deepStrictEqual(parseQuery('id: name:x'), and(field('id', exists), field('name', 'x')));
    assert.deepStrictEqual(parseQuery('created:'), field('created', exists));
  });

  it('the field name ends at the first colon; the value runs to a space or an unbalanced )', () => {
    assert.deepStrictEqual(parseQuery('urn:urn:pulumi:dev::proj::aws:s3/bucket:Bucket::logs'), field('urn', 'urn:pulumi:dev::proj::aws:s3/bucket:Bucket::logs'));
    assert.deepStrictEqual(parseQuery('(name:a(b)c)'), field('name', 'a(b)c'));
    assert.deepStrictEqual(parseQuery('(name:foo) x'), and(field('name', 'foo'), text('x')));
    assert.deepStrictEqual(parseQuery('foo(bar)'), text('foo(bar)'));
  });

  it('a word with * is a glob, anywhere', () => {
    assert.deepStrictEqual(parseQuery('buck*'), text(glob('buck*')));
    assert.deepStrictEqual(parseQuery('name:*-prod'), field('name', glob('*-prod')));
    assert.deepStrictEqual(parseQuery('"buck*"'), text(equals('buck*')));
  });

  it('a token whose text before the colon is not a name is a word', () => {
    assert.deepStrictEqual(parseQuery('10:30'), text('10:30'));
    assert.deepStrictEqual(parseQuery('a/b:c'), text('a/b:c'));
    assert.deepStrictEqual(parseQuery(':x'), text(':x'));
  });

  it('quoted strings unescape \\" and \\\\ and keep other backslashes', () => {
    assert.deepStrictEqual(parseQuery('"say \\"hi\\" \\\\ now"'), text(equals('say "hi" \\ now')));
    assert.deepStrictEqual(parseQuery('"C:\\path"'), text(equals('C:\\path')));
    assert.deepStrictEqual(parseQuery('name:""'), field('name', equals('')));
  });

  it('booleans take true or false in any case, as an exact lower-case value', () => {
    assert.deepStrictEqual(parseQuery('custom:TRUE delete:False protected:"true"'), and(field('custom', equals('true')), field('delete', equals('false')), field('protected', equals('true'))));
    assert.deepStrictEqual(parseQuery('protected:-true'), not(field('protected', equals('true'))));
  });

  it('comparisons and ranges on created, modified and version', () => {
    for (const op of ['>', '>=', '<', '<='] as const) {
      assert.deepStrictEqual(parseQuery(`created:${op}2023-03-31T01:02:03.456`), field('created', { kind: 'compare', op, value: '2023-03-31T01:02:03.456' }));
    }
    assert.deepStrictEqual(parseQuery('version:>=1.2.3'), field('version', { kind: 'compare', op: '>=', value: '1.2.3' }));
    assert.deepStrictEqual(parseQuery('modified:[2023-01-01T00:00Z TO *]'), field('modified', { kind: 'range', from: '2023-01-01T00:00Z', to: '*' }));
    assert.deepStrictEqual(parseQuery('version:[ * tO 2 ]'), field('version', { kind: 'range', from: '*', to: '2' }));
    assert.deepStrictEqual(parseQuery('-modified:[2023-01-01 to 2023-01-02]'), not(field('modified', { kind: 'range', from: '2023-01-01', to: '2023-01-02' })));
    assert.deepStrictEqual(parseQuery('modified:-<2023-01-01'), not(field('modified', { kind: 'compare', op: '<', value: '2023-01-01' })));
    assert.deepStrictEqual(parseQuery('version:2.*'), field('version', glob('2.*')));
  });

  it('every accepted time form', () => {
    for (const value of ['2023-03-31', '2023-03-31T01:02', '2023-03-31T01:02Z', '2023-03-31T01:02:03', '2023-03-31T01:02:03Z', '2023-03-31T01:02:03.4', '2023-03-31T01:02:03.4567891Z', '2024-02-29']) {
      assert.deepStrictEqual(parseQuery(`created:${value}`), field('created', value));
    }
    assert.deepStrictEqual(parseQuery('created:2023-01-01 10:00'), and(field('created', '2023-01-01'), text('10:00')), 'a space ends the value');
  });

  it('property paths: names, quoted keys, [*], exists, negation, globs', () => {
    assert.deepStrictEqual(parseQuery('.a.b_c.$d-e.ünï:x'), { kind: 'property', path: [key('a'), key('b_c'), key('$d-e'), key('ünï')], match: contains('x') });
    assert.deepStrictEqual(parseQuery('.tags["a \\"b\\" c"][*]:'), { kind: 'property', path: [key('tags'), key('a "b" c'), { kind: 'each' }], match: exists });
    assert.deepStrictEqual(parseQuery('.["top level"]:v*'), { kind: 'property', path: [key('top level')], match: glob('v*') });
    assert.deepStrictEqual(parseQuery('.tags.env:-prod'), not({ kind: 'property', path: [key('tags'), key('env')], match: contains('prod') }));
    assert.deepStrictEqual(parseQuery('.cidr:>10'), { kind: 'property', path: [key('cidr')], match: contains('>10') });
    assert.deepStrictEqual(parseQuery('.url:https://x'), { kind: 'property', path: [key('url')], match: contains('https://x') });
  });
});

describe('parseQuery: errors name their status and position', () => {
  const errors: [string, number, number, string][] = [
    ['nmae:foo', 422, 0, "unknown field 'nmae' at position 0"],
    ['a -Name:foo', 422, 3, "unknown field 'Name' at position 3"],
    ['aws:s3/bucket:Bucket', 422, 0, "unknown field 'aws'"],
    ['(a OR b))', 400, 8, "invalid query at position 8: unbalanced ')'"],
    ['a (b OR c', 400, 2, "unbalanced '('"],
    ['()', 400, 0, 'empty parentheses'],
    ['foo "bar', 400, 4, `unterminated '"'`],
    ['"a\\"', 400, 0, `unterminated '"'`],
    ['.tags["a]:x', 400, 6, `unterminated '"'`],
    ['"a"b', 400, 3, "expected a space or ')'"],
    ['foo"bar"', 400, 3, `unexpected '"' inside a word`],
    ['OR a', 400, 0, "'OR' needs a term before it"],
    ['a OR OR b', 400, 5, "'OR' needs a term before it"],
    ['a AND', 400, 2, "'AND' needs a term after it"],
    ['(a OR)', 400, 3, "'OR' needs a term after it"],
    ['a - b', 400, 2, "'-' must be followed by a term"],
    ['a --b', 400, 3, "'-' cannot follow '-'"],
    ['name:-', 400, 5, "'-' must be followed by a value"],
    ['name:(a OR b)', 400, 5, 'a value cannot be a group'],
    ['name:>foo', 400, 5, "field 'name' does not support comparisons"],
    ['stack:[a to b]', 400, 6, "field 'stack' does not support ranges"],
    ['created:>', 400, 8, "expected a value after '>'"],
    ['created:yesterday', 400, 8, "field 'created' takes a date"],
    ['modified:2023-13-01', 400, 9, "not '2023-13-01'"],
    ['created:2023-02-29', 400, 8, "not '2023-02-29'"],
    ['created:2023-01-01T24:00', 400, 8, 'takes a date'],
    ['created:2023-01-01T10', 400, 8, 'takes a date'],
    ['created:2023-*', 400, 8, 'takes a date'],
    ['created:>=2023-01-01+01:00', 400, 10, 'takes a date'],
    ['modified:[2023-01-01 to nope]', 400, 24, "not 'nope'"],
    ['modified:[2023-01-01 2023-02-01]', 400, 21, "expected 'to'"],
    ['modified:[2023-01-01 to 2023-02-01', 400, 9, "unterminated range"],
    ['modified:[2023-01-01 to 2023-02-01 x]', 400, 35, "expected ']'"],
    ['modified:[2023-01-01 to ]', 400, 24, 'expected the end of the range'],
    ['modified:[2023-01-01 to 2023-02-01]x', 400, 35, "expected a space or ')'"],
    ['version:<two', 400, 9, "compares versions such as 2.0, not 'two'"],
    ['version:<*', 400, 9, 'compares versions'],
    ['custom:yes', 400, 7, "field 'custom' takes true or false, not 'yes'"],
    ['protected:t*', 400, 10, 'takes true or false'],
    ['.foo[0]:x', 400, 4, 'array indices are not supported'],
    ['.foo[bar]:x', 400, 5, 'expected "key" or * inside [ ]'],
    ['.foo[*:x', 400, 6, "expected ']'"],
    ['.foo', 400, 4, "expected ':' after the property path"],
    ['.net rocks', 400, 4, "expected ':' after the property path"],
    ['.:x', 400, 1, 'expected a property name'],
    ['.a..b:x', 400, 3, 'expected a property name'],
    ['.a/b:x', 400, 2, "unexpected '/' in a property path"],
    ['a\u0000b', 400, 1, 'control character U+0000'],
    ['a \ud800', 400, 2, 'unpaired surrogate'],
    ['\udc00', 400, 0, 'unpaired surrogate'],
  ];
  for (const [query, status, position, fragment] of errors) {
    it(`${JSON.stringify(query)} → ${status} at ${position}`, () => {
      const error = failure(query);
      assert.equal(error.status, status, error.message);
      assert.equal(error.position, position, error.message);
      assert.ok(error.message.includes(fragment), error.message);
      assert.ok(error.message.includes(`position ${position}`), error.message);
    });
  }

  it('a 400 is a bad_request and a 422 an unprocessable ApiError, with Pulumi error bodies', () => {
    assert.deepStrictEqual(
      (() => { try { parseQuery('a)'); } catch (error) { return (error as QueryError).toBody(); } })(),
      { code: 400, message: "Bad Request: invalid query at position 1: unbalanced ')'" },
    );
    assert.deepStrictEqual(
      (() => { try { parseQuery('nmae:x'); } catch (error) { return (error as QueryError).toBody(); } })(),
      { code: 422, message: "Unprocessable Entity: unknown field 'nmae' at position 0" },
    );
  });

  it('a query is at most 4096 characters', () => {
    assert.deepStrictEqual(parseQuery('a'.repeat(4096)), text('a'.repeat(4096)));
    assert.deepStrictEqual(failure('a'.repeat(4097)), { status: 400, position: 4096, message: 'invalid query at position 4096: a query is at most 4096 characters' });
  });

  it('parentheses nest at most 32 deep, and 10,000 of them fail cleanly', () => {
    assert.deepStrictEqual(parseQuery('('.repeat(32) + 'a' + ')'.repeat(32)), text('a'));
    assert.equal(parseQuery('-('.repeat(32) + 'a' + ')'.repeat(32))?.kind, 'not');
    assert.equal(failure('('.repeat(33) + 'a' + ')'.repeat(33)).position, 32);
    assert.match(failure('('.repeat(4000)).message, /^invalid query at position 32: parentheses nest deeper than 32 levels$/);
    assert.equal(failure(')'.repeat(4000)).position, 0);
    assert.equal(failure('('.repeat(10_000)).status, 400);
    assert.equal(failure('(a) '.repeat(1000) + ')').position, 4000);
  });
});

describe('sortFieldOf and fieldNames', () => {
  it('maps canonical names and aliases, and nothing else', () => {
    assert.equal(fieldNames.length, 20);
    for (const name of fieldNames) assert.equal(sortFieldOf(name), name);
    assert.equal(sortFieldOf('parentUrn'), 'parent.urn');
    assert.equal(sortFieldOf('parent_urn'), 'parent.urn');
    assert.equal(sortFieldOf('providerUrn'), 'provider.urn');
    assert.equal(sortFieldOf('provider_urn'), 'provider.urn');
    assert.equal(sortFieldOf('dependencies'), 'dependency');
    assert.equal(sortFieldOf('teams'), 'team');
    assert.equal(sortFieldOf('managed'), undefined);
    assert.equal(sortFieldOf('Name'), undefined);
    assert.equal(sortFieldOf('__proto__'), undefined);
  });
});

const utc = (iso: string) => Date.parse(iso);

function document(overrides: Partial<SearchDocument> = {}): SearchDocument {
  return {
    urn: 'urn:pulumi:prod::shop::aws:cloudwatch/logGroup:LogGroup::access-logs',
    type: 'aws:cloudwatch/logGroup:LogGroup',
    name: 'access-logs',
    package: 'aws',
    module: 'cloudwatch',
    project: 'shop',
    stack: 'prod',
    id: 'access-logs-1234',
    custom: true,
    delete: false,
    protected: false,
    pending: '',
    parentUrn: 'urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod',
    providerUrn: 'urn:pulumi:prod::shop::pulumi:providers:aws::default_6_0_0::abc',
    created: utc('2023-03-31T01:02:03.456Z'),
    modified: utc('2023-09-01T12:00:00.000Z'),
    dependencies: ['urn:pulumi:prod::shop::aws:s3/bucket:Bucket::logs-bucket'],
    version: '6.0.0',
    teams: ['ops', 'Platform'],
    properties: {
      instanceType: 't3.large',
      port: 443,
      public: false,
      nothing: null,
      empty: {},
      none: [],
      password: '[secret]',
      tags: { env: 'prod', 'name containing spaces': 'yes' },
      rules: [{ port: 80, cidrs: ['10.0.0.0/8', '192.168.0.0/16'] }, { port: 443, cidrs: [] }, 'loose'],
      grid: [[1, 2], [3]],
    },
    ...overrides,
  };
}

/** Whether a query matches a document (by default the log group above). */
const matches = (query: string, doc: SearchDocument = document()) => matchesDocument(parseQuery(query)!, doc);

describe('matchesDocument', () => {
  it('free text: contains and globs over urn, name, stack and project; phrases equal name, stack, project, type or urn', () => {
    assert.ok(matches('ACCESS'));
    assert.ok(matches('loggroup'), 'through the URN');
    assert.ok(matches('shop prod'));
    assert.ok(!matches('shop staging'));
    assert.ok(matches('shop staging OR prod'));
    assert.ok(matches('access-*'));
    assert.ok(!matches('access*x'));
    assert.ok(matches('*'));
    assert.ok(matches('"access-logs"') && matches('"prod"') && matches('"shop"') && matches('"aws:cloudwatch/logGroup:LogGroup"'));
    assert.ok(!matches('"Access-logs"'), 'phrases are case-sensitive');
    assert.ok(!matches('"access"'), 'phrases are whole values');
    assert.ok(!matches('abc'), 'the id is not free text');
    assert.ok(matches('-staging') && !matches('-prod'));
  });

  it('string fields: contains, glob, equals, exists; an empty string matches no value and does not exist', () => {
    assert.ok(matches('name:LOGS') && matches('name:*-logs') && matches('name:"access-logs"'));
    assert.ok(!matches('name:"access"') && !matches('name:logs*'));
    assert.ok(matches('id:1234 package:aws module:cloud project:sho stack:"prod"'));
    assert.ok(matches('parent.urn:shop-prod parentUrn:Stack provider.urn:default_6_0_0 urn:access-logs'));
    assert.ok(!matches('pending:creating') && !matches('pending:') && matches('-pending:'));
    assert.ok(matches('pending:creat', document({ pending: 'creating' })));
    assert.ok(!matches('pending:*', document({ pending: '' })));
    assert.ok(!matches('id:""', document({ id: '' })));
  });

  it('category is always empty', () => {
    assert.ok(!matches('category:compute') && !matches('category:') && !matches('category:*') && matches('-category:'));
  });

  it('type matches the token and its short forms', () => {
    for (const query of ['type:LogGroup', 'type:aws:cloudwatch:LogGroup', 'type:aws:cloudwatch/logGroup:LogGroup', 'type:"aws:cloudwatch:LogGroup"', 'type:aws:cloudwatch:*']) {
      assert.ok(matches(query), query);
    }
    assert.ok(!matches('type:"LogGroup"') && !matches('type:aws:s3:*'));
    assert.ok(matches('type:"pulumi:pulumi:Stack"', document({ type: 'pulumi:pulumi:Stack' })));
    assert.ok(matches('type:') && !matches('type:', document({ type: '' })));
  });

  it('booleans compare as true or false and always exist', () => {
    assert.ok(matches('custom:true delete:false protected:FALSE'));
    assert.ok(!matches('custom:false') && !matches('protected:true'));
    assert.ok(matches('protected:') && matches('-protected:true'));
  });

  it('dependency and team match if any element does', () => {
    assert.ok(matches('dependency:logs-bucket dependencies:aws:s3'));
    assert.ok(matches('team:ops') && matches('teams:platform') && matches('team:"Platform"') && !matches('team:"platform"'));
    assert.ok(matches('team:') && !matches('team:', document({ teams: [] })) && matches('-team:', document({ teams: [] })));
    assert.ok(!matches('dependency:', document({ dependencies: [] })));
  });

  it('created and modified: a day, a time to its precision, comparisons and ranges; null never matches', () => {
    // created is 2023-03-31T01:02:03.456Z
    for (const query of ['created:2023-03-31', 'created:2023-03-31T01:02', 'created:2023-03-31T01:02:03Z', 'created:2023-03-31T01:02:03.4', 'created:2023-03-31T01:02:03.45', 'created:2023-03-31T01:02:03.456', 'created:2023-03-31T01:02:03.4569']) {
      assert.ok(matches(query), query);
    }
    for (const query of ['created:2023-03-30', 'created:2023-03-31T01:03', 'created:2023-03-31T01:02:04', 'created:2023-03-31T01:02:03.5', 'created:2023-03-31T01:02:03.457']) {
      assert.ok(!matches(query), query);
    }
    assert.ok(matches('created:>=2023-03-31') && !matches('created:>2023-03-31') && matches('created:>2023-03-30'));
    assert.ok(matches('created:<=2023-03-31') && !matches('created:<2023-03-31') && matches('created:<2023-04-01'));
    assert.ok(matches('created:<2023-03-31T01:02:03.457') && !matches('created:<2023-03-31T01:02:03.456'));
    assert.ok(matches('modified:[2023-01-01 to 2023-09-01]') && !matches('modified:[2023-01-01 to 2023-08-31]'));
    assert.ok(matches('modified:[2023-09-01T12:00 to *]') && matches('modified:[* to *]') && !matches('modified:[2023-09-01T12:01 to *]'));
    assert.ok(matches('modified:>=2023-09-01 type:aws:cloudwatch/logGroup:LogGroup'));
    const old = document({ created: null, modified: null });
    assert.ok(!matches('created:', old) && !matches('created:<2100-01-01', old) && !matches('modified:[* to *]', old) && matches('-created:', old));
  });

  it('version: string values, and comparisons and ranges through versionKey', () => {
    assert.ok(matches('version:6.0') && matches('version:6.*') && matches('version:"6.0.0"') && !matches('version:"6.0"'));
    assert.ok(matches('version:<6.1') && matches('version:<=6.0') && matches('version:>=6') && !matches('version:>6.0.0'));
    assert.ok(matches('version:>5.99.99') && !matches('version:<6.0.0'));
    assert.ok(matches('version:[6 to 6.0.0]') && matches('version:[* to 10]') && !matches('version:[6.0.1 to *]'));
    assert.ok(matches('version:<6.10', document({ version: '6.9.0' })), 'numeric, not lexical');
    assert.ok(matches('version:>=1.2.3', document({ version: '1.2.3-alpha.1+build' })));
    const none = document({ version: '' });
    assert.ok(!matches('version:', none) && !matches('version:<100', none) && !matches('version:[* to *]', none) && !matches('version:*', none));
  });

  it('properties: paths, arrays, scalars as strings, exists', () => {
    assert.ok(matches('.instanceType:t3') && matches('.instanceType:"t3.large"') && !matches('.instanceType:"t3"'));
    assert.ok(matches('.port:443') && matches('.port:"443"') && matches('.public:false') && matches('.public:"false"'));
    assert.ok(matches('.tags.env:prod') && matches('.tags["name containing spaces"]:yes') && matches('.tags: -.tags.stack:'));
    assert.ok(!matches('.tags: -.tags.env:'));
    assert.ok(matches('.rules.port:80') && matches('.rules[*].port:"443"') && !matches('.rules[*].port:"8"'));
    assert.ok(matches('.rules.cidrs:"192.168.0.0/16"') && matches('.rules[*].cidrs[*]:10.*'));
    assert.ok(matches('.rules:loose'), 'a reached array is tested element by element');
    assert.ok(!matches('.grid:1') && matches('.grid[*]:3'), 'only one level of an array is opened');
    assert.ok(matches('.password:"[secret]"'));
    assert.ok(!matches('.nothing:') && !matches('.empty:') && !matches('.none:') && !matches('.missing:'));
    assert.ok(!matches('.nothing:null') && !matches('.empty:*') && !matches('.tags:prod'));
    assert.ok(matches('.port:') && matches('.public:') && matches('.rules.cidrs:'));
    assert.ok(!matches('.instanceType[*]:t3') && !matches('.instanceType.x:'));
    assert.ok(!matches('.instanceType:', document({ properties: undefined })));
    assert.ok(!matches('.__proto__:', document({ properties: JSON.parse('{"a":1}') })));
    assert.ok(matches('.__proto__.x:1', document({ properties: JSON.parse('{"__proto__":{"x":1}}') })));
  });

  it('globs backtrack in bounded time', () => {
    const started = performance.now();
    assert.ok(!matches(`name:${'*a'.repeat(200)}b`, document({ name: 'a'.repeat(3000) })));
    assert.ok(performance.now() - started < 2000);
  });
});

describe('timeBounds', () => {
  const day = utc('2023-03-31T00:00:00Z');
  it('a value is its span; operators take its start or end', () => {
    assert.deepStrictEqual(timeBounds(contains('2023-03-31')), { from: day, to: day + 86_400_000 });
    assert.deepStrictEqual(timeBounds(equals('2023-03-31T01:02Z')), { from: day + 3_720_000, to: day + 3_780_000 });
    assert.deepStrictEqual(timeBounds(contains('2023-03-31T01:02:03')), { from: day + 3_723_000, to: day + 3_724_000 });
    assert.deepStrictEqual(timeBounds(contains('2023-03-31T01:02:03.4')), { from: day + 3_723_400, to: day + 3_723_500 });
    assert.deepStrictEqual(timeBounds(contains('2023-03-31T01:02:03.4567')), { from: day + 3_723_456, to: day + 3_723_457 });
    assert.deepStrictEqual(timeBounds({ kind: 'compare', op: '>', value: '2023-03-31' }), { from: day + 86_400_000 });
    assert.deepStrictEqual(timeBounds({ kind: 'compare', op: '>=', value: '2023-03-31' }), { from: day });
    assert.deepStrictEqual(timeBounds({ kind: 'compare', op: '<', value: '2023-03-31' }), { to: day });
    assert.deepStrictEqual(timeBounds({ kind: 'compare', op: '<=', value: '2023-03-31' }), { to: day + 86_400_000 });
    assert.deepStrictEqual(timeBounds({ kind: 'range', from: '2023-03-31', to: '2023-03-31' }), { from: day, to: day + 86_400_000 });
    assert.deepStrictEqual(timeBounds({ kind: 'range', from: '*', to: '2023-03-31T00:00' }), { to: day + 60_000 });
    assert.deepStrictEqual(timeBounds({ kind: 'range', from: '*', to: '*' }), {});
    assert.deepStrictEqual(timeBounds(exists), {});
  });

  it('years before 100 and leap days are what they say', () => {
    assert.equal(timeBounds(contains('0050-01-01')).from, new Date('0050-01-01T00:00:00Z').getTime());
    assert.equal(timeBounds(contains('2000-02-29')).from, Date.UTC(2000, 1, 29));
  });
});

describe('versionKey', () => {
  it('orders versions numerically, pads to four components, ignores suffixes', () => {
    assert.equal(versionKey('6.0.0'), '0000000006.0000000000.0000000000.0000000000');
    assert.equal(versionKey('2.0'), versionKey('2.0.0'));
    assert.equal(versionKey('v1.2.3'), versionKey('1.2.3'));
    assert.equal(versionKey('1.2.3-beta.4+sha'), versionKey('1.2.3'));
    assert.equal(versionKey('1.2.3.4.5'), versionKey('1.2.3.4'));
    assert.equal(versionKey('007.1'), versionKey('7.1'));
    assert.equal(versionKey('12345678901.0'), versionKey('9999999999.0'));
    assert.equal(versionKey(''), '');
    assert.equal(versionKey('latest'), '');
    const ordered = ['0.9', '1', '1.0.1', '1.2', '1.10', '2.0.0-alpha', '10.0'];
    for (let index = 1; index < ordered.length; index++) {
      assert.ok(versionKey(ordered[index - 1]!) < versionKey(ordered[index]!), `${ordered[index - 1]} < ${ordered[index]}`);
    }
    assert.ok(Buffer.compare(Buffer.from(versionKey('1.9')), Buffer.from(versionKey('1.10'))) < 0);
  });
});

describe('parseQuery on hostile input', () => {
  const fragments = [
    'a', 'Z', '0', '9', ' ', '  ', '\t', '\n', '(', ')', '"', '\\', '-', ':', '.', '[', ']', '*', '>', '<', '=', '>=', '$', '_', '/', 'é',
    'OR', 'AND', 'or', 'to', 'TO', '[*]', '["k"]', '[0]', 'name:', 'type:', 'created:', 'version:', 'custom:', 'team:', 'nmae:', '.tags',
    '2023-03-31', 'T01:02:03.456Z', '2.0', 'true', '\u0000', '\ud800', '\udc00', '😀', '\u00a0',
  ];
  const query = fc.array(fc.constantFrom(...fragments), { maxLength: 40 }).map((parts) => parts.join(''));
  const doc = document();

  it('throws nothing but QueryError, always names a position inside the query, and its ASTs evaluate', () => {
    fc.assert(
      fc.property(query, (text) => {
        let node: QueryNode | undefined;
        try {
          node = parseQuery(text);
        } catch (error) {
          assert.ok(error instanceof QueryError, `${JSON.stringify(text)}: ${String(error)}`);
          assert.ok(error.status === 400 || error.status === 422);
          assert.ok(error.position >= 0 && error.position <= text.length, `${JSON.stringify(text)}: ${error.message}`);
          assert.ok(error.message.includes(`position ${error.position}`));
          return;
        }
        if (node) matchesDocument(node, doc);
      }),
      { seed: 20240601, numRuns: 5000 },
    );
  });

  it('throws nothing but QueryError on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        try {
          parseQuery(text);
        } catch (error) {
          assert.ok(error instanceof QueryError, `${JSON.stringify(text)}: ${String(error)}`);
        }
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
