// Request generators for the fuzz suite: values drawn from a route's own JSON schemas (as its
// OpenAPI description gives them), mixed with inputs that have broken servers before: nesting,
// sizes, encodings, numbers at type limits, NUL bytes, prototype names.
import zlib from 'node:zlib';
import fc from 'fast-check';

type Schema = Record<string, any>;

/** JSON text placed as is where a value goes: numbers no JavaScript number can hold, deep nesting. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A path segment or query value sent without percent-encoding it first (bad escapes, raw `%`). */
export class RawText {
  constructor(readonly text: string) {}
}

export const hostileStrings: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', '..', '.',
  '%', '%00', '\uD800', '\uFFFF', '\u202E', '😀', 'x'.repeat(1025), 'x'.repeat(20_000),
  '-1', '0', '1.5', '1e309', 'NaN', 'Infinity', '9223372036854775808', '99999999999999999999', '-9223372036854775809',
  '2147483648', '4294967296', '9007199254740993', '0x10', "'; drop table stacks; --", '<script>', 'null', 'true', '[]', '{}',
];

/** The hostile strings each parameter gets in the fixed cases; random cases draw from all of them. */
export const pointedStrings: readonly string[] = ['', '\u0000', '__proto__', 'constructor', '\uD800', 'x'.repeat(1025), 'x'.repeat(20_000), '9223372036854775808', '-1', '1e309'];

const hostileNumbers = ['1e309', '-1e309', '99999999999999999999999', '9223372036854775808', '-9223372036854775809', '4294967296', '2147483648', '9007199254740993', '1e-400', '-0', '0.5', '-1'];

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** A value of the wrong kind or out of range, in any place a schema describes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.constantFrom(...hostileNumbers.map((text) => new RawJson(text))),
  fc.constantFrom(null, true, false, [], {}, [null], { '': null }),
  fc.constantFrom(new RawJson(nested(1001)), new RawJson('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')),
);

/** Serialises a generated value, writing RawJson pieces as they are. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, inner]) => `${JSON.stringify(key)}:${toJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const maxGeneratedDepth = 4;

/** Mostly values the schema allows, sometimes anything hostile. */
export function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: validFromSchema(schema ?? {}, depth) }, { weight: 1, arbitrary: hostileValue });
}

function validFromSchema(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union) && union.length > 0) return fc.oneof(...union.map((inner: Schema) => validFromSchema(inner, depth)));
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : schema.properties ? ['object'] : [];
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(...types.map((type) => ofType(type, schema, depth)));
}

function ofType(type: string, schema: Schema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string': {
      const maxLength = Math.min(schema.maxLength ?? 64, 4096);
      const edges = schema.maxLength !== undefined ? [fc.constant('x'.repeat(schema.maxLength)), fc.constant('x'.repeat(schema.maxLength + 1))] : [];
      const text = schema.pattern ? fc.stringMatching(new RegExp(schema.pattern)) : fc.string({ minLength: schema.minLength ?? 0, maxLength, unit: 'binary' });
      return fc.oneof({ weight: 4, arbitrary: text }, ...edges.map((arbitrary) => ({ weight: 1, arbitrary })));
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? Number.MIN_SAFE_INTEGER;
      const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
      const inRange = type === 'integer' ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }) : fc.double({ min, max, noNaN: true });
      return fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(min, max, min - 1, max + 1, 0.5) });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth >= maxGeneratedDepth) return fc.constant([]);
      return fc.array(fromSchema(schema.items, depth + 1), { maxLength: 4 });
    case 'object': {
      if (depth >= maxGeneratedDepth) return fc.constant({});
      const properties: Record<string, Schema> = schema.properties ?? {};
      const declared = fc.record(
        Object.fromEntries(Object.entries(properties).map(([name, inner]) => [name, fromSchema(inner, depth + 1)])),
        { requiredKeys: (schema.required ?? []).filter((name: string) => name in properties) },
      );
      const extra =
        typeof schema.additionalProperties === 'object'
          ? fc.dictionary(fc.string({ maxLength: 12 }), fromSchema(schema.additionalProperties, depth + 1), { maxKeys: 4 })
          : fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'extra', ''), hostileValue, { maxKeys: 2 });
      return fc.tuple(declared, fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra })).map(([base, more]) => {
        const merged: Record<string, unknown> = Object.create(null);
        for (const [key, value] of [...Object.entries(more), ...Object.entries(base)]) merged[key] = value;
        return merged;
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A query value as text: from the parameter's schema, or hostile. */
export function queryValue(schema: Schema | undefined): fc.Arbitrary<string | RawText> {
  const typed = validFromSchema(schema?.type === 'array' ? (schema.items ?? {}) : (schema ?? {}), maxGeneratedDepth).map((value) =>
    typeof value === 'string' ? value : toJson(value),
  );
  return fc.oneof(
    { weight: 4, arbitrary: typed },
    { weight: 2, arbitrary: fc.constantFrom(...hostileStrings) },
    { weight: 1, arbitrary: fc.constantFrom(new RawText('%'), new RawText('%zz'), new RawText('%E0%A4%A'), new RawText('%00')) },
  );
}

/** A body as sent: bytes, with the headers that describe them. */
export interface FuzzBody {
  bytes?: Buffer;
  headers: Record<string, string>;
  label: string;
}

const json = { 'Content-Type': 'application/json' };

/** Shown by its label and size in fast-check's reports, not byte by byte. */
function body(label: string, bytes: Buffer | undefined, headers: Record<string, string> = json): FuzzBody {
  return { label, bytes, headers, [fc.toStringMethod]: () => `<${label}${bytes ? `, ${bytes.length} bytes` : ''}>` } as FuzzBody;
}

/** Whole bodies no schema describes: broken JSON, deep or huge documents, wrong types and encodings. */
export const hostileBodies: readonly FuzzBody[] = [
  body('no body', undefined),
  body('truncated JSON', Buffer.from('{"a":')),
  body('not JSON', Buffer.from('nul')),
  body('a NUL byte', Buffer.from('\u0000')),
  body('invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
  body('JSON null', Buffer.from('null')),
  body('a JSON array', Buffer.from('[1,2]')),
  body('a JSON string', Buffer.from('"x"')),
  body('a number too large', Buffer.from('1e309')),
  body('nested 1,001 deep', Buffer.from(nested(1001))),
  body('nested 100,000 deep', Buffer.from(`{"a":${nested(100_000)}}`)),
  body('prototype keys', Buffer.from('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"toString":1}')),
  body('a 2 MB string', Buffer.from(`{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`)),
  body('a 2 MB document broken at its end', Buffer.from(`{"a":[${'1,'.repeat(1024 * 1024)}]}`)),
  body('text/plain', Buffer.from('{}'), { 'Content-Type': 'text/plain' }),
  body('an unknown content type', Buffer.from('{}'), { 'Content-Type': 'application/x-evil' }),
  body('gzip of nested JSON', zlib.gzipSync(`{"a":${nested(50_000)}}`), { ...json, 'Content-Encoding': 'gzip' }),
  body('broken gzip', Buffer.from('1f8b0800000000000003ffff', 'hex'), { ...json, 'Content-Encoding': 'gzip' }),
  body('an unknown encoding', Buffer.from('{}'), { ...json, 'Content-Encoding': 'br' }),
];

/** A JSON body drawn from `schema`, sometimes gzip-compressed as the CLI sends large ones. */
export function schemaBody(schema: Schema | undefined): fc.Arbitrary<FuzzBody> {
  return fc.tuple(fromSchema(schema), fc.boolean()).map(([value, gzip]) => {
    const text = Buffer.from(toJson(value));
    return gzip ? body('gzip JSON from the schema', zlib.gzipSync(text), { ...json, 'Content-Encoding': 'gzip' }) : body('JSON from the schema', text);
  });
}
