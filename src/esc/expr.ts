// The evaluator's expressions: each declared expression of a definition with its base (the
// imported value it overrides), its schema, its evaluation state and its memoized value.
import type { BuiltinExpr, Expr, Interpolation, PropertyAccessor } from './ast.js';
import type { Schema } from './schema.js';
import type { EvalValue } from './value.js';

/** A property accessor and the value it resolved to, once evaluated. */
export interface AccessorSlot {
  accessor: PropertyAccessor;
  value?: EvalValue;
}

type Builtin<F extends BuiltinExpr['fn']> = BuiltinExpr & { fn: F };

/** What an expression is; `node` is the syntax diagnostics and traces point at. */
export type ExprRepr =
  | { kind: 'missing'; node?: Expr }
  | { kind: 'literal'; node?: Expr }
  | { kind: 'interpolate'; node: Expr; parts: Array<{ syntax: Interpolation; accessors?: AccessorSlot[] }> }
  | { kind: 'symbol'; node: Expr; accessors: AccessorSlot[] }
  | { kind: 'access'; node?: Expr; receiver: EvalValue; accessor: PropertyAccessor }
  | { kind: 'array'; node: Expr; elements: EvalExpr[] }
  | { kind: 'object'; node: Expr; properties: Map<string, EvalExpr> }
  | { kind: 'open'; node: Builtin<'open'>; provider: EvalExpr; inputs: EvalExpr; inputSchema: Schema }
  | { kind: 'rotate'; node: Builtin<'rotate'>; provider: EvalExpr; inputs: EvalExpr; state: EvalExpr; inputSchema: Schema; stateSchema: Schema }
  | { kind: 'join'; node: Builtin<'join'>; delimiter: EvalExpr; values: EvalExpr }
  | { kind: 'split'; node: Builtin<'split'>; delimiter: EvalExpr; string: EvalExpr }
  | { kind: 'secret'; node: Builtin<'secret'>; plaintext?: EvalExpr; ciphertext?: EvalExpr }
  | { kind: 'validate'; node: Builtin<'validate'>; schemaExpr: EvalExpr; value: EvalExpr }
  | { kind: 'unary'; node: Builtin<'concat' | 'toJSON' | 'toYAML' | 'fromJSON' | 'toString' | 'toBase64' | 'fromBase64' | 'final'>; arg: EvalExpr };

export type ExprState = 'declared' | 'evaluating' | 'done';

export interface EvalExpr {
  /** Where the expression sits, for messages about cyclic references. */
  path: string;
  repr: ExprRepr;
  base?: EvalValue;
  schema: Schema;
  state: ExprState;
  secret: boolean;
  value?: EvalValue;
}

export function newExpr(path: string, repr: ExprRepr, schema: Schema, base?: EvalValue): EvalExpr {
  return { path, repr, schema, base, state: 'declared', secret: false };
}
