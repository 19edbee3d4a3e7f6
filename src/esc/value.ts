// Values of an environment as the evaluator works with them, and their exported form (ESC's
// `Value`: value, secret, unknown, trace), with the JSON views the service and the CLI print.
import type { Expr } from './ast.js';
import { goQuote } from './ast.js';
import type { EvalExpr } from './expr.js';
import { EscNumber, nullRecord, schemaBuilders as S, sortUtf8, unionSortedUtf8, type Schema } from './schema.js';
import { setOwn } from './schema-json.js';
import type { Diagnostic, Pos } from './syntax.js';
import { nodeError } from './syntax.js';

/** ESC's source range of a definition (`Range`: environment, begin, end). */
export interface EscRange {
  environment: string;
  begin: Pos;
  end: Pos;
}

/** An exported value: what `open` returns and providers receive. */
export interface EscValue {
  value?: EscPlain;
  secret?: boolean;
  unknown?: boolean;
  trace?: { def: EscRange; base?: EscValue };
}

export type EscPlain = null | boolean | EscNumber | string | EscValue[] | { [key: string]: EscValue };

export type Repr = null | boolean | EscNumber | string | EvalValue[] | Map<string, EvalValue>;

const zeroPos: Pos = { line: 0, column: 0, byte: 0 };

/** The range of an expression's syntax, or just the environment's name when it has none. */
export function rangeOf(node: Expr | undefined, environment: string): EscRange {
  const range = node?.syntax?.range;
  if (!range) return { environment, begin: zeroPos, end: zeroPos };
  return { environment: range.filename, begin: range.start, end: range.end };
}

/**
 * A value: the result of evaluating an expression, merged with the value it overrides (its base)
 * per JSON merge patch. Object properties must be read through keys() and property(), which take
 * the base into account.
 */
export class EvalValue {
  base?: EvalValue;
  unknown = false;
  rotateOnly = false;
  secret = false;
  final = false;
  private mergedKeys?: string[];
  private exported?: EscValue;
  private exporting = false;

  constructor(
    public def: EvalExpr,
    public schema: Schema,
    public repr: Repr = null,
  ) {}

  static unknownOf(def: EvalExpr, schema: Schema): EvalValue {
    const value = new EvalValue(def, schema);
    value.unknown = true;
    return value;
  }

  get isArray(): boolean {
    return Array.isArray(this.repr);
  }

  get objectRepr(): Map<string, EvalValue> | undefined {
    return this.repr instanceof Map ? this.repr : undefined;
  }

  containsUnknowns(): boolean {
    return this.unknown || this.children().some((child) => child.containsUnknowns());
  }

  /** Unknowns a reader would see: those of rotate-only inputs are only seen while rotating. */
  containsObservableUnknowns(rotating: boolean): boolean {
    if (this.unknown) return !this.rotateOnly || rotating;
    return this.children().some((child) => child.containsObservableUnknowns(rotating));
  }

  containsSecrets(): boolean {
    return this.secret || this.children().some((child) => child.containsSecrets());
  }

  private children(): EvalValue[] {
    if (Array.isArray(this.repr)) return this.repr;
    if (this.repr instanceof Map) return this.keys().map((key) => this.property(this.def.repr.node, key)!);
    return [];
  }

  /** Whether this is, or (unknown) may be, an object. */
  isObject(): boolean {
    if (this.unknown) return this.schema.always === true || this.schema.type === 'object';
    return this.repr instanceof Map;
  }

  /** The same value, or the same property of the same unknown receiver. */
  is(other: EvalValue): boolean {
    if (this === other) return true;
    if (!this.unknown || !other.unknown) return false;
    const mine = this.def.repr;
    const theirs = other.def.repr;
    if (mine.kind !== 'access' || theirs.kind !== 'access') return false;
    if (mine.accessor.kind !== 'name' || theirs.accessor.kind !== 'name') return false;
    return mine.receiver.is(theirs.receiver) && mine.accessor.name === theirs.accessor.name;
  }

  /** An aggregate of other values is unknown or secret when any of them is. */
  combine(...others: EvalValue[]): void {
    for (const other of others) {
      this.unknown = this.containsUnknowns() || other.containsUnknowns();
      this.secret = this.containsSecrets() || other.containsSecrets();
    }
  }

  /** An object's keys with its base's, sorted. */
  keys(): string[] {
    if (this.mergedKeys) return this.mergedKeys;
    if (!(this.repr instanceof Map)) return [];
    // Both lists are sorted: merged in one pass rather than sorted again at every level of imports.
    const own = sortUtf8([...this.repr.keys()]);
    const below = this.base?.keys() ?? [];
    this.mergedKeys = below.length > 0 ? unionSortedUtf8(below, own) : own;
    return this.mergedKeys;
  }

  /** A property per JSON merge patch; of an unknown receiver, an unknown late-bound access, secret when the receiver is. */
  property(node: Expr | undefined, key: string): EvalValue | undefined {
    if (this.repr instanceof Map) return this.repr.get(key) ?? this.base?.property(node, key);
    if (!this.unknown) return undefined;
    const schema = this.schema.property(key);
    const base = this.base?.property(node, key);
    const def: EvalExpr = {
      path: '',
      repr: { kind: 'access', node, receiver: this, accessor: { kind: 'name', name: key } },
      schema,
      state: 'done',
      secret: false,
      base,
    };
    const value = EvalValue.unknownOf(def, schema);
    value.base = base;
    value.secret = this.secret;
    return value;
  }

  /** Merges this value onto `base` (mutating: callers merge copies). */
  merge(base: EvalValue | undefined): void {
    if (!base || this.is(base)) return;
    if (this.base) this.base.merge(base);
    else this.base = base;
    if (this.repr instanceof Map) {
      for (const [key, property] of this.repr) property.merge(this.base.property(property.def.repr.node, key));
    }
    this.schema = mergedSchema(this.base.schema, this.schema);
  }

  /** The text of the value as interpolation and fn::toString produce it. */
  toText(): { text: string; unknown: boolean; secret: boolean } {
    if (this.unknown) return { text: '[unknown]', unknown: true, secret: this.secret };
    let unknown = false;
    let secret = this.secret;
    const repr = this.repr;
    let text = '';
    if (typeof repr === 'boolean') text = repr ? 'true' : 'false';
    else if (repr instanceof EscNumber) text = repr.toString();
    else if (typeof repr === 'string') text = repr;
    else if (Array.isArray(repr)) {
      text = repr
        .map((element) => {
          const inner = element.toText();
          unknown ||= inner.unknown;
          secret ||= inner.secret;
          return goQuote(inner.text);
        })
        .join(',');
    } else if (repr instanceof Map) {
      text = sortUtf8([...repr.keys()])
        .map((key) => {
          const inner = repr.get(key)!.toText();
          unknown ||= inner.unknown;
          secret ||= inner.secret;
          return `${goQuote(key)}=${goQuote(inner.text)}`;
        })
        .join(',');
    }
    return { text, unknown, secret };
  }

  /** The serializable form, with the trace of where the value and its base came from. */
  export(environment: string, diags: Diagnostic[]): EscValue {
    if (this.exported) return this.exported;
    if (this.exporting) {
      // Only a cycle in the value chain gets here, which evaluation should never build.
      diags.push(nodeError(this.def.repr.node?.syntax, 'internal error: cyclic export'));
      return { unknown: true };
    }
    this.exporting = true;
    try {
      // Built key by key, not by spreads and Object.fromEntries: an open exports every value it holds.
      let value: EscPlain;
      if (Array.isArray(this.repr)) value = this.repr.map((element) => element.export(environment, diags));
      else if (this.repr instanceof Map) {
        const object: Record<string, EscValue> = {};
        const node = this.def.repr.node;
        for (const key of this.keys()) setOwn(object, key, this.property(node, key)!.export(environment, diags));
        value = object;
      } else value = this.repr;
      const base = this.base?.export('<import>', diags);
      const exported: EscValue = { value };
      if (this.secret) exported.secret = true;
      if (this.unknown) exported.unknown = true;
      const def = rangeOf(this.def.repr.node, environment);
      exported.trace = base ? { def, base } : { def };
      this.exported = exported;
      return exported;
    } finally {
      this.exporting = false;
    }
  }
}

/**
 * A value built from an exported one: what providers return, and fn::fromJSON's result. Every part
 * of a secret value is secret, so a property read out of it stays secret.
 */
export function unexport(v: EscValue, def: EvalExpr, inSecret = false): EvalValue {
  const secret = inSecret || v.secret === true || def.secret;
  const plain = v.value ?? null;
  let value: EvalValue;
  if (plain === null) value = new EvalValue(def, S.null().schema(), null);
  else if (typeof plain === 'boolean') value = new EvalValue(def, S.boolean().const(plain).schema(), plain);
  else if (plain instanceof EscNumber) value = new EvalValue(def, S.number().const(plain).schema(), plain);
  else if (typeof plain === 'string') value = new EvalValue(def, S.string().const(plain).schema(), plain);
  else if (Array.isArray(plain)) {
    const elements = plain.map((element) => unexport(element, def, secret));
    value = new EvalValue(def, S.tuple(...elements.map((element) => element.schema)).schema(), elements);
  } else {
    const properties = new Map(Object.entries(plain).map(([key, property]) => [key, unexport(property, def, secret)]));
    value = new EvalValue(def, S.record(new Map([...properties].map(([key, property]) => [key, property.schema]))).schema(), properties);
  }
  value.secret = secret;
  value.unknown = v.unknown === true;
  return value;
}

/** The schema of a value merged onto a base per JSON merge patch. */
export function mergedSchema(base: Schema | undefined, top: Schema): Schema {
  if (!base || top.type !== 'object' || base.type !== 'object') return top;
  const properties = nullRecord<Schema>([]);
  const below = base.properties ?? {};
  for (const key of Object.keys(below)) properties[key] = below[key]!;
  const above = top.properties ?? {};
  for (const key of Object.keys(above)) {
    const under = properties[key];
    properties[key] = under ? mergedSchema(under, above[key]!) : above[key]!;
  }
  let additional = top.additionalProperties;
  if (base.additionalProperties) additional = additional ? S.always() : base.additionalProperties;
  return S.recordOf(properties).additionalProperties(additional).schema();
}

/** Deep copies a value graph, keeping shared values shared (evaluation merges copies, never originals). */
export function copyValue(value: EvalValue | undefined, memo = new Map<EvalValue, EvalValue>()): EvalValue | undefined {
  if (!value) return undefined;
  const known = memo.get(value);
  if (known) return known;
  const copy = new EvalValue(value.def, value.schema);
  memo.set(value, copy);
  const repr = value.repr;
  if (Array.isArray(repr)) copy.repr = repr.map((element) => copyValue(element, memo)!);
  else if (repr instanceof Map) copy.repr = new Map([...repr].map(([key, property]) => [key, copyValue(property, memo)!]));
  else copy.repr = repr;
  copy.base = copyValue(value.base, memo);
  copy.unknown = value.unknown;
  copy.secret = value.secret;
  copy.final = value.final;
  return copy;
}

/** The plain JSON view: secrets shown as "[secret]" when redacting, unknowns as "[unknown]". */
export function toJSON(v: EscValue, redact: boolean): unknown {
  if (v.secret && redact) return '[secret]';
  if (v.unknown) return '[unknown]';
  const plain = v.value ?? null;
  if (Array.isArray(plain)) return plain.map((element) => toJSON(element, redact));
  if (plain !== null && typeof plain === 'object' && !(plain instanceof EscNumber)) {
    return Object.fromEntries(Object.entries(plain).map(([key, property]) => [key, toJSON(property, redact)]));
  }
  return plain;
}

/**
 * A value with every part marked secret. ESC's MakeSecret stops at parts already secret, which
 * leaves the plain members of a secret object inside a secret value readable: this goes all the way.
 */
export function makeSecret(v: EscValue): EscValue {
  const plain = v.value ?? null;
  if (Array.isArray(plain)) return { ...v, value: plain.map(makeSecret), secret: true };
  if (plain !== null && typeof plain === 'object' && !(plain instanceof EscNumber)) {
    return { ...v, value: Object.fromEntries(Object.entries(plain).map(([k, e]) => [k, makeSecret(e)])), secret: true };
  }
  return { ...v, secret: true };
}

/** An exported value from plain JSON (numbers as EscNumber), as ESC's FromJSON. */
export function fromJSON(plain: unknown): EscValue {
  if (plain === null || plain === undefined) return {};
  if (typeof plain === 'boolean' || typeof plain === 'string' || plain instanceof EscNumber) return { value: plain };
  if (typeof plain === 'number') return { value: EscNumber.fromNumber(plain) };
  if (Array.isArray(plain)) return { value: plain.map(fromJSON) };
  return { value: Object.fromEntries(Object.entries(plain as Record<string, unknown>).map(([k, e]) => [k, fromJSON(e)])) };
}
