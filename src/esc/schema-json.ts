// Schemas in their JSON form, as Go's encoding/json writes and reads the Schema struct of
// pulumi/esc: `false` and `true` for the never and always schemas, fields in the struct's order
// with its omitempty rules (`type` is always written), map keys sorted, and on reading, keys
// matched case-insensitively, numbers kept as text and type errors worded as Go words them.
import { compareUtf8, EscNumber, nullRecord, Schema, type SchemaFields } from './schema.js';

/** How a field is stored, which decides when it is omitted and what JSON it accepts. */
type FieldKind = 'schemaMap' | 'schemaList' | 'schema' | 'string' | 'type' | 'any' | 'anyList' | 'number' | 'bool' | 'stringList' | 'stringListMap';

/** The fields written as JSON keys (never and always are written as the whole schema). */
type DataKey = Exclude<keyof SchemaFields, 'never' | 'always'>;

interface Field {
  json: string;
  key: DataKey;
  kind: FieldKind;
}

/** The Go struct's fields, in its declaration order. */
const fields: Field[] = [
  { json: '$defs', key: 'defs', kind: 'schemaMap' },
  { json: '$ref', key: 'ref', kind: 'string' },
  { json: 'anyOf', key: 'anyOf', kind: 'schemaList' },
  { json: 'oneOf', key: 'oneOf', kind: 'schemaList' },
  { json: 'prefixItems', key: 'prefixItems', kind: 'schemaList' },
  { json: 'items', key: 'items', kind: 'schema' },
  { json: 'additionalProperties', key: 'additionalProperties', kind: 'schema' },
  { json: 'properties', key: 'properties', kind: 'schemaMap' },
  { json: 'type', key: 'type', kind: 'type' },
  { json: 'const', key: 'const', kind: 'any' },
  { json: 'enum', key: 'enum', kind: 'anyList' },
  { json: 'multipleOf', key: 'multipleOf', kind: 'number' },
  { json: 'maximum', key: 'maximum', kind: 'number' },
  { json: 'exclusiveMaximum', key: 'exclusiveMaximum', kind: 'number' },
  { json: 'minimum', key: 'minimum', kind: 'number' },
  { json: 'exclusiveMinimum', key: 'exclusiveMinimum', kind: 'number' },
  { json: 'maxLength', key: 'maxLength', kind: 'number' },
  { json: 'minLength', key: 'minLength', kind: 'number' },
  { json: 'pattern', key: 'pattern', kind: 'string' },
  { json: 'maxItems', key: 'maxItems', kind: 'number' },
  { json: 'minItems', key: 'minItems', kind: 'number' },
  { json: 'uniqueItems', key: 'uniqueItems', kind: 'bool' },
  { json: 'maxProperties', key: 'maxProperties', kind: 'number' },
  { json: 'minProperties', key: 'minProperties', kind: 'number' },
  { json: 'required', key: 'required', kind: 'stringList' },
  { json: 'dependentRequired', key: 'dependentRequired', kind: 'stringListMap' },
  { json: 'title', key: 'title', kind: 'string' },
  { json: 'description', key: 'description', kind: 'string' },
  { json: 'default', key: 'default', kind: 'any' },
  { json: 'deprecated', key: 'deprecated', kind: 'bool' },
  { json: 'examples', key: 'examples', kind: 'anyList' },
  { json: 'secret', key: 'secret', kind: 'bool' },
  { json: 'rotateOnly', key: 'rotateOnly', kind: 'stringList' },
];

/** The Go type of each kind, as type errors name it. */
const goTypes: Record<FieldKind, string> = {
  schemaMap: 'map[string]*schema.Schema',
  schemaList: '[]*schema.Schema',
  schema: 'schema.rawSchema',
  string: 'string',
  type: 'string',
  any: 'interface {}',
  anyList: '[]interface {}',
  number: 'json.Number',
  bool: 'bool',
  stringList: '[]string',
  stringListMap: 'map[string][]string',
};

/**
 * The schema as Go's json.Marshal writes it, as a plain JS value with numbers as JS numbers:
 * what JSON.parse gives for Go's output, for comparing with it. Key order follows Go's, except
 * that JS objects put integer-like keys first.
 */
export function schemaToJSON(schema: Schema, memo?: SchemaJSONMemo): unknown {
  return plainJSON(schema, memo);
}

/**
 * The plain JSON already made for schemas, for one conversion that meets the same schema objects
 * many times (an environment's expressions, values and their merged schema share them): the JSON
 * is made once and shared. Only for the length of one conversion, as schemas are not frozen.
 */
export type SchemaJSONMemo = Map<Schema, unknown>;

/** The exact text Go's json.Marshal writes for the schema (HTML characters escaped, as Go does). */
export function marshalSchema(schema: Schema): string {
  return jsonText(schema);
}

/** The written fields of a non-boolean schema, in order; omitempty drops zero values, `type` is always written. */
function writtenFields(schema: Schema): Array<[string, unknown]> {
  const written: Array<[string, unknown]> = [];
  for (const { json, key, kind } of fields) {
    const value: unknown = schema[key];
    if (kind === 'type') written.push([json, value ?? '']);
    else if (!isZero(value, kind)) written.push([json, value]);
  }
  return written;
}

/** Go's omitempty test for the field's type: an `any` holding false, 0 or '' is still written. */
function isZero(value: unknown, kind: FieldKind): boolean {
  if (value === undefined || value === null) return true;
  switch (kind) {
    case 'string':
    case 'bool':
      return !value;
    case 'number':
      return (value as EscNumber).text === '';
    case 'schemaList':
    case 'anyList':
    case 'stringList':
      return (value as unknown[]).length === 0;
    case 'schemaMap':
    case 'stringListMap':
      return Object.keys(value).length === 0;
    default:
      return false;
  }
}

/** Map entries (a Go map: sorted by key) of a record or Map. */
function sortedEntries(value: object): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = value instanceof Map ? [...value] : Object.entries(value);
  return entries.sort(([a], [b]) => compareUtf8(a, b));
}

function plainJSON(value: unknown, memo: SchemaJSONMemo | undefined): unknown {
  if (value instanceof Schema) {
    if (value.never || value.always) return !value.never;
    const known = memo?.get(value);
    if (known !== undefined) return known;
    // Written field by field (no entry arrays): environments hold thousands of schemas.
    const plain: Record<string, unknown> = {};
    for (const { json, key, kind } of fields) {
      const inner: unknown = value[key];
      if (kind === 'type') plain[json] = plainJSON(inner ?? '', memo);
      else if (!isZero(inner, kind)) plain[json] = plainJSON(inner, memo);
    }
    memo?.set(value, plain);
    return plain;
  }
  if (value instanceof EscNumber) return value.toNumber();
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map((inner) => plainJSON(inner, memo));
  if (typeof value === 'object' && value !== null) {
    const plain: Record<string, unknown> = {};
    for (const [key, inner] of sortedEntries(value)) setOwn(plain, key, plainJSON(inner, memo));
    return plain;
  }
  return value;
}

/** `record[key] = value` for any key, as Object.fromEntries sets it: `__proto__` made an own property, not the prototype. */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

function jsonText(value: unknown): string {
  if (value instanceof Schema) {
    if (value.never || value.always) return value.never ? 'false' : 'true';
    return `{${writtenFields(value).map(([key, inner]) => `${jsonString(key)}:${jsonText(inner)}`).join(',')}}`;
  }
  if (value instanceof EscNumber) return value.toJSONText();
  if (typeof value === 'number') return EscNumber.fromNumber(value).text;
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  return `{${sortedEntries(value as object).map(([key, inner]) => `${jsonString(key)}:${jsonText(inner)}`).join(',')}}`;
}

const stringEscapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A string as Go's encoder writes it: control characters, <, >, & and U+2028/9 escaped, lone surrogates replaced. */
function jsonString(text: string): string {
  const escaped = text.replace(/["\\\u0000-\u001f<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    if (c.length === 1 && c >= '\ud800' && c <= '\udfff') return '\\ufffd';
    return stringEscapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/**
 * A Go *json.UnmarshalTypeError: the JSON kind found, the Go type wanted, and the path of struct
 * fields to it. `fromSubschema` marks errors out of a subschema's own decoder, which stop the
 * enclosing decoder at once (Go's UnmarshalJSON returning an error), where the enclosing
 * decoder's own type errors wait until its object is read.
 */
class UnmarshalTypeError extends Error {
  constructor(
    readonly found: string,
    readonly goType: string,
    readonly path: string[] = [],
    readonly fromSubschema = false,
  ) {
    super(
      path.length === 0
        ? `json: cannot unmarshal ${found} into Go value of type ${goType}`
        : `json: cannot unmarshal ${found} into Go struct field rawSchema.${path.join('.')} of type ${goType}`,
    );
  }

  /** The error as the enclosing schema's decoder reports it: under the field it was decoding. */
  under(field: string): UnmarshalTypeError {
    return new UnmarshalTypeError(this.found, this.goType, [field, ...this.path], true);
  }
}

function typeError(value: unknown, kind: FieldKind): UnmarshalTypeError {
  return new UnmarshalTypeError(jsonKind(value), goTypes[kind]);
}

/**
 * A schema from its JSON form: a parsed JSON value, numbers as EscNumber (text kept, as
 * goJsonUnmarshal gives them) or JS numbers (as JSON.parse gives them). Reads as Go's
 * UnmarshalJSON does: `true` is Always, `false` and `null` are Never, unknown keys are ignored,
 * keys match case-insensitively when no key matches exactly, numeric fields accept numeric
 * strings, and a value of the wrong type is an error with Go's message.
 */
export function schemaFromJSON(value: unknown): Schema {
  const schema = new Schema();
  decodeSchema(schema, value);
  return schema;
}

/** Decodes into an existing schema, as Go decodes into an existing struct (a key read twice merges). */
function decodeSchema(schema: Schema, value: unknown): void {
  if (value === true || value === false || value === null) {
    if (value === true) schema.always = true;
    else schema.never = true;
    return;
  }
  if (!isObject(value)) throw new UnmarshalTypeError(jsonKind(value), goTypes.schema, [], true);
  let firstError: UnmarshalTypeError | undefined;
  for (const [key, inner] of Object.entries(value)) {
    const field = fieldNamed(key);
    if (!field) continue;
    try {
      decodeField(schema, field, inner);
    } catch (error) {
      if (!(error instanceof UnmarshalTypeError)) throw error;
      if (error.fromSubschema) throw error.under(field.json);
      firstError ??= error.under(field.json);
    }
  }
  if (firstError) throw firstError;
}

const fieldsByName = new Map(fields.map((field) => [field.json, field]));
const fieldsByFoldedName = new Map(fields.map((field) => [foldName(field.json), field]));

function fieldNamed(key: string): Field | undefined {
  return fieldsByName.get(key) ?? fieldsByFoldedName.get(foldName(key));
}

/** Go's key folding: ASCII upper case, and the two non-ASCII letters that fold onto ASCII ones. */
function foldName(name: string): string {
  return name.replace(/[a-z]/g, (c) => c.toUpperCase()).replace(/\u017f/g, 'S').replace(/\u212a/g, 'K');
}

function decodeField(schema: Schema, field: Field, value: unknown): void {
  const target = schema as unknown as Record<DataKey, unknown>;
  const { key, kind } = field;
  // null leaves Go's strings, numbers and booleans alone, and clears its pointers, slices and maps.
  if (value === null) {
    if (kind !== 'string' && kind !== 'type' && kind !== 'number' && kind !== 'bool') target[key] = undefined;
    return;
  }
  switch (kind) {
    case 'string':
    case 'type':
      if (typeof value !== 'string') throw typeError(value, kind);
      target[key] = value;
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw typeError(value, kind);
      target[key] = value;
      return;
    case 'number':
      target[key] = decodeNumber(value);
      return;
    case 'any':
      target[key] = decodeAny(value);
      return;
    case 'anyList':
      if (!Array.isArray(value)) throw typeError(value, kind);
      target[key] = value.map(decodeAny);
      return;
    case 'stringList':
      target[key] = decodeStrings(value);
      return;
    case 'stringListMap':
      target[key] = decodeMap(target[key], value, kind, decodeStrings);
      return;
    case 'schema':
      target[key] = decodeSubschema(value, target[key] instanceof Schema ? target[key] : new Schema());
      return;
    case 'schemaList': {
      if (!Array.isArray(value)) throw typeError(value, kind);
      const existing = Array.isArray(target[key]) ? (target[key] as Schema[]) : [];
      target[key] = value.map((inner, i) => decodeSubschema(inner, existing[i] ?? new Schema()));
      return;
    }
    case 'schemaMap':
      // Go keeps an existing map's other entries, but decodes each entry afresh.
      target[key] = decodeMap(target[key], value, kind, (inner) => decodeSubschema(inner, new Schema()));
      return;
  }
}

function decodeSubschema(value: unknown, into: Schema): Schema {
  // Go would keep a nil entry in a list or map, which prints as `null` and makes lookups through it panic.
  if (value === null) throw new Error('json: null is not supported as a schema inside a list or map of schemas');
  decodeSchema(into, value);
  return into;
}

function decodeMap<T>(existing: unknown, value: unknown, kind: FieldKind, decodeEntry: (value: unknown) => T): Record<string, T> {
  if (!isObject(value)) throw typeError(value, kind);
  const record = existing && typeof existing === 'object' ? (existing as Record<string, T>) : nullRecord<T>([]);
  for (const [name, inner] of Object.entries(value)) record[name] = decodeEntry(inner);
  return record;
}

/** A []string; a bad element is reported as Go does (`of type string`). */
function decodeStrings(value: unknown): string[] {
  // Go would keep a nil list in the map, which prints as `null`.
  if (value === null) throw new Error('json: null is not supported as a list of strings inside a map');
  if (!Array.isArray(value)) throw typeError(value, 'stringList');
  const bad = value.find((element) => element !== null && typeof element !== 'string');
  if (bad !== undefined) throw new UnmarshalTypeError(jsonKind(bad), 'string');
  return value.map((element: string | null) => element ?? '');
}

function decodeNumber(value: unknown): EscNumber {
  if (value instanceof EscNumber) return value;
  if (typeof value === 'number') return EscNumber.fromNumber(value);
  if (typeof value === 'string') {
    const number = EscNumber.fromText(value);
    if (!number.isValid()) throw new Error(`json: invalid number literal, trying to unmarshal ${goQuote(JSON.stringify(value))} into Number`);
    return number;
  }
  throw typeError(value, 'number');
}

/** A JSON value as Go decodes it into `any` with UseNumber: numbers as EscNumber, objects fresh. */
function decodeAny(value: unknown): unknown {
  if (typeof value === 'number') return EscNumber.fromNumber(value);
  if (Array.isArray(value)) return value.map(decodeAny);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, decodeAny(inner)]));
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof EscNumber);
}

function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || value instanceof EscNumber) return 'number';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/** Go's %q. */
function goQuote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
