// Expressions in ESC's exported form (`Expr`): what the service returns as an environment's
// `exprs`, each with its range, schema and the expression it overrides.
import type { Expr, PropertyAccessor } from './ast.js';
import type { AccessorSlot, EvalExpr } from './expr.js';
import { EscNumber, schemaBuilders as S, type Schema } from './schema.js';
import { setOwn } from './schema-json.js';
import type { Range } from './syntax.js';
import { rangeOf, type EscRange } from './value.js';

export interface ExportedAccessor {
  index?: number;
  key?: string;
  range: EscRange;
}

export interface ExportedExpr {
  range: EscRange;
  schema?: Schema;
  base?: ExportedExpr;
  keyRanges?: Record<string, EscRange>;
  literal?: boolean | EscNumber | string;
  interpolate?: Array<{ text?: string; value?: Array<ExportedAccessor & { value: EscRange }> }>;
  symbol?: Array<ExportedAccessor & { value: EscRange }>;
  access?: { receiver: EscRange; accessors: ExportedAccessor[] };
  list?: ExportedExpr[];
  object?: Record<string, ExportedExpr>;
  builtin?: { name: string; nameRange: EscRange; argSchema: Schema; arg: ExportedExpr };
}

const zeroPos = { line: 0, column: 0, byte: 0 };

function convertRange(range: Range | undefined, environment: string): EscRange {
  if (!range) return { environment, begin: zeroPos, end: zeroPos };
  return { environment: range.filename, begin: range.start, end: range.end };
}

function exportAccessor(accessor: PropertyAccessor, environment: string): ExportedAccessor {
  const range = convertRange(accessor.range, environment);
  if (accessor.kind === 'name') return { key: accessor.name, range };
  return typeof accessor.index === 'number' ? { index: accessor.index, range } : { key: accessor.index, range };
}

/** Accessors with the range of the value each resolved to (a zero range when it resolved to none). */
function exportSlots(slots: AccessorSlot[], environment: string) {
  const none: EscRange = { environment: '', begin: zeroPos, end: zeroPos };
  return slots.map((slot) => ({ ...exportAccessor(slot.accessor, environment), value: slot.value ? rangeOf(slot.value.def.repr.node, environment) : none }));
}

const nodeRange = (node: Expr | undefined, environment: string) => rangeOf(node, environment);

/** The exported form of an expression, as ESC's `(*expr).export`. */
export function exportExpr(x: EvalExpr, environment: string): ExportedExpr {
  let exported: ExportedExpr = { range: nodeRange(x.repr.node, environment), schema: x.schema };
  if (x.base) exported.base = exportExpr(x.base.def, environment);
  const repr = x.repr;
  const child = (inner: EvalExpr) => exportExpr(inner, environment);
  const builtin = (node: Extract<EvalExpr['repr'], { node: { kind: 'builtin' } }>['node'], argSchema: Schema, arg: ExportedExpr) => ({
    name: node.name.value,
    nameRange: convertRange(node.name.syntax?.range, environment),
    argSchema,
    arg,
  });
  const argsRange = (node: { args?: Expr }) => nodeRange(node.args, environment);
  switch (repr.kind) {
    case 'missing':
      break;
    case 'literal': {
      const node = repr.node;
      if (node?.kind === 'boolean' || node?.kind === 'string') exported.literal = node.value;
      else if (node?.kind === 'number') exported.literal = EscNumber.fromText(node.text);
      break;
    }
    case 'interpolate':
      exported.interpolate = repr.parts.map((part) => ({
        ...(part.syntax.text !== '' && { text: part.syntax.text }),
        ...(part.accessors && part.accessors.length > 0 && { value: exportSlots(part.accessors, environment) }),
      }));
      break;
    case 'symbol':
      exported.symbol = exportSlots(repr.accessors, environment);
      break;
    case 'access': {
      const accessor = exportAccessor(repr.accessor, environment);
      if (repr.receiver.def.repr.kind === 'access') {
        exported = exportExpr(repr.receiver.def, environment);
        exported.access!.accessors.push(accessor);
      } else {
        exported.access = { receiver: nodeRange(repr.receiver.def.repr.node, environment), accessors: [accessor] };
      }
      break;
    }
    case 'array':
      if (repr.elements.length > 0) exported.list = repr.elements.map(child);
      break;
    case 'object': {
      const node = repr.node;
      // Key by key rather than through Object.fromEntries: the root object has every top-level value.
      if (node.kind === 'object') {
        const keyRanges: Record<string, EscRange> = {};
        let any = false;
        for (const { key } of node.entries) {
          if (!key) continue;
          setOwn(keyRanges, key.value, convertRange(key.syntax?.range, environment));
          any = true;
        }
        if (any) exported.keyRanges = keyRanges;
      }
      if (repr.properties.size > 0) {
        const object: Record<string, ExportedExpr> = {};
        for (const [key, value] of repr.properties) setOwn(object, key, child(value));
        exported.object = object;
      }
      break;
    }
    case 'open':
      exported.builtin =
        repr.node.name.value === 'fn::open'
          ? builtin(repr.node, S.record({ provider: S.string(), inputs: repr.inputSchema }).schema(), {
              range: { environment: '', begin: zeroPos, end: zeroPos },
              object: { provider: child(repr.provider), inputs: child(repr.inputs) },
            })
          : builtin(repr.node, repr.inputSchema, child(repr.inputs));
      break;
    case 'rotate': {
      const long = repr.node.name.value === 'fn::rotate';
      const argSchema = long
        ? S.record({ provider: S.string(), inputs: repr.inputSchema, state: repr.stateSchema }).schema()
        : S.record({ inputs: repr.inputSchema, state: repr.stateSchema }).schema();
      const object: Record<string, ExportedExpr> = { ...(long && { provider: child(repr.provider) }), inputs: child(repr.inputs), state: child(repr.state) };
      exported.builtin = builtin(repr.node, argSchema, { range: { environment: '', begin: zeroPos, end: zeroPos }, object });
      break;
    }
    case 'join':
      exported.builtin = builtin(repr.node, S.tuple(S.string(), S.array().items(S.string())).schema(), {
        range: argsRange(repr.node),
        list: [child(repr.delimiter), child(repr.values)],
      });
      break;
    case 'split':
      exported.builtin = builtin(repr.node, S.tuple(S.string(), S.string()).schema(), { range: argsRange(repr.node), list: [child(repr.delimiter), child(repr.string)] });
      break;
    case 'secret':
      exported.builtin = builtin(
        repr.node,
        S.always(),
        repr.plaintext ? child(repr.plaintext) : { range: argsRange(repr.node), object: { ciphertext: child(repr.ciphertext!) } },
      );
      break;
    case 'validate':
      exported.builtin = builtin(repr.node, S.record({ schema: S.jsonSchemaSchema(), value: S.always() }).schema(), {
        range: argsRange(repr.node),
        object: { schema: child(repr.schemaExpr), value: child(repr.value) },
      });
      break;
    case 'unary': {
      const argSchemas: Record<typeof repr.node.fn, () => Schema> = {
        concat: () => S.array().items(S.array().items(S.always())).schema(),
        fromBase64: () => S.string().schema(),
        toBase64: () => S.string().schema(),
        toJSON: () => S.always(),
        toYAML: () => S.always(),
        fromJSON: () => S.always(),
        toString: () => S.always(),
        final: () => S.always(),
      };
      exported.builtin = builtin(repr.node, argSchemas[repr.node.fn](), child(repr.arg));
      break;
    }
  }
  return exported;
}
