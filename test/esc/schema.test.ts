// The ESC schema model: builders give the JSON Pulumi's Go package gives, JSON parses as Go's
// UnmarshalJSON reads it, compile() resolves refs and parses limits and patterns as Go's Compile
// does, lookups see through anyOf/oneOf, and every schema in ESC's golden evaluator results
// (../shared/esc-testdata, read in place) survives JSON → Schema → JSON.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EscNumber, GoBigFloat, marshalSchema, Schema, schemaBuilders as S, schemaFromJSON, schemaToJSON } from '../../src/esc/schema.js';
import { goldenData, requireGoldenCases } from './helpers/testdata.js';

const num = (text: string) => EscNumber.fromText(text);
const json = (schema: { schema(): Schema }) => marshalSchema(schema.schema());
const failure = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return '(no error)';
};

const golden = goldenData('eval');
const goldenRoot = golden.root;

/** The test provider's schema from Pulumi's eval_test.go, written with our builders. */
function testProviderSchema(): Schema {
  return S.object()
    .defs({ defRecord: S.record({ baz: S.string().const('qux') }) })
    .properties({
      null: S.null(),
      boolean: S.boolean(),
      false: S.boolean().const(false),
      true: S.boolean().const(true),
      number: S.number(),
      pi: S.number().const(num('3.14')),
      string: S.string(),
      hello: S.string().const('hello'),
      array: S.array().items(S.always()),
      tuple: S.tuple(S.string().const('hello'), S.string().const('world')),
      map: S.object().additionalProperties(S.always()),
      record: S.record({ foo: S.string() }),
      anyOf: S.anyOf(S.string(), S.number()),
      oneOf: S.oneOf(S.string(), S.number()),
      ref: S.ref('#/$defs/defRecord'),
      'const-array': new Schema({ type: 'array', const: ['hello', num('42')] }),
      'const-object': new Schema({ type: 'object', const: { hello: 'world' } }),
      enum: S.string().enum('foo', 'bar'),
      never: S.never(),
      always: S.always(),
      double: S.tuple(S.string(), S.number()),
      triple: S.tuple(S.string(), S.number(), S.boolean()),
      dependentReq: S.object().properties({ foo: S.string(), bar: S.number() }).dependentRequired({ foo: ['bar'] }),
      multiple: S.number().multipleOf(num('2')),
      minimum: S.number().minimum(num('1')),
      exclusiveMinimum: S.number().exclusiveMinimum(num('1')),
      maximum: S.number().maximum(num('1')),
      exclusiveMaximum: S.number().exclusiveMaximum(num('1')),
      minLength: S.string().minLength(1),
      maxLength: S.string().maxLength(1),
      pattern: S.string().pattern('^foo[0-9]+$'),
      minItems: S.array().minItems(3),
      maxItems: S.array().maxItems(2),
      minProperties: S.object().minProperties(1),
      maxProperties: S.object().maxProperties(1),
    })
    .schema();
}

describe('EscNumber', () => {
  it('keeps the text it was given, as json.Number does', () => {
    assert.equal(num('3.14').toString(), '3.14');
    assert.equal(num('1.0').toJSONText(), '1.0');
    assert.equal(num('1e2').toNumber(), 100);
    assert.equal(num('1').equals(num('1.0')), false);
  });

  it('spells JS numbers as Go spells a float64', () => {
    const spelled = [0.1, 42, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, -0, 5e-324].map((n) => EscNumber.fromNumber(n).text);
    assert.deepEqual(spelled, ['0.1', '42', '100000000000000000000', '1e+21', '0.000001', '1e-7', '123456789.125', '-0', '5e-324']);
    assert.equal(failure(() => EscNumber.fromNumber(NaN)), 'json: unsupported value: NaN');
  });

  it('prints as Go prints a json.Number: empty as 0, invalid text refused', () => {
    assert.equal(num('').toJSONText(), '0');
    assert.equal(failure(() => num('abc').toJSONText()), 'json: invalid number literal "abc"');
  });
});

describe('GoBigFloat', () => {
  it('divides at 64-bit precision, so 0.3 is a multiple of 0.1 as in ESC', () => {
    assert.equal(Number.isInteger(0.3 / 0.1), false);
    assert.equal(GoBigFloat.parse('0.3').quo(GoBigFloat.parse('0.1')).isInt(), true);
    assert.equal(GoBigFloat.parse('0.35').quo(GoBigFloat.parse('0.1')).isInt(), false);
    assert.equal(GoBigFloat.parse('1').quo(GoBigFloat.parse('0')).isInt(), false);
  });

  it('compares exactly', () => {
    const cmp = (a: string, b: string) => GoBigFloat.parse(a).cmp(GoBigFloat.parse(b));
    assert.deepEqual([cmp('1', '1.0'), cmp('-0', '0'), cmp('9007199254740993', '9007199254740992'), cmp('-2', '1e-400'), cmp('1e400', 'Inf')], [0, 0, 1, -1, -1]);
  });

  it("fails with big.ParseFloat's messages", () => {
    const parseError = (text: string) => failure(() => GoBigFloat.parse(text));
    assert.deepEqual(['', 'abc', '1.2.3', '1e', '0x10'].map(parseError), ['EOF', 'number has no digits', "expected end of string, found '.'", 'number has no digits', "expected end of string, found 'x'"]);
  });
});

describe('schema JSON as Go writes it', () => {
  it('writes never and always as booleans, and always writes type', () => {
    assert.equal(json(S.never()), 'false');
    assert.equal(json(S.always()), 'true');
    assert.equal(json(S.string()), '{"type":"string"}');
    assert.equal(json(S.anyOf(S.string(), S.null())), '{"anyOf":[{"type":"string"},{"type":"null"}],"type":""}');
  });

  it('writes fields in the Go struct order, leaving out empty ones but not a false or empty const', () => {
    assert.equal(json(S.tuple(S.string(), S.number().const(num('3.14')))), '{"prefixItems":[{"type":"string"},{"type":"number","const":3.14}],"items":false,"type":"array"}');
    assert.equal(json(S.boolean().const(false).default(false)), '{"type":"boolean","const":false,"default":false}');
    assert.equal(json(S.string().const('')), '{"type":"string","const":""}');
    assert.equal(json(S.string().title('').description('d').deprecated(false)), '{"type":"string","description":"d"}');
    assert.equal(
      json(S.string().minLength(1).maxLength(5).pattern('^<a&b>$').examples('x')),
      '{"type":"string","maxLength":5,"minLength":1,"pattern":"^\\u003ca\\u0026b\\u003e$","examples":["x"]}',
    );
  });

  it('sorts map keys and a record’s required names byte-wise, as Go does', () => {
    assert.equal(json(S.record({ b: S.string(), a: S.number(), é: S.always(), Z: S.never() })), '{"properties":{"Z":false,"a":{"type":"number"},"b":{"type":"string"},"é":true},"type":"object","required":["Z","a","b","é"]}');
    assert.equal(json(S.object().default({ b: 1, a: [num('1.50'), null] })), '{"type":"object","default":{"a":[1.50,null],"b":1}}');
  });

  it("builds the test provider's schema as the golden files show it", { skip: golden.skip }, () => {
    const expected = JSON.parse(fs.readFileSync(path.join(goldenRoot, 'schema/expected.json'), 'utf8')) as { check: { exprs: { sink: { builtin: { argSchema: unknown } } } } };
    assert.deepEqual(schemaToJSON(testProviderSchema()), expected.check.exprs.sink.builtin.argSchema);
  });

  it('gives the same plain JSON through schemaToJSON, marshalSchema and JSON.stringify', () => {
    const schema = testProviderSchema();
    assert.deepEqual(JSON.parse(marshalSchema(schema)), schemaToJSON(schema));
    assert.deepEqual(JSON.parse(JSON.stringify(schema)), schemaToJSON(schema));
  });

  it("writes fn::validate's JSON schema schema as Go does", () => {
    const goText =
      '{"$defs":{"schema":{"anyOf":[{"type":"boolean"},{"properties":{"$defs":{"additionalProperties":{"$ref":"#/$defs/schema","type":""},"type":"object"},"$ref":{"type":"string"},"additionalProperties":{"$ref":"#/$defs/schema","type":""},"anyOf":{"items":{"$ref":"#/$defs/schema","type":""},"type":"array"},"const":{"type":""},"default":{"type":""},"dependentRequired":{"additionalProperties":{"items":{"type":"string"},"type":"array"},"type":"object"},"deprecated":{"type":"boolean"},"description":{"type":"string"},"enum":{"type":"array"},"examples":{"type":"array"},"exclusiveMaximum":{"type":"number"},"exclusiveMinimum":{"type":"number"},"items":{"$ref":"#/$defs/schema","type":""},"maxItems":{"type":"number"},"maxLength":{"type":"number"},"maxProperties":{"type":"number"},"maximum":{"type":"number"},"minItems":{"type":"number"},"minLength":{"type":"number"},"minProperties":{"type":"number"},"minimum":{"type":"number"},"multipleOf":{"type":"number"},"oneOf":{"items":{"$ref":"#/$defs/schema","type":""},"type":"array"},"pattern":{"type":"string"},"prefixItems":{"items":{"$ref":"#/$defs/schema","type":""},"type":"array"},"properties":{"additionalProperties":{"$ref":"#/$defs/schema","type":""},"type":"object"},"required":{"items":{"type":"string"},"type":"array"},"title":{"type":"string"},"type":{"type":"string","enum":["string","number","boolean","array","object","null"]},"uniqueItems":{"type":"boolean"}},"type":"object"}],"type":""}},"$ref":"#/$defs/schema","type":""}';
    assert.equal(marshalSchema(S.jsonSchemaSchema()), goText);
  });
});

describe('schema JSON as Go reads it', () => {
  it('reads true as Always, false and null as Never', () => {
    assert.deepEqual([true, false, null].map((v) => [schemaFromJSON(v).always, schemaFromJSON(v).never]), [[true, false], [false, true], [false, true]]);
  });

  it('keeps numbers as text, takes numeric strings for numeric fields, and ignores unknown keys', () => {
    const schema = schemaFromJSON({ type: 'number', const: num('1.50'), minimum: '2', maximum: 3, unknown: 1 });
    assert.equal(marshalSchema(schema), '{"type":"number","const":1.50,"maximum":3,"minimum":2}');
    assert.ok(schema.const instanceof EscNumber);
  });

  it('matches keys case-insensitively when none matches exactly, the last one winning', () => {
    assert.equal(marshalSchema(schemaFromJSON({ Title: 'x', TYPE: 'string', ſecret: true })), '{"type":"string","title":"x","secret":true}');
    assert.equal(schemaFromJSON({ type: 'string', Type: 'number' }).type, 'number');
  });

  it("reports values of the wrong type with encoding/json's messages", () => {
    const decodeError = (value: unknown) => failure(() => schemaFromJSON(value));
    assert.equal(decodeError(5), 'json: cannot unmarshal number into Go value of type schema.rawSchema');
    assert.equal(decodeError({ secret: 'yes' }), 'json: cannot unmarshal string into Go struct field rawSchema.secret of type bool');
    assert.equal(decodeError({ rotateOnly: [1] }), 'json: cannot unmarshal number into Go struct field rawSchema.rotateOnly of type string');
    assert.equal(decodeError({ anyOf: { x: 1 } }), 'json: cannot unmarshal object into Go struct field rawSchema.anyOf of type []*schema.Schema');
    assert.equal(decodeError({ items: { items: { secret: 's' } } }), 'json: cannot unmarshal string into Go struct field rawSchema.items.items.secret of type bool');
    assert.equal(decodeError({ minLength: 'five' }), 'json: invalid number literal, trying to unmarshal "\\"five\\"" into Number');
  });

  it('lets a subschema’s error win over an earlier one in its parent, as Go does', () => {
    const message = failure(() => schemaFromJSON({ title: 5, properties: { a: { secret: 1 } } }));
    assert.equal(message, 'json: cannot unmarshal number into Go struct field rawSchema.properties.secret of type bool');
  });
});

describe('compile', () => {
  it('resolves $ref against the root $defs, unescaping the name', () => {
    const schema = schemaFromJSON({ properties: { a: { $ref: '#/$defs/a%20b' } }, $defs: { 'a b': { type: 'string' } }, type: 'object' });
    schema.compile();
    assert.equal(schema.properties!['a']!.getRef(), schema.defs!['a b']);
  });

  it("refuses refs it cannot resolve with Go's messages", () => {
    const refError = (ref: string) => failure(() => schemaFromJSON({ $ref: ref }).compile());
    assert.equal(refError('#/$defs/a'), 'unknown subschema #/$defs/a');
    assert.equal(refError('#/definitions/a'), 'only fragment references of the form #/$defs/ref are supported');
    assert.equal(refError('#/$defs/a/b'), 'only fragment references of the form #/$defs/ref are supported');
    assert.equal(refError('#/$defs/a%zz'), 'invalid URL escape "%zz"');
  });

  it('compiles $defs only when referenced, and each schema only once', () => {
    assert.doesNotThrow(() => schemaFromJSON({ $defs: { bad: { pattern: '(' } } }).compile());
    const schema = schemaFromJSON({ items: { $ref: '#/$defs/x' }, $defs: { x: { minLength: -1 } } });
    assert.equal(failure(() => schema.compile()), 'strconv.ParseUint: parsing "-1": invalid syntax');
    assert.doesNotThrow(() => schema.compile());
  });

  it('parses limits: counts as unsigned integers, bounds as big floats', () => {
    const schema = testProviderSchema();
    schema.compile();
    const property = (name: string) => schema.property(name);
    assert.equal(property('minLength').getMinLength(), 1);
    assert.equal(property('maxItems').getMaxItems(), 2);
    assert.equal(property('multiple').getMultipleOf()!.cmp(GoBigFloat.parse('2')), 0);
    assert.equal(property('ref').getRef(), schema.defs!['defRecord']);
    const countError = (text: string) => failure(() => new Schema({ minItems: num(text) }).compile());
    assert.deepEqual(['1.5', '1e2', '18446744073709551616'].map(countError), [
      'strconv.ParseUint: parsing "1.5": invalid syntax',
      'strconv.ParseUint: parsing "1e2": invalid syntax',
      'strconv.ParseUint: parsing "18446744073709551616": value out of range',
    ]);
    assert.equal(failure(() => new Schema({ minimum: num('1e') }).compile()), 'number has no digits');
    assert.equal(failure(() => new Schema({ pattern: '(' }).compile()), 'error parsing regexp: missing closing ): `(`');
  });

  it('pushes rotateOnly down onto copies of the named properties and everything under them', () => {
    const root = new Schema({
      type: 'object',
      defs: { foo: S.string().schema() },
      properties: { rotateOnly: S.array().items(S.ref('#/$defs/foo')).schema(), standard: S.ref('#/$defs/foo') },
      rotateOnly: ['rotateOnly'],
    });
    const original = root.properties!['rotateOnly'];
    root.compile();
    assert.equal(root.property('rotateOnly').isRotateOnly(), true);
    assert.equal(root.property('rotateOnly').item(0).isRotateOnly(), true);
    assert.equal(root.property('rotateOnly').item(0).getRef()!.isRotateOnly(), true);
    assert.equal(root.property('standard').isRotateOnly(), false);
    assert.equal(root.defs!['foo']!.isRotateOnly(), false);
    assert.equal(original!.isRotateOnly(), false);
  });

  it('lists the properties of a rotate-only object in its rotateOnly, as Go does', () => {
    const root = S.record({ next: S.record({ b: S.string(), a: S.string() }) }).rotateOnly('next').schema();
    root.compile();
    assert.deepEqual(root.property('next').rotateOnly, ['a', 'b']);
  });
});

describe('item and property lookups', () => {
  const oneOf = (...schemas: Schema[]) => new Schema({ oneOf: schemas });

  it('finds nothing in schemas of other types', () => {
    assert.equal(S.string().schema().item(0).never, true);
    assert.equal(S.string().schema().property('foo').never, true);
    assert.equal(S.always().property('foo').never, true);
  });

  it('reads prefixItems, then items; properties, then additionalProperties', () => {
    const array = S.array().prefixItems(S.string(), S.number()).items(S.boolean()).schema();
    assert.deepEqual([array.item(0), array.item(1), array.item(2)], [array.prefixItems![0], array.prefixItems![1], array.items]);
    assert.equal(array.item(1), array.prefixItems![1]);
    const object = S.object().properties({ a: S.string() }).additionalProperties(S.boolean()).schema();
    assert.equal(object.property('a'), object.properties!['a']);
    assert.equal(object.property('c'), object.additionalProperties);
    assert.equal(object.property('toString'), object.additionalProperties);
  });

  for (const combine of ['anyOf', 'oneOf'] as const) {
    it(`unites the alternatives of ${combine}, leaving out those that have none`, () => {
      const arrays = S[combine](S.array().prefixItems(S.string(), S.number()).items(S.boolean()), S.array().prefixItems(S.number(), S.boolean()), S.string());
      assert.deepEqual(arrays.item(0), oneOf(S.string().schema(), S.number().schema()));
      assert.deepEqual(arrays.item(1), oneOf(S.number().schema(), S.boolean().schema()));
      assert.deepEqual(arrays.item(2), S.boolean().schema());
      const objects = S[combine](
        S.object().properties({ a: S.string(), b: S.number() }).additionalProperties(S.never()),
        S.object().properties({ a: S.number(), b: S.boolean() }).additionalProperties(S.number()),
        S.string(),
      );
      assert.deepEqual(objects.property('a'), oneOf(S.string().schema(), S.number().schema()));
      assert.deepEqual(objects.property('c'), S.number().schema());
    });
  }

  it('marks a union rotate-only only when every alternative is', () => {
    const root = S.record({ a: S.record({ q: S.string() }), b: S.record({ q: S.string() }) }).rotateOnly('a').schema();
    root.compile();
    assert.equal(S.oneOf(root.property('a'), root.property('a')).property('q').isRotateOnly(), true);
    assert.equal(S.oneOf(root.property('a'), root.property('b')).property('q').isRotateOnly(), false);
  });
});

describe('patterns: Go regular expressions on JavaScript', () => {
  const pattern = (source: string) => {
    const schema = S.string().pattern(source).schema();
    schema.compile();
    return schema.getPattern()!;
  };

  it("keeps Go's meaning where JavaScript's differs", () => {
    assert.equal(pattern('\\s').test('\u00a0'), false, '\\s is ASCII-only');
    assert.equal(pattern('^.$').test('\r'), true, '. matches \\r');
    assert.equal(pattern('^[[:alpha:]]+$').test('abC'), true);
    assert.equal(pattern('\\Aab\\z').test('ab'), true);
    assert.equal(pattern('^(?P<word>\\w+)$').test('abc'), true);
    assert.equal(pattern('^\\Qa.b\\E$').test('axb'), false);
    assert.equal(pattern('^\\x{1F600}.$').test('\u{1F600}x'), true);
    assert.equal(pattern('^*a').test('a'), true);
  });

  it('applies flags to part of a pattern', () => {
    assert.deepEqual(['AB', 'Ab', 'ab'].map((text) => pattern('^(?i:a)B$').test(text)), [true, false, false]);
    assert.deepEqual(['K', '\u212a'].map((text) => pattern('(?i)k').test(text)), [true, true]);
    assert.equal(pattern('(?m)^b$').test('a\nb\nc'), true);
    assert.equal(pattern('^b$').test('a\nb\nc'), false);
  });

  it('looks Unicode classes up as Go 1.25 (which ESC builds with) does: loosely, single-word scripts only', () => {
    assert.equal(pattern('^\\p{greek}+$').test('\u03b1\u03b2'), true);
    assert.equal(pattern('^\\p{lowercase-letter}$').test('a'), true);
    assert.equal(pattern('^\\pl$').test('a'), true);
    assert.equal(failure(() => pattern('\\p{Old_Italic}')), 'error parsing regexp: invalid character class range: `\\p{Old_Italic}`');
    assert.equal(failure(() => pattern('\\p{Latn}')), 'error parsing regexp: invalid character class range: `\\p{Latn}`');
  });

  it("refuses what RE2 refuses, with Go's messages", () => {
    const patternError = (source: string) => failure(() => pattern(source));
    assert.deepEqual(['(?=a)', 'a**', '\\1', '[z-a]', 'a{1001}', '(a', '\\p{Foo}'].map(patternError), [
      'error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
      'error parsing regexp: invalid nested repetition operator: `**`',
      'error parsing regexp: invalid escape sequence: `\\1`',
      'error parsing regexp: invalid character class range: `z-a`',
      'error parsing regexp: invalid repeat count: `{1001}`',
      'error parsing regexp: missing closing ): `(a`',
      'error parsing regexp: invalid character class range: `\\p{Foo}`',
    ]);
  });
});

/** Every value under a `schema` or `argSchema` key of a golden file, with where it was found. */
function goldenSchemas(value: unknown, at: string, found: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(value)) value.forEach((element, i) => goldenSchemas(element, `${at}[${i}]`, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'schema' || key === 'argSchema') found.push([`${at}.${key}`, inner]);
      else goldenSchemas(inner, `${at}.${key}`, found);
    }
  }
  return found;
}

describe('golden schemas: JSON → Schema → JSON', { skip: golden.skip }, () => {
  const cases = golden.present ? fs.readdirSync(goldenRoot).filter((name) => fs.existsSync(path.join(goldenRoot, name, 'expected.json'))).sort() : [];
  requireGoldenCases(golden, cases);
  for (const name of cases) {
    it(name, () => {
      const expected = JSON.parse(fs.readFileSync(path.join(goldenRoot, name, 'expected.json'), 'utf8')) as unknown;
      const schemas = goldenSchemas(expected, name);
      for (const [where, value] of schemas) {
        const schema = schemaFromJSON(value);
        assert.deepEqual(schemaToJSON(schema), value, where);
        assert.deepEqual(JSON.parse(marshalSchema(schema)), value, where);
      }
    });
  }

  it('found schemas to check', () => {
    const total = cases.reduce((sum, name) => sum + goldenSchemas(JSON.parse(fs.readFileSync(path.join(goldenRoot, name, 'expected.json'), 'utf8')), name).length, 0);
    assert.ok(total > 1000, `only ${total} schemas found`);
  });
});
