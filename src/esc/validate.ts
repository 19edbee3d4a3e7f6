// Checks evaluated values (and, for unknown values, their schemas) against the schema a builtin
// or a provider accepts, with ESC's diagnostics.
import { exprError, goQuote } from './ast.js';
import type { EvalExpr } from './expr.js';
import { goJsonMarshal } from './go-json.js';
import { EscNumber, sortUtf8, type Schema } from './schema.js';
import type { Diagnostic } from './syntax.js';
import { joinKey } from './syntax.js';
import type { EvalValue } from './value.js';

/**
 * Where a failure is blamed. Inside a list or object literal the element's own expression is;
 * elsewhere the defining expression is, with the path to the failing part as a prefix.
 */
interface Location {
  x: EvalExpr;
  path: string;
  prefix: boolean;
}

function indexLocation(loc: Location, index: number): Location {
  const repr = loc.x.repr;
  if (repr.kind === 'array' && index < repr.elements.length) return { x: repr.elements[index]!, path: `[${index}]`, prefix: false };
  return { x: loc.x, path: `${loc.path}[${index}]`, prefix: true };
}

function propertyLocation(loc: Location, key: string): Location {
  const repr = loc.x.repr;
  const property = repr.kind === 'object' ? repr.properties.get(key) : undefined;
  if (property) return { x: property, path: joinKey('', key), prefix: false };
  return { x: loc.x, path: joinKey(loc.path, key), prefix: true };
}

/** Checks `value` against `accept`, adding ESC's diagnostics to `diags`; false when it does not conform. */
export function validateValue(value: EvalValue, accept: Schema, diags: Diagnostic[]): boolean {
  const validator = new Validator();
  const ok = validator.element(value, accept, { x: value.def, path: '', prefix: false });
  diags.push(...validator.diags);
  return ok;
}

const isAny = (s: Schema | undefined) => s === undefined || s.always === true;
const sortedKeys = <T>(record: Record<string, T> | undefined) => sortUtf8(Object.keys(record ?? {}));

class Validator {
  readonly diags: Diagnostic[] = [];

  private error(loc: Location, summary: string): false {
    this.diags.push(exprError(loc.x.repr.node, loc.prefix ? `${loc.path}: ${summary}` : summary));
    return false;
  }

  private typeError(loc: Location, expected: string, got: string): false {
    return this.error(loc, `expected ${expected}, got ${got}`);
  }

  private checkType(actual: string, accept: Schema, loc: Location): boolean {
    return !accept.type || actual === accept.type || this.typeError(loc, accept.type, actual);
  }

  /** Runs `check` against each alternative on a fresh validator; one match is enough. */
  private anyMatches<T>(alternatives: T[] | undefined, loc: Location, check: (v: Validator, alternative: T) => boolean): boolean {
    if (!alternatives || alternatives.length === 0) return true;
    let matched = false;
    const all: Diagnostic[] = [];
    for (const alternative of alternatives) {
      const inner = new Validator();
      if (check(inner, alternative)) matched = true;
      all.push(...inner.diags);
    }
    if (matched) return true;
    this.diags.push(...all);
    return this.error(loc, 'at least one subschema must match');
  }

  /** Whether every value of schema `x` (an unknown value's) is accepted by `accept`. */
  schemaType(x: Schema | undefined, accept: Schema | undefined, loc: Location): boolean {
    if (isAny(accept)) return true;
    if (accept!.never) return false;
    if (isAny(x)) return true;
    if (x!.never) return false;
    const refOk = !accept!.getRef() || this.schemaType(x, accept!.getRef(), loc);
    const xRefOk = !x!.getRef() || this.schemaType(x!.getRef(), accept, loc);
    const xAnyOfOk = this.anyMatches(x!.anyOf, loc, (v, alternative) => v.schemaType(alternative, accept, loc));
    const xOneOfOk = this.anyMatches(x!.oneOf, loc, (v, alternative) => v.schemaType(alternative, accept, loc));
    const typeOk = !x!.type || this.checkType(x!.type, accept!, loc);
    const anyOfOk = this.anyMatches(accept!.anyOf, loc, (v, alternative) => v.schemaType(x, alternative, loc));
    // oneOf is treated as anyOf here: a schema may stand for values that each match one alternative.
    const oneOfOk = this.anyMatches(accept!.oneOf, loc, (v, alternative) => v.schemaType(x, alternative, loc));
    let complexOk = true;
    if (x!.type === 'array') complexOk = this.schemaArray(x!, accept!, loc);
    else if (x!.type === 'object') complexOk = this.schemaObject(x!, accept!, loc);
    return refOk && xRefOk && xAnyOfOk && xOneOfOk && typeOk && anyOfOk && oneOfOk && complexOk;
  }

  private schemaArray(x: Schema, accept: Schema, loc: Location): boolean {
    let ok = true;
    const xPrefix = x.prefixItems ?? [];
    const acceptPrefix = accept.prefixItems ?? [];
    const common = Math.min(xPrefix.length, acceptPrefix.length);
    for (let i = 0; i < common; i++) ok = this.schemaType(xPrefix[i], acceptPrefix[i], indexLocation(loc, i)) && ok;
    for (let i = common; i < xPrefix.length; i++) ok = this.schemaType(xPrefix[i], accept.items, indexLocation(loc, i)) && ok;
    if (xPrefix.length <= common) {
      for (let i = common; i < acceptPrefix.length; i++) ok = this.schemaType(x.items, acceptPrefix[i], indexLocation(loc, i)) && ok;
    }
    if (x.items && !x.items.never) ok = this.schemaType(x.items, accept.items, loc) && ok;
    return ok;
  }

  private schemaObject(x: Schema, accept: Schema, loc: Location): boolean {
    let ok = true;
    for (const name of sortedKeys(x.properties)) {
      const acceptProperty = accept.properties && Object.hasOwn(accept.properties, name) ? accept.properties[name] : accept.additionalProperties;
      ok = this.schemaType(x.properties![name], acceptProperty, propertyLocation(loc, name)) && ok;
    }
    if (!x.additionalProperties) {
      const required = new Set(x.required ?? []);
      const checkRequired = (names: string[]) => {
        let all = true;
        for (const name of names) if (!required.has(name)) all = this.error(propertyLocation(loc, name), 'missing required property');
        return all;
      };
      ok = checkRequired(accept.required ?? []) && ok;
      for (const name of sortedKeys(accept.dependentRequired)) {
        if (required.has(name)) ok = checkRequired(accept.dependentRequired![name]!) && ok;
      }
    } else if (!x.additionalProperties.never) {
      ok = this.schemaType(x.additionalProperties, accept.additionalProperties, loc) && ok;
    }
    return ok;
  }

  /** Whether `accept` accepts the value; unknown values are judged by their schema. */
  element(v: EvalValue, accept: Schema | undefined, loc: Location): boolean {
    try {
      accept?.compile();
    } catch (error) {
      return this.error(loc, `internal error: invalid schema: ${(error as Error).message}`);
    }
    if (isAny(accept)) return true;
    if (accept!.never) return false;
    if (v.unknown) return this.schemaType(v.schema, accept, loc);
    const refOk = !accept!.getRef() || this.element(v, accept!.getRef(), loc);
    const anyOfOk = this.anyMatches(accept!.anyOf, loc, (inner, alternative) => inner.element(v, alternative, loc));
    const oneOfOk = this.oneOf(v, accept!, loc);
    const constOk = accept!.const === undefined || accept!.const === null || equalsConst(v, accept!.const) || this.error(loc, `expected ${goJsonMarshal(accept!.const)}`);
    const enumOk = this.enumeration(v, accept!, loc);
    const typeOk = this.type(v, accept!, loc);
    return refOk && anyOfOk && oneOfOk && constOk && enumOk && typeOk;
  }

  /** Nested values are blamed on their own definitions, whatever location their container had. */
  private value(v: EvalValue, accept: Schema | undefined): boolean {
    return this.element(v, accept, { x: v.def, path: '', prefix: false });
  }

  private oneOf(v: EvalValue, accept: Schema, loc: Location): boolean {
    if (!accept.oneOf || accept.oneOf.length === 0) return true;
    let matched = false;
    const all: Diagnostic[] = [];
    for (const alternative of accept.oneOf) {
      const inner = new Validator();
      if (inner.element(v, alternative, loc)) {
        if (matched) return this.error(loc, 'exactly one subschema may match');
        matched = true;
      }
      all.push(...inner.diags);
    }
    if (matched) return true;
    this.diags.push(...all);
    return this.error(loc, 'exactly one subschema must match');
  }

  private enumeration(v: EvalValue, accept: Schema, loc: Location): boolean {
    if (!accept.enum || accept.enum.length === 0) return true;
    if (accept.enum.some((candidate) => equalsConst(v, candidate))) return true;
    if (accept.enum.length === 1) return this.error(loc, `expected ${goJsonMarshal(accept.enum[0])}`);
    return this.error(loc, `expected one of ${goJsonMarshal(accept.enum)}`);
  }

  private type(v: EvalValue, accept: Schema, loc: Location): boolean {
    const repr = v.repr;
    if (repr === null) return this.checkType('null', accept, loc);
    if (typeof repr === 'boolean') return this.checkType('boolean', accept, loc);
    if (repr instanceof EscNumber) return this.checkType('number', accept, loc) && this.number(repr, accept, loc);
    if (typeof repr === 'string') return this.checkType('string', accept, loc) && this.string(repr, accept, loc);
    if (Array.isArray(repr)) return this.checkType('array', accept, loc) && this.array(repr, accept, loc);
    return this.checkType('object', accept, loc) && this.object(v, accept, loc);
  }

  /** Limits compare at Go's big.Float precision, as ESC's do: 0.3 is a multiple of 0.1 there. */
  private number(n: EscNumber, accept: Schema, loc: Location): boolean {
    let value;
    try {
      value = n.toBigFloat();
    } catch (error) {
      return this.error(loc, `internal error: invalid number ${JSON.stringify(n.toString())} (${(error as Error).message})`);
    }
    let ok = true;
    const multipleOf = accept.getMultipleOf();
    if (multipleOf && !value.quo(multipleOf).isInt()) ok = this.error(loc, `expected a multiple of ${accept.multipleOf}`);
    const minimum = accept.getMinimum();
    if (minimum && value.cmp(minimum) < 0) ok = this.error(loc, `expected a number greater than or equal to ${accept.minimum}`);
    const exclusiveMinimum = accept.getExclusiveMinimum();
    if (exclusiveMinimum && value.cmp(exclusiveMinimum) <= 0) ok = this.error(loc, `expected a number greater than ${accept.exclusiveMinimum}`);
    const maximum = accept.getMaximum();
    // ESC's message has no space before the number.
    if (maximum && value.cmp(maximum) > 0) ok = this.error(loc, `expected a number less than or equal to${accept.maximum}`);
    const exclusiveMaximum = accept.getExclusiveMaximum();
    if (exclusiveMaximum && value.cmp(exclusiveMaximum) >= 0) ok = this.error(loc, `expected a number less than ${accept.exclusiveMaximum}`);
    return ok;
  }

  private string(text: string, accept: Schema, loc: Location): boolean {
    // Lengths count UTF-8 bytes, as Go's len does.
    const length = Buffer.byteLength(text);
    let ok = true;
    const minLength = accept.getMinLength();
    if (minLength !== undefined && length < minLength) ok = this.error(loc, `expected a string of at least length ${accept.minLength}`);
    const maxLength = accept.getMaxLength();
    if (maxLength !== undefined && length > maxLength) ok = this.error(loc, `expected a string of at most length ${accept.maxLength}`);
    const pattern = accept.getPattern();
    if (pattern && !pattern.test(text)) ok = this.error(loc, `string must match the pattern ${goQuote(accept.pattern ?? '')}`);
    return ok;
  }

  private array(elements: EvalValue[], accept: Schema, loc: Location): boolean {
    let ok = true;
    const minItems = accept.getMinItems();
    if (minItems !== undefined && elements.length < minItems) ok = this.error(loc, `expected an array with at least ${accept.minItems} items`);
    const maxItems = accept.getMaxItems();
    if (maxItems !== undefined && elements.length > maxItems) ok = this.error(loc, `expected an array with at most ${accept.maxItems} items`);
    for (const [index, element] of elements.entries()) {
      const prefix = accept.prefixItems;
      ok = this.value(element, prefix && index < prefix.length ? prefix[index] : accept.items) && ok;
    }
    return ok;
  }

  private object(v: EvalValue, accept: Schema, loc: Location): boolean {
    const keys = v.keys();
    let ok = true;
    const minProperties = accept.getMinProperties();
    if (minProperties !== undefined && keys.length < minProperties) ok = this.error(loc, `expected an object with at least ${accept.minProperties} properties`);
    const maxProperties = accept.getMaxProperties();
    if (maxProperties !== undefined && keys.length > maxProperties) ok = this.error(loc, `expected an object with at most ${accept.maxProperties} properties`);
    for (const key of keys) {
      const schema = accept.properties && Object.hasOwn(accept.properties, key) ? accept.properties[key] : accept.additionalProperties;
      ok = this.value(v.property(undefined, key)!, schema) && ok;
    }
    const present = new Set(keys);
    const missing = (accept.required ?? []).filter((key) => !present.has(key));
    for (const key of sortedKeys(accept.dependentRequired)) {
      if (present.has(key)) missing.push(...accept.dependentRequired![key]!.filter((required) => !present.has(required)));
    }
    if (missing.length > 0) ok = this.error(loc, `missing required properties: ${missing.join(', ')}`);
    return ok;
  }
}

/** Whether a value equals a schema's const: the same JSON, numbers compared by their text. */
function equalsConst(v: EvalValue, c: unknown): boolean {
  const repr = v.repr;
  if (c === null) return repr === null;
  if (typeof c === 'boolean' || typeof c === 'string') return repr === c;
  if (c instanceof EscNumber) return repr instanceof EscNumber && repr.toString() === c.toString();
  if (Array.isArray(c)) return Array.isArray(repr) && repr.length === c.length && c.every((element, i) => equalsConst(repr[i]!, element));
  if (typeof c === 'object') {
    if (!(repr instanceof Map)) return false;
    const entries = Object.entries(c as Record<string, unknown>);
    return repr.size === entries.length && entries.every(([key, inner]) => repr.has(key) && equalsConst(repr.get(key)!, inner));
  }
  return false;
}
