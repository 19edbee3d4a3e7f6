// The schemas Pulumi ESC gives every expression and value: JSON Schema (core, applicator,
// validation and metadata vocabularies) plus ESC's `secret` and `rotateOnly`, with the behaviour
// of the `schema` package of pulumi/esc. Environments carry schemas in their JSON, so they print
// and parse exactly as Go's encoding/json does, numbers keeping their text as json.Number does.
// The builders (schemaBuilders) live in schema-builders.ts.
import { compileGoRegexp } from './schema-regexp.js';
import { schemaToJSON } from './schema-json.js';

export { GoRegexpError } from './schema-regexp.js';
export { marshalSchema, schemaFromJSON, schemaToJSON } from './schema-json.js';
export {
  ArrayBuilder,
  BooleanBuilder,
  jsonSchemaSchema,
  NullBuilder,
  NumberBuilder,
  ObjectBuilder,
  schemaBuilders,
  StringBuilder,
  type SchemaLikeMap,
} from './schema-builders.js';

const jsonNumberSyntax = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/**
 * A JSON number kept as its decimal text, like Go's json.Number: `3.14` and `42` print back as
 * written and limits parse exactly, where a JS number would round long digits and print `1.0` as `1`.
 * Use it wherever ESC keeps a json.Number (schema limits and consts, number values).
 */
export class EscNumber {
  private constructor(readonly text: string) {}

  /** The number spelled `text`, kept verbatim: like json.Number, any text is held, JSON syntax is checked when printed. */
  static fromText(text: string): EscNumber {
    return new EscNumber(text);
  }

  /** A JS number, spelled as Go's encoding/json spells a float64 (`0.1`, `1e+21`, `1e-7`). */
  static fromNumber(value: number): EscNumber {
    if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN'}`);
    // JS and Go both print the shortest digits that round-trip, and switch to exponent form
    // outside [1e-6, 1e21) alike; only negative zero differs.
    return new EscNumber(Object.is(value, -0) ? '-0' : String(value));
  }

  /** Whether the text is JSON number syntax, which Go's encoder demands of a json.Number. */
  isValid(): boolean {
    return jsonNumberSyntax.test(this.text);
  }

  /** The text Go's encoding/json writes: the number's own text, `0` when empty. */
  toJSONText(): string {
    if (this.text === '') return '0';
    if (!this.isValid()) throw new Error(`json: invalid number literal ${JSON.stringify(this.text)}`);
    return this.text;
  }

  /** The text, as Go's fmt prints a json.Number in messages. */
  toString(): string {
    return this.text;
  }

  toNumber(): number {
    return Number(this.text);
  }

  /** Go compares json.Numbers as strings: `1` and `1.0` differ. */
  equals(other: EscNumber): boolean {
    return this.text === other.text;
  }

  /** The number as ESC compares it against schema limits; throws as Go's big.ParseFloat does. */
  toBigFloat(): GoBigFloat {
    return GoBigFloat.parse(this.text);
  }

  toJSON(): number {
    return this.toNumber();
  }
}

const mantissaBits = 64;
const mantissaLimit = 1n << BigInt(mantissaBits);
/** Beyond this decimal exponent, exact arithmetic costs too much; values are approximated. */
const exactExponentLimit = 100_000;

/**
 * A binary floating-point number with a 64-bit mantissa, rounded to nearest even: the *big.Float
 * that Go's big.ParseFloat(text, 10, 0, ToNearestEven) gives and ESC checks numbers with. Limits
 * compare and divide at that precision, so results match ESC's: 0.3 / 0.1 is exactly 3 here,
 * and 2.9999999999999996 in float64.
 */
export class GoBigFloat {
  private constructor(
    private readonly negative: boolean,
    /** The magnitude is mantissa × 2^exponent; the mantissa is below 2^64, and 0 for zero. */
    private readonly mantissa: bigint,
    private readonly exponent: number,
    private readonly special?: 'inf' | 'nan',
  ) {}

  /** Go's big.ParseFloat in base 10, with its error messages. */
  static parse(text: string): GoBigFloat {
    if (text === '') throw new Error('EOF');
    const infinity = /^([+-]?)[Ii]nf$/.exec(text);
    if (infinity) return new GoBigFloat(infinity[1] === '-', 0n, 0, 'inf');
    const match = /^([+-]?)([0-9]*)(?:\.([0-9]*))?/.exec(text)!;
    const [, sign, whole = '', fraction = ''] = match;
    if (whole === '' && fraction === '') throw new Error('number has no digits');
    let pos = match[0].length;
    let exp10 = -fraction.length;
    let exp2 = 0;
    const exponent = /^([eEpP])([+-]?)([0-9]*)/.exec(text.slice(pos));
    if (exponent) {
      if (exponent[3] === '') throw new Error('number has no digits');
      const value = Number(`${exponent[2]}${exponent[3]}`);
      if (!Number.isSafeInteger(value) || Math.abs(value) > 2 ** 31) throw new Error('exponent overflow');
      if (exponent[1] === 'e' || exponent[1] === 'E') exp10 += value;
      else exp2 = value;
      pos += exponent[0].length;
    }
    if (pos < text.length) throw new Error(`expected end of string, found ${quoteRune(String.fromCodePoint(text.codePointAt(pos)!))}`);
    return GoBigFloat.fromDecimal(sign === '-', BigInt(`${whole}${fraction}`), exp10, exp2);
  }

  /** digits × 10^exp10 × 2^exp2, rounded. */
  private static fromDecimal(negative: boolean, digits: bigint, exp10: number, exp2: number): GoBigFloat {
    if (digits === 0n) return new GoBigFloat(negative, 0n, 0);
    if (Math.abs(exp10) > exactExponentLimit || Math.abs(exp2) > 4 * exactExponentLimit) {
      // Far out of any limit's range: keep the magnitude's order, which is all comparisons need.
      const log2 = bitLength(digits) + exp10 * Math.log2(10) + exp2;
      return new GoBigFloat(negative, 1n << 63n, Math.round(log2) - 64);
    }
    const pow10 = 10n ** BigInt(Math.abs(exp10));
    const numerator = (exp10 > 0 ? digits * pow10 : digits) << BigInt(Math.max(exp2, 0));
    const denominator = (exp10 < 0 ? pow10 : 1n) << BigInt(Math.max(-exp2, 0));
    const [mantissa, exponent] = roundQuotient(numerator, denominator);
    return new GoBigFloat(negative, mantissa, exponent);
  }

  isInt(): boolean {
    if (this.special) return false;
    if (this.mantissa === 0n || this.exponent >= 0) return true;
    return -this.exponent < mantissaBits && this.mantissa % (1n << BigInt(-this.exponent)) === 0n;
  }

  /** -1, 0 or 1 as this is below, equal to or above `other` (NaN compares equal, where Go panics). */
  cmp(other: GoBigFloat): -1 | 0 | 1 {
    if (this.special === 'nan' || other.special === 'nan') return 0;
    const sign = (x: GoBigFloat) => (x.mantissa === 0n && !x.special ? 0 : x.negative ? -1 : 1);
    if (sign(this) !== sign(other)) return sign(this) < sign(other) ? -1 : 1;
    const magnitude = this.compareMagnitude(other);
    return this.negative && magnitude !== 0 ? (-magnitude as -1 | 1) : magnitude;
  }

  private compareMagnitude(other: GoBigFloat): -1 | 0 | 1 {
    if (this.special || other.special) return this.special === other.special ? 0 : this.special ? 1 : -1;
    const top = (x: GoBigFloat) => bitLength(x.mantissa) + x.exponent;
    if (top(this) !== top(other)) return top(this) < top(other) ? -1 : 1;
    const shift = this.exponent - other.exponent;
    const a = shift > 0 ? this.mantissa << BigInt(shift) : this.mantissa;
    const b = shift < 0 ? other.mantissa << BigInt(-shift) : other.mantissa;
    return a === b ? 0 : a < b ? -1 : 1;
  }

  /** this / other, rounded to 64 bits; 0/0 and Inf/Inf give NaN (which is not an integer), where Go panics. */
  quo(other: GoBigFloat): GoBigFloat {
    const negative = this.negative !== other.negative;
    const zero = (x: GoBigFloat) => !x.special && x.mantissa === 0n;
    if (this.special === 'nan' || other.special === 'nan' || (zero(this) && zero(other)) || (this.special && other.special)) {
      return new GoBigFloat(false, 0n, 0, 'nan');
    }
    if (this.special || zero(other)) return new GoBigFloat(negative, 0n, 0, 'inf');
    if (other.special || zero(this)) return new GoBigFloat(negative, 0n, 0);
    const [mantissa, exponent] = roundQuotient(this.mantissa, other.mantissa);
    return new GoBigFloat(negative, mantissa, exponent + this.exponent - other.exponent);
  }
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** numerator / denominator (both positive) as [mantissa, exponent]: 64 bits, rounded to nearest even. */
function roundQuotient(numerator: bigint, denominator: bigint): [bigint, number] {
  let shift = bitLength(numerator) - bitLength(denominator) - mantissaBits;
  for (;;) {
    const scaledNumerator = shift < 0 ? numerator << BigInt(-shift) : numerator;
    const scaledDenominator = shift > 0 ? denominator << BigInt(shift) : denominator;
    let quotient = scaledNumerator / scaledDenominator;
    if (quotient >= mantissaLimit) {
      shift++;
      continue;
    }
    const twiceRemainder = 2n * (scaledNumerator - quotient * scaledDenominator);
    if (twiceRemainder > scaledDenominator || (twiceRemainder === scaledDenominator && (quotient & 1n) === 1n)) quotient++;
    if (quotient === mantissaLimit) return [quotient >> 1n, shift + 1];
    return [quotient, shift];
  }
}

/** Go's %q of a rune. */
function quoteRune(ch: string): string {
  return ch === "'" ? "'\\''" : `'${JSON.stringify(ch).slice(1, -1)}'`;
}

/** Anything that yields a schema: a Schema itself or a builder (Go's schema.Builder). */
export interface SchemaLike {
  schema(): Schema;
}

/** The data fields of a schema, for building one directly as Go code writes `&schema.Schema{…}`. */
export type SchemaFields = { [K in keyof Schema as Schema[K] extends (...args: never[]) => unknown ? never : K]?: Schema[K] };

/** What compile() parses out of the JSON fields, as the Go package's unexported fields. */
interface Compiled {
  ref?: Schema;
  multipleOf?: GoBigFloat;
  maximum?: GoBigFloat;
  exclusiveMaximum?: GoBigFloat;
  minimum?: GoBigFloat;
  exclusiveMinimum?: GoBigFloat;
  maxLength?: number;
  minLength?: number;
  pattern?: RegExp;
  maxItems?: number;
  minItems?: number;
  maxProperties?: number;
  minProperties?: number;
}

const notCompiled: Readonly<Compiled> = Object.freeze({});

/**
 * A schema. Absent fields are undefined (Go's zero values), except `type`, which is '' when
 * unset because Go always prints it. Maps are null-prototype records; `const`, `enum`, `default`
 * and `examples` hold plain JSON with numbers as EscNumber.
 */
export class Schema implements SchemaLike {
  // Optional fields are declared, not initialized: a schema is made for every value evaluated, and
  // forty undefined slots on each cost more than the evaluation around them.
  never = false;
  always = false;

  declare defs?: Record<string, Schema>;

  declare ref?: string;
  declare anyOf?: Schema[];
  declare oneOf?: Schema[];
  declare prefixItems?: Schema[];
  declare items?: Schema;
  declare additionalProperties?: Schema;
  declare properties?: Record<string, Schema>;

  type = '';
  declare const?: unknown;
  declare enum?: unknown[];
  declare multipleOf?: EscNumber;
  declare maximum?: EscNumber;
  declare exclusiveMaximum?: EscNumber;
  declare minimum?: EscNumber;
  declare exclusiveMinimum?: EscNumber;
  declare maxLength?: EscNumber;
  declare minLength?: EscNumber;
  declare pattern?: string;
  declare maxItems?: EscNumber;
  declare minItems?: EscNumber;
  declare uniqueItems?: boolean;
  declare maxProperties?: EscNumber;
  declare minProperties?: EscNumber;
  declare required?: string[];
  declare dependentRequired?: Record<string, string[]>;

  declare title?: string;
  declare description?: string;
  declare default?: unknown;
  declare deprecated?: boolean;
  declare examples?: unknown[];

  declare secret?: boolean;
  declare rotateOnly?: string[];

  private compiled = false;
  private rotateOnlyFlag = false;
  /** Shared and empty until compile(): most schemas are never compiled, and one is made per value. */
  private parsed: Compiled = notCompiled;

  constructor(fields?: SchemaFields) {
    if (fields) Object.assign(this, fields);
  }

  schema(): Schema {
    return this;
  }

  /** The schema of element `index` of the arrays this schema admits (Never when it admits none). */
  item(index: number): Schema {
    // Most schemas have no alternatives: the evaluator asks for every element it evaluates.
    if (!this.anyOf && !this.oneOf) return Schema.single(this.arrayItem(index));
    const alternatives = [...(this.anyOf ?? []), ...(this.oneOf ?? [])].map((s) => s.item(index));
    return Schema.union([...alternatives, this.arrayItem(index)]);
  }

  /** The schema of property `name` of the objects this schema admits (Never when it admits none). */
  property(name: string): Schema {
    if (!this.anyOf && !this.oneOf) return Schema.single(this.objectProperty(name));
    const alternatives = [...(this.anyOf ?? []), ...(this.oneOf ?? [])].map((s) => s.property(name));
    return Schema.union([...alternatives, this.objectProperty(name)]);
  }

  private arrayItem(index: number): Schema | undefined {
    if (this.type !== 'array') return undefined;
    const prefix = this.prefixItems ?? [];
    return index < prefix.length ? prefix[index] : this.items;
  }

  private objectProperty(name: string): Schema | undefined {
    if (this.type !== 'object') return undefined;
    if (this.properties && Object.hasOwn(this.properties, name)) return this.properties[name];
    return this.additionalProperties;
  }

  /** Whether values of this schema are evaluated only when rotating (set by compile() on the parent's `rotateOnly` properties). */
  isRotateOnly(): boolean {
    return this.rotateOnlyFlag;
  }

  getRef(): Schema | undefined {
    return this.parsed.ref;
  }
  getMultipleOf(): GoBigFloat | undefined {
    return this.parsed.multipleOf;
  }
  getMaximum(): GoBigFloat | undefined {
    return this.parsed.maximum;
  }
  getExclusiveMaximum(): GoBigFloat | undefined {
    return this.parsed.exclusiveMaximum;
  }
  getMinimum(): GoBigFloat | undefined {
    return this.parsed.minimum;
  }
  getExclusiveMinimum(): GoBigFloat | undefined {
    return this.parsed.exclusiveMinimum;
  }
  getMaxLength(): number | undefined {
    return this.parsed.maxLength;
  }
  getMinLength(): number | undefined {
    return this.parsed.minLength;
  }
  /** The `pattern` as a JavaScript RegExp matching what Go's regexp matches (test() is Go's MatchString). */
  getPattern(): RegExp | undefined {
    return this.parsed.pattern;
  }
  getMaxItems(): number | undefined {
    return this.parsed.maxItems;
  }
  getMinItems(): number | undefined {
    return this.parsed.minItems;
  }
  getMaxProperties(): number | undefined {
    return this.parsed.maxProperties;
  }
  getMinProperties(): number | undefined {
    return this.parsed.minProperties;
  }

  /**
   * Resolves `$ref`s against this schema's `$defs`, parses limits and patterns, and marks
   * `rotateOnly` properties, throwing Go's error message for the first problem. As in Go, each
   * schema compiles once (a second call after a failure does nothing), subschemas resolve their
   * refs against the root compile() was called on, and `$defs` compile only when referenced.
   */
  compile(): void {
    this.compileIn(this);
  }

  private compileIn(root: Schema): void {
    if (this.compiled) return;
    this.compiled = true;
    this.parsed = {};
    if (this.ref) {
      this.parsed.ref = resolveRef(root, this.ref);
      this.parsed.ref.compileIn(root);
    }
    for (const s of [...(this.anyOf ?? []), ...(this.oneOf ?? []), ...(this.prefixItems ?? [])]) s.compileIn(root);
    this.items?.compileIn(root);
    this.additionalProperties?.compileIn(root);
    for (const s of Object.values(this.properties ?? {})) s.compileIn(root);
    // The evaluator reads the flag on the property schemas themselves, so it is pushed down onto copies.
    for (const name of this.rotateOnly ?? []) {
      if (this.properties && Object.hasOwn(this.properties, name)) this.properties[name] = Schema.withRotateOnly(this.properties[name]!, new Map());
    }
    const parsed = this.parsed;
    parsed.multipleOf = parseBigFloat(this.multipleOf);
    parsed.maximum = parseBigFloat(this.maximum);
    parsed.exclusiveMaximum = parseBigFloat(this.exclusiveMaximum);
    parsed.minimum = parseBigFloat(this.minimum);
    parsed.exclusiveMinimum = parseBigFloat(this.exclusiveMinimum);
    parsed.maxLength = parseUint(this.maxLength);
    parsed.minLength = parseUint(this.minLength);
    parsed.pattern = this.pattern ? compileGoRegexp(this.pattern) : undefined;
    parsed.maxItems = parseUint(this.maxItems);
    parsed.minItems = parseUint(this.minItems);
    parsed.maxProperties = parseUint(this.maxProperties);
    parsed.minProperties = parseUint(this.minProperties);
  }

  /**
   * A copy of `s` and everything under it flagged rotate-only. Like Go, the copy's `rotateOnly`
   * lists all its properties (Go's order is random; ours is sorted). Unlike Go, which recurses
   * forever on a cyclic `$ref`, cycles are copied as cycles.
   */
  private static withRotateOnly(s: Schema, copies: Map<Schema, Schema>): Schema {
    if (s.rotateOnlyFlag) return s;
    const known = copies.get(s);
    if (known) return known;
    const copy = Object.assign(new Schema(), s);
    copies.set(s, copy);
    const mark = (x: Schema) => Schema.withRotateOnly(x, copies);
    const markAll = (list: Schema[] | undefined) => (list && list.length > 0 ? list.map(mark) : undefined);
    copy.rotateOnlyFlag = true;
    copy.parsed = { ...s.parsed, ref: s.parsed.ref && mark(s.parsed.ref) };
    copy.anyOf = markAll(s.anyOf);
    copy.oneOf = markAll(s.oneOf);
    copy.prefixItems = markAll(s.prefixItems);
    copy.items = s.items && mark(s.items);
    copy.additionalProperties = s.additionalProperties && mark(s.additionalProperties);
    copy.properties = s.properties && nullRecord(Object.entries(s.properties).map(([key, value]) => [key, mark(value)]));
    const names = Object.keys(s.properties ?? {}).sort(compareUtf8);
    copy.rotateOnly = names.length > 0 ? names : undefined;
    return copy;
  }

  /** union() of one schema. */
  private static single(schema: Schema | undefined): Schema {
    return schema === undefined || schema.never ? new Schema({ never: true }) : schema;
  }

  /** The schemas that are not Never, as one: Never when none, the schema itself when one, else their oneOf. */
  private static union(schemas: Array<Schema | undefined>): Schema {
    const live = schemas.filter((s): s is Schema => s !== undefined && !s.never);
    if (live.length === 0) return new Schema({ never: true });
    if (live.length === 1) return live[0]!;
    const union = new Schema({ oneOf: live });
    union.rotateOnlyFlag = live.every((s) => s.rotateOnlyFlag);
    return union;
  }

  /** JSON.stringify gives Go's JSON form (numbers as JS numbers; marshalSchema keeps their text). */
  toJSON(): unknown {
    return schemaToJSON(this);
  }
}

function resolveRef(root: Schema, ref: string): Schema {
  const prefix = '#/$defs/';
  const escaped = ref.startsWith(prefix) ? ref.slice(prefix.length) : undefined;
  if (escaped === undefined || escaped.includes('/')) throw new Error('only fragment references of the form #/$defs/ref are supported');
  const name = pathUnescape(escaped);
  const target = name !== undefined && root.defs && Object.hasOwn(root.defs, name) ? root.defs[name] : undefined;
  if (!target) throw new Error(`unknown subschema ${ref}`);
  return target;
}

/** Go's url.PathUnescape; undefined when the bytes are not UTF-8 (no $defs key can match them). */
function pathUnescape(text: string): string | undefined {
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(text);
  if (bad) throw new Error(`invalid URL escape ${JSON.stringify(text.slice(bad.index, bad.index + 3))}`);
  const parts = text.split(/(%[0-9A-Fa-f]{2})/);
  const bytes = Buffer.concat(parts.map((part) => (/^%[0-9A-Fa-f]{2}$/.test(part) ? Buffer.from([parseInt(part.slice(1), 16)]) : Buffer.from(part))));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function parseBigFloat(n: EscNumber | undefined): GoBigFloat | undefined {
  return n === undefined || n.text === '' ? undefined : GoBigFloat.parse(n.text);
}

/** Go's strconv.ParseUint(text, 10, 64), as a JS number (exact up to 2^53, which no length reaches). */
function parseUint(n: EscNumber | undefined): number | undefined {
  if (n === undefined || n.text === '') return undefined;
  if (!/^[0-9]+$/.test(n.text)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(n.text)}: invalid syntax`);
  if (BigInt(n.text) >= 2n ** 64n) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(n.text)}: value out of range`);
  return Number(n.text);
}

/** Byte-wise order of the UTF-8 encodings, as Go sorts map keys: code point order. */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogate pairs stand for code points above U+FFFF, which sort after U+E000–U+FFFF.
    const rank = (unit: number) => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);
    return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/**
 * Sorts strings in place by compareUtf8. Without code units from U+D800 up, UTF-16 order is code
 * point order, so the native sort (no comparator calls) gives the same order, several times faster.
 */
export function sortUtf8(names: string[]): string[] {
  // Keys often come sorted already (from a sorted Map); sorting would still copy the array.
  let sorted = true;
  for (let n = 0; n < names.length; n++) {
    const name = names[n]!;
    for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) >= 0xd800) return names.sort(compareUtf8);
    if (sorted && n > 0 && names[n - 1]! > name) sorted = false;
  }
  return sorted ? names : names.sort();
}

/** The union of two lists of distinct strings, each sorted by compareUtf8, in that order. */
export function unionSortedUtf8(a: readonly string[], b: readonly string[]): string[] {
  const union: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const order = compareUtf8(a[i]!, b[j]!);
    if (order < 0) union.push(a[i++]!);
    else if (order > 0) union.push(b[j++]!);
    else {
      union.push(a[i++]!);
      j++;
    }
  }
  while (i < a.length) union.push(a[i++]!);
  while (j < b.length) union.push(b[j++]!);
  return union;
}

export function nullRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) record[key] = value;
  return record;
}
