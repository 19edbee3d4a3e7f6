// Evaluation results in the JSON shapes ESC's clients decode (Go's esc.Environment, esc.Value,
// esc.Expr and the API's EnvironmentDiagnostic): what the server sends for check and open.
import type { Environment } from './eval.js';
import type { ExportedAccessor, ExportedExpr } from './expr-export.js';
import { formatPropertyPath, type PropertyPath } from './property-path.js';
import { schemaToJSON, setOwn, type SchemaJSONMemo } from './schema-json.js';
import { DiagSeverity, type Diagnostic } from './syntax.js';
import type { EscRange, EscValue } from './value.js';

const zero = { line: 0, column: 0, byte: 0 };

// The converters below build each object key by key, in the order the JSON has them, rather than by
// spreading optional parts: an open environment holds tens of thousands of these objects.

const wireRange = (r: EscRange) => (r.environment !== '' ? { environment: r.environment, begin: r.begin, end: r.end } : { begin: r.begin, end: r.end });

/** A value with its trace; a value without one gets Go's zero trace. */
export function valueToWire(v: EscValue): unknown {
  const plain = v.value;
  let value: unknown = plain;
  if (Array.isArray(plain)) value = plain.map(valueToWire);
  else if (plain !== null && typeof plain === 'object' && !('toNumber' in plain)) {
    const record: Record<string, unknown> = {};
    for (const key of Object.keys(plain)) setOwn(record, key, valueToWire((plain as Record<string, EscValue>)[key]!));
    value = record;
  }
  const wire: { value?: unknown; secret?: true; unknown?: true; trace?: unknown } = {};
  if (value !== null && value !== undefined) wire.value = value;
  if (v.secret) wire.secret = true;
  if (v.unknown) wire.unknown = true;
  const def = wireRange(v.trace?.def ?? { environment: '', begin: zero, end: zero });
  wire.trace = v.trace?.base ? { def, base: valueToWire(v.trace.base) } : { def };
  return wire;
}

function wireAccessor(a: ExportedAccessor & { value?: EscRange }) {
  const wire: { index?: number; key?: string; range?: unknown; value?: unknown } = {};
  if (a.index !== undefined) wire.index = a.index;
  if (a.key !== undefined) wire.key = a.key;
  wire.range = wireRange(a.range);
  if (a.value) wire.value = wireRange(a.value);
  return wire;
}

function wireRecord<T>(record: Record<string, T>, convert: (value: T) => unknown): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const key of Object.keys(record)) setOwn(wire, key, convert(record[key]!));
  return wire;
}

/** An expression; `memo` shares the JSON of schemas met more than once in one conversion. */
export function exprToWire(e: ExportedExpr, memo: SchemaJSONMemo = new Map()): unknown {
  const wire: Record<string, unknown> = { range: wireRange(e.range) };
  if (e.schema) wire.schema = schemaToJSON(e.schema, memo);
  if (e.base) wire.base = exprToWire(e.base, memo);
  if (e.keyRanges) wire.keyRanges = wireRecord(e.keyRanges, wireRange);
  if (e.literal !== undefined) wire.literal = e.literal;
  if (e.interpolate) {
    wire.interpolate = e.interpolate.map((p) => {
      const part: { text?: string; value?: unknown } = {};
      if (p.text) part.text = p.text;
      if (p.value) part.value = p.value.map(wireAccessor);
      return part;
    });
  }
  if (e.symbol) wire.symbol = e.symbol.map(wireAccessor);
  if (e.access) wire.access = { receiver: wireRange(e.access.receiver), accessors: e.access.accessors.map(wireAccessor) };
  if (e.list) wire.list = e.list.map((item) => exprToWire(item, memo));
  if (e.object) wire.object = wireRecord(e.object, (item) => exprToWire(item, memo));
  if (e.builtin) {
    const { name, nameRange, argSchema, arg } = e.builtin;
    wire.builtin = { name, nameRange: wireRange(nameRange), argSchema: schemaToJSON(argSchema, memo), arg: exprToWire(arg, memo) };
  }
  return wire;
}

/** A whole evaluated environment; an empty definition evaluates to the empty environment. */
export function environmentToWire(environment: Environment | undefined): unknown {
  if (!environment) return {};
  const memo: SchemaJSONMemo = new Map();
  const wire: Record<string, unknown> = {};
  if (environment.exprs) wire.exprs = wireRecord(environment.exprs, (e) => exprToWire(e, memo));
  if (Object.keys(environment.properties).length > 0) wire.properties = wireRecord(environment.properties, valueToWire);
  wire.schema = schemaToJSON(environment.schema, memo);
  wire.executionContext = { properties: wireRecord(environment.executionContext.properties, valueToWire), schema: schemaToJSON(environment.executionContext.schema, memo) };
  return wire;
}

/** The API's EnvironmentDiagnostic: range in the environment's terms, severity by name. */
export function diagnosticToWire(d: Diagnostic): unknown {
  return {
    ...(d.range && {
      range: {
        environment: d.range.filename,
        begin: { line: d.range.start.line, column: d.range.start.column, byte: d.range.start.byte },
        end: { line: d.range.end.line, column: d.range.end.column, byte: d.range.end.byte },
      },
    }),
    summary: d.summary,
    ...(d.detail && { detail: d.detail }),
    ...(d.path && { path: d.path }),
    severity: d.severity === DiagSeverity.warning ? 'warning' : 'error',
  };
}

/**
 * What `yaml/check` adds beside the environment: how often each builtin is used, and where the
 * rotators are (property paths under `values`).
 */
export function functionSummary(environment: Environment | undefined): { funcCounts: Record<string, number>; rotationPaths: string[] } {
  const funcCounts: Record<string, number> = {};
  const rotationPaths: string[] = [];
  const visit = (e: ExportedExpr, path: PropertyPath) => {
    if (e.builtin) {
      const name = e.builtin.name.startsWith('fn::open::') ? 'fn::open' : e.builtin.name.startsWith('fn::rotate::') ? 'fn::rotate' : e.builtin.name;
      funcCounts[name] = (funcCounts[name] ?? 0) + 1;
      if (name === 'fn::rotate') rotationPaths.push(formatPropertyPath(path));
      visit(e.builtin.arg, path);
    }
    e.list?.forEach((item, index) => visit(item, [...path, index]));
    for (const [key, value] of Object.entries(e.object ?? {})) visit(value, [...path, key]);
  };
  for (const [key, expr] of Object.entries(environment?.exprs ?? {})) visit(expr, [key]);
  return { funcCounts, rotationPaths };
}
