// Evaluation results in the JSON shapes ESC's clients decode (Go's esc.Environment, esc.Value,
// esc.Expr and the API's EnvironmentDiagnostic): what the server sends for check and open.
import type { Environment } from './eval.js';
import type { ExportedAccessor, ExportedExpr } from './expr-export.js';
import { formatPropertyPath, type PropertyPath } from './property-path.js';
import { schemaToJSON } from './schema.js';
import { DiagSeverity, type Diagnostic } from './syntax.js';
import type { EscRange, EscValue } from './value.js';

const zero = { line: 0, column: 0, byte: 0 };

const wireRange = (r: EscRange) => ({ ...(r.environment !== '' && { environment: r.environment }), begin: r.begin, end: r.end });

/** A value with its trace; a value without one gets Go's zero trace. */
export function valueToWire(v: EscValue): unknown {
  const plain = v.value;
  let value: unknown = plain;
  if (Array.isArray(plain)) value = plain.map(valueToWire);
  else if (plain !== null && typeof plain === 'object' && !('toNumber' in plain)) {
    value = Object.fromEntries(Object.entries(plain).map(([key, inner]) => [key, valueToWire(inner)]));
  }
  const def = v.trace?.def ?? { environment: '', begin: zero, end: zero };
  return {
    ...(value !== null && value !== undefined && { value }),
    ...(v.secret && { secret: true }),
    ...(v.unknown && { unknown: true }),
    trace: { def: wireRange(def), ...(v.trace?.base && { base: valueToWire(v.trace.base) }) },
  };
}

const wireAccessor = (a: ExportedAccessor & { value?: EscRange }) => ({
  ...(a.index !== undefined && { index: a.index }),
  ...(a.key !== undefined && { key: a.key }),
  range: wireRange(a.range),
  ...(a.value && { value: wireRange(a.value) }),
});

export function exprToWire(e: ExportedExpr): unknown {
  return {
    range: wireRange(e.range),
    ...(e.schema && { schema: schemaToJSON(e.schema) }),
    ...(e.base && { base: exprToWire(e.base) }),
    ...(e.keyRanges && { keyRanges: Object.fromEntries(Object.entries(e.keyRanges).map(([key, r]) => [key, wireRange(r)])) }),
    ...(e.literal !== undefined && { literal: e.literal }),
    ...(e.interpolate && { interpolate: e.interpolate.map((p) => ({ ...(p.text && { text: p.text }), ...(p.value && { value: p.value.map(wireAccessor) }) })) }),
    ...(e.symbol && { symbol: e.symbol.map(wireAccessor) }),
    ...(e.access && { access: { receiver: wireRange(e.access.receiver), accessors: e.access.accessors.map(wireAccessor) } }),
    ...(e.list && { list: e.list.map(exprToWire) }),
    ...(e.object && { object: Object.fromEntries(Object.entries(e.object).map(([k, v]) => [k, exprToWire(v)])) }),
    ...(e.builtin && {
      builtin: { name: e.builtin.name, nameRange: wireRange(e.builtin.nameRange), argSchema: schemaToJSON(e.builtin.argSchema), arg: exprToWire(e.builtin.arg) },
    }),
  };
}

/** A whole evaluated environment; an empty definition evaluates to the empty environment. */
export function environmentToWire(environment: Environment | undefined): unknown {
  if (!environment) return {};
  const values = (record: Record<string, EscValue>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, valueToWire(v)]));
  return {
    ...(environment.exprs && { exprs: Object.fromEntries(Object.entries(environment.exprs).map(([k, v]) => [k, exprToWire(v)])) }),
    ...(Object.keys(environment.properties).length > 0 && { properties: values(environment.properties) }),
    schema: schemaToJSON(environment.schema),
    executionContext: { properties: values(environment.executionContext.properties), schema: schemaToJSON(environment.executionContext.schema) },
  };
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
