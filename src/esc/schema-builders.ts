// Builders for schemas, after the Go package's: `schemaBuilders.string().minLength(1).schema()`.
// Each builder holds one Schema, which its chained calls fill in and schema() returns (the same
// object each time, so later calls still change it). Anything that takes a subschema takes a
// builder or a Schema alike.
import { EscNumber, nullRecord, Schema, sortUtf8, type SchemaLike } from './schema.js';

/** Subschemas by name (Go's BuilderMap / SchemaMap). */
export type SchemaLikeMap = ReadonlyMap<string, SchemaLike> | Readonly<Record<string, SchemaLike>>;

type NumberLike = EscNumber | number;

function built(items: readonly SchemaLike[]): Schema[] {
  return items.map((item) => item.schema());
}

function builtMap(map: SchemaLikeMap): Record<string, Schema> {
  const entries = map instanceof Map ? [...map] : Object.entries(map);
  return nullRecord(entries.map(([key, value]) => [key, value.schema()]));
}

function escNumber(n: NumberLike): EscNumber {
  return n instanceof EscNumber ? n : EscNumber.fromNumber(n);
}

/** A count, as Go's builders spell an int: decimal digits. */
function countText(n: number): EscNumber {
  return EscNumber.fromText(BigInt(Math.trunc(n)).toString());
}

/** What every builder offers: the applicators and the metadata common to all types. */
abstract class TypedBuilder implements SchemaLike {
  protected readonly s: Schema;

  constructor(type: string) {
    this.s = new Schema();
    this.s.type = type;
  }

  schema(): Schema {
    return this.s;
  }

  ref(ref: string): this {
    this.s.ref = ref;
    return this;
  }

  anyOf(...schemas: SchemaLike[]): this {
    this.s.anyOf = built(schemas);
    return this;
  }

  oneOf(...schemas: SchemaLike[]): this {
    this.s.oneOf = built(schemas);
    return this;
  }

  title(title: string): this {
    this.s.title = title;
    return this;
  }

  description(description: string): this {
    this.s.description = description;
    return this;
  }

  deprecated(deprecated: boolean): this {
    this.s.deprecated = deprecated;
    return this;
  }
}

export class NullBuilder extends TypedBuilder {
  constructor() {
    super('null');
  }
}

export class BooleanBuilder extends TypedBuilder {
  constructor() {
    super('boolean');
  }

  const(value: boolean): this {
    this.s.const = value;
    return this;
  }

  default(value: boolean): this {
    this.s.default = value;
    return this;
  }
}

export class NumberBuilder extends TypedBuilder {
  constructor() {
    super('number');
  }

  const(value: NumberLike): this {
    this.s.const = escNumber(value);
    return this;
  }

  enum(...values: NumberLike[]): this {
    this.s.enum = values.map(escNumber);
    return this;
  }

  multipleOf(n: NumberLike): this {
    this.s.multipleOf = escNumber(n);
    return this;
  }

  maximum(n: NumberLike): this {
    this.s.maximum = escNumber(n);
    return this;
  }

  exclusiveMaximum(n: NumberLike): this {
    this.s.exclusiveMaximum = escNumber(n);
    return this;
  }

  minimum(n: NumberLike): this {
    this.s.minimum = escNumber(n);
    return this;
  }

  exclusiveMinimum(n: NumberLike): this {
    this.s.exclusiveMinimum = escNumber(n);
    return this;
  }

  default(value: NumberLike): this {
    this.s.default = escNumber(value);
    return this;
  }

  examples(...values: NumberLike[]): this {
    this.s.examples = values.map(escNumber);
    return this;
  }
}

export class StringBuilder extends TypedBuilder {
  constructor() {
    super('string');
  }

  const(value: string): this {
    this.s.const = value;
    return this;
  }

  enum(...values: string[]): this {
    this.s.enum = values;
    return this;
  }

  maxLength(n: number): this {
    this.s.maxLength = countText(n);
    return this;
  }

  minLength(n: number): this {
    this.s.minLength = countText(n);
    return this;
  }

  /** A Go (RE2) regular expression; compile() checks it. */
  pattern(pattern: string): this {
    this.s.pattern = pattern;
    return this;
  }

  default(value: string): this {
    this.s.default = value;
    return this;
  }

  examples(...values: string[]): this {
    this.s.examples = values;
    return this;
  }
}

export class ArrayBuilder extends TypedBuilder {
  constructor() {
    super('array');
  }

  defs(defs: SchemaLikeMap): this {
    this.s.defs = builtMap(defs);
    return this;
  }

  prefixItems(...items: SchemaLike[]): this {
    return this.prefixItemsOf(items);
  }

  /** As prefixItems, for arrays too long to spread into arguments. */
  prefixItemsOf(items: SchemaLike[]): this {
    this.s.prefixItems = built(items);
    return this;
  }

  items(items: SchemaLike | undefined): this {
    this.s.items = items?.schema();
    return this;
  }

  minItems(n: number): this {
    this.s.minItems = countText(n);
    return this;
  }

  maxItems(n: number): this {
    this.s.maxItems = countText(n);
    return this;
  }

  uniqueItems(unique: boolean): this {
    this.s.uniqueItems = unique;
    return this;
  }

  /** Not in Go's builder (Go writes `&schema.Schema{Type: "array", Const: …}`); JSON with numbers as EscNumber. */
  const(value: unknown[]): this {
    this.s.const = value;
    return this;
  }

  default(value: unknown[]): this {
    this.s.default = value;
    return this;
  }

  examples(...values: unknown[][]): this {
    this.s.examples = values;
    return this;
  }
}

export class ObjectBuilder extends TypedBuilder {
  constructor() {
    super('object');
  }

  defs(defs: SchemaLikeMap): this {
    this.s.defs = builtMap(defs);
    return this;
  }

  properties(properties: SchemaLikeMap): this {
    this.s.properties = builtMap(properties);
    return this;
  }

  additionalProperties(schema: SchemaLike | undefined): this {
    this.s.additionalProperties = schema?.schema();
    return this;
  }

  minProperties(n: number): this {
    this.s.minProperties = countText(n);
    return this;
  }

  maxProperties(n: number): this {
    this.s.maxProperties = countText(n);
    return this;
  }

  required(...names: string[]): this {
    this.s.required = names;
    return this;
  }

  dependentRequired(names: ReadonlyMap<string, string[]> | Readonly<Record<string, string[]>>): this {
    this.s.dependentRequired = nullRecord(names instanceof Map ? names : Object.entries(names));
    return this;
  }

  /** Properties evaluated only when rotating; compile() marks their schemas (see Schema.isRotateOnly). */
  rotateOnly(...names: string[]): this {
    this.s.rotateOnly = names;
    return this;
  }

  /** Not in Go's builder (Go writes `&schema.Schema{Type: "object", Const: …}`); JSON with numbers as EscNumber. */
  const(value: Record<string, unknown>): this {
    this.s.const = value;
    return this;
  }

  default(value: Record<string, unknown>): this {
    this.s.default = value;
    return this;
  }

  examples(...values: Array<Record<string, unknown>>): this {
    this.s.examples = values;
    return this;
  }
}

/** Accepts nothing: prints as `false`. */
function never(): Schema {
  return new Schema({ never: true });
}

/** Accepts anything: prints as `true`. */
function always(): Schema {
  return new Schema({ always: true });
}

function ref(ref: string): Schema {
  return new Schema({ ref });
}

function anyOf(...schemas: SchemaLike[]): Schema {
  return new Schema({ anyOf: built(schemas) });
}

function oneOf(...schemas: SchemaLike[]): Schema {
  return new Schema({ oneOf: built(schemas) });
}

/** An array of exactly these elements. */
function tuple(...items: SchemaLike[]): ArrayBuilder {
  return tupleOf(items);
}

/** As tuple, for a list of any length: an evaluated array may have more elements than a call has room for arguments. */
function tupleOf(items: SchemaLike[]): ArrayBuilder {
  return new ArrayBuilder().prefixItemsOf(items).items(never());
}

/** An object with exactly these properties, all required (sorted, as Go sorts them). */
function record(properties: SchemaLikeMap): ObjectBuilder {
  return recordOf(builtMap(properties));
}

/**
 * As record, of a null-prototype record of schemas the builder takes over: the evaluator makes one
 * for every object it evaluates and merges, some with thousands of properties.
 */
function recordOf(properties: Record<string, Schema>): ObjectBuilder {
  const builder = new ObjectBuilder();
  const s = builder.schema();
  s.properties = properties;
  s.required = sortUtf8(Object.keys(properties));
  return builder;
}

/** The schema fn::validate checks its `schema` argument against: the JSON Schema this package reads. */
export function jsonSchemaSchema(): Schema {
  const subschema = () => ref('#/$defs/schema');
  const typed = (type: string, fields: ConstructorParameters<typeof Schema>[0] = {}) => new Schema({ type, ...fields });
  const schemaMap = () => typed('object', { additionalProperties: subschema() });
  const number = () => typed('number');
  const objectSchema = typed('object', {
    properties: nullRecord(
      Object.entries({
        $defs: schemaMap(),
        $ref: typed('string'),
        anyOf: typed('array', { items: subschema() }),
        oneOf: typed('array', { items: subschema() }),
        prefixItems: typed('array', { items: subschema() }),
        items: subschema(),
        additionalProperties: subschema(),
        properties: schemaMap(),
        type: typed('string', { enum: ['string', 'number', 'boolean', 'array', 'object', 'null'] }),
        const: new Schema(),
        enum: typed('array'),
        multipleOf: number(),
        maximum: number(),
        exclusiveMaximum: number(),
        minimum: number(),
        exclusiveMinimum: number(),
        maxLength: number(),
        minLength: number(),
        pattern: typed('string'),
        maxItems: number(),
        minItems: number(),
        uniqueItems: typed('boolean'),
        maxProperties: number(),
        minProperties: number(),
        required: typed('array', { items: typed('string') }),
        dependentRequired: typed('object', { additionalProperties: typed('array', { items: typed('string') }) }),
        title: typed('string'),
        description: typed('string'),
        default: new Schema(),
        deprecated: typed('boolean'),
        examples: typed('array'),
      }),
    ),
  });
  return new Schema({
    defs: nullRecord([['schema', new Schema({ anyOf: [typed('boolean'), objectSchema] })]]),
    ref: '#/$defs/schema',
  });
}

/** The Go package's constructors, under one name (`null` cannot be a function's name). */
export const schemaBuilders = {
  never,
  always,
  ref,
  anyOf,
  oneOf,
  null: () => new NullBuilder(),
  boolean: () => new BooleanBuilder(),
  number: () => new NumberBuilder(),
  string: () => new StringBuilder(),
  array: () => new ArrayBuilder(),
  tuple,
  tupleOf,
  object: () => new ObjectBuilder(),
  record,
  recordOf,
  jsonSchemaSchema,
};
