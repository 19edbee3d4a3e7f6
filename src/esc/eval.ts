// The ESC evaluator: an environment's imports merged in order, its values declared over them, and
// every expression evaluated once, on demand, with the diagnostics Pulumi ESC gives. Three modes,
// as the service uses them: check (providers not invoked, their results unknown with the
// provider's schema), open (providers invoked, secrets decrypted) and rotate (rotators invoked,
// their new state returned as patches).
import type { EnvironmentDecl, Expr, PropertyAccessor, StringExpr } from './ast.js';
import { exprError, goQuote } from './ast.js';
import { decodeCiphertext, type Decrypter } from './crypt.js';
import { exportExpr, type ExportedExpr } from './expr-export.js';
import { newExpr, type AccessorSlot, type EvalExpr, type ExprRepr } from './expr.js';
import { decodeStdBase64 } from './go-base64.js';
import { goJsonMarshal, goJsonUnmarshal } from './go-json.js';
import { goYamlMarshal } from './go-yaml.js';
import { loadYaml } from './load.js';
import { compareUtf8, EscNumber, nullRecord, schemaBuilders as S, schemaFromJSON, sortUtf8, type Schema } from './schema.js';
import { formatPropertyPath, parsePropertyPath } from './property-path.js';
import { nearest } from './spell.js';
import { DiagSeverity, errorAt, joinKey, type Diagnostic } from './syntax.js';
import { validateValue } from './validate.js';
import { copyValue, EvalValue, fromJSON, makeSecret, mergedSchema, toJSON, unexport, type EscPlain, type EscValue } from './value.js';

export interface Provider {
  /** The schemas of the inputs it takes and of what it returns. */
  schema(): { inputs: Schema; outputs: Schema };
  open(inputs: Record<string, EscValue>, context: ExecContext): Promise<EscValue>;
}

export interface Rotator {
  schema(): { inputs: Schema; state: Schema; outputs: Schema };
  open(inputs: Record<string, EscValue>, state: Record<string, EscValue> | undefined, context: ExecContext): Promise<EscValue>;
  rotate(inputs: Record<string, EscValue>, state: Record<string, EscValue> | undefined, context: ExecContext): Promise<EscValue>;
}

export interface ProviderLoader {
  loadProvider(name: string): Promise<Provider>;
  loadRotator(name: string): Promise<Rotator>;
}

export interface EnvironmentLoader {
  /** The definition of an imported environment and the decrypter of its secrets; throws when it cannot be read. */
  loadEnvironment(name: string): Promise<{ definition: string; decrypter: Decrypter }>;
}

/** What `${context.…}` reads: the caller's values plus the current and root environment's names. */
export class ExecContext {
  private constructor(
    readonly values: Record<string, EscValue>,
    readonly rootEnvironment: string,
    readonly currentEnvironment: string,
  ) {}

  static create(values: Record<string, EscValue>): ExecContext {
    for (const reserved of ['currentEnvironment', 'rootEnvironment']) {
      if (reserved in values) throw new Error(`reserved context key: ${goQuote(reserved)}`);
    }
    return new ExecContext(values, '', '');
  }

  forEnvironment(name: string): ExecContext {
    const root = this.rootEnvironment === '' || this.rootEnvironment === anonymousEnvironmentName ? name : this.rootEnvironment;
    const values = {
      ...this.values,
      currentEnvironment: { value: { name: { value: name } } },
      rootEnvironment: { value: { name: { value: root } } },
    };
    return new ExecContext(values, root, name);
  }
}

const anonymousEnvironmentName = '<yaml>';

/** The result of evaluation, as ESC's `Environment`. */
export interface Environment {
  exprs?: Record<string, ExportedExpr>;
  properties: Record<string, EscValue>;
  schema: Schema;
  executionContext: { properties: Record<string, EscValue>; schema: Schema };
}

export interface Patch {
  docPath: string;
  replacement: EscValue;
}

export interface Rotation {
  path: string;
  status: 'succeeded' | 'failed' | 'not-evaluated';
  diags?: Diagnostic[];
  patch?: Patch;
}

export interface EvalOptions {
  decrypter: Decrypter;
  providers: ProviderLoader;
  environments: EnvironmentLoader;
  execContext: ExecContext;
}

interface Mode {
  validating: boolean;
  rotating: boolean;
  showSecrets: boolean;
  /** Document paths (`values.…`) of the rotators to invoke; empty: all of them. */
  rotatePaths: Set<string>;
}

/** Opens an environment: providers invoked, secrets decrypted. */
export async function evalEnvironment(name: string, env: EnvironmentDecl | undefined, options: EvalOptions) {
  const { environment, diags } = await evaluateRoot(name, env, options, { validating: false, rotating: false, showSecrets: true, rotatePaths: new Set() });
  return { environment, diags };
}

/** Checks an environment symbolically: providers are not invoked and give unknown values of their schema. */
export async function checkEnvironment(name: string, env: EnvironmentDecl | undefined, options: EvalOptions, showSecrets: boolean) {
  const { environment, diags } = await evaluateRoot(name, env, options, { validating: true, rotating: false, showSecrets, rotatePaths: new Set() });
  return { environment, diags };
}

/** Opens an environment invoking its rotators (those at `paths`, property paths under `values`; all when empty). */
export async function rotateEnvironment(name: string, env: EnvironmentDecl | undefined, options: EvalOptions, paths: string[]) {
  const rotatePaths = new Set(paths.map((path) => `values.${formatPropertyPath(parsePropertyPath(path))}`));
  return evaluateRoot(name, env, options, { validating: false, rotating: true, showSecrets: true, rotatePaths });
}

async function evaluateRoot(name: string, env: EnvironmentDecl | undefined, options: EvalOptions, mode: Mode) {
  if (!env || (env.values.length === 0 && env.imports.length === 0)) {
    return { environment: undefined, rotations: [] as Rotation[], diags: [] as Diagnostic[] };
  }
  const shared: Shared = { options, mode, imports: new Map(), rotations: [], diags: [] };
  const context = new EvalContext(shared, name, env, true, options.decrypter, mode.rotating);
  const value = await context.evaluate();
  const schema = value.base ? mergedSchema(value.base.schema, value.schema) : value.schema;
  const executionContext = { properties: exportedObject(context.myContext!.export(name, shared.diags)), schema: context.myContext!.schema };
  const properties = exportedObject(value.export(name, shared.diags));
  const exprs = context.exportExprs();
  return { environment: { ...(exprs && { exprs }), properties, schema, executionContext } as Environment, rotations: shared.rotations, diags: shared.diags };
}

const exportedObject = (v: EscValue): Record<string, EscValue> => (v.value ?? {}) as Record<string, EscValue>;

/** State all environments of one evaluation share. */
interface Shared {
  options: EvalOptions;
  mode: Mode;
  /** Environments in the import closure, each evaluated once; `evaluating` catches cycles. */
  imports: Map<string, { evaluating: boolean; value?: EvalValue }>;
  rotations: Rotation[];
  diags: Diagnostic[];
}

const reservedTopLevelKeys = new Set(['imports', 'context', 'environments']);

/** A symbol with no syntax, for the values the evaluator makes itself (`context`, `imports`). */
const syntheticSymbol = (name: string): Expr => ({ kind: 'symbol', property: { accessors: [{ kind: 'name', name }] } });

class EvalContext {
  myContext?: EvalValue;
  private myImports?: EvalValue;
  private root?: EvalExpr;
  private base?: EvalValue;
  private readonly execContext: ExecContext;

  /** `importer`'s context names the root environment for every import. */
  constructor(
    private readonly shared: Shared,
    private readonly name: string,
    private readonly env: EnvironmentDecl,
    private readonly isRootEnv: boolean,
    private readonly decrypter: Decrypter,
    private readonly rotating: boolean,
    importer: ExecContext = shared.options.execContext,
  ) {
    this.execContext = importer.forEnvironment(name);
  }

  /** The declared values in their exported form, as ESC's `Environment.exprs`. */
  exportExprs(): Record<string, ExportedExpr> | undefined {
    return this.root && exportExpr(this.root, this.name).object;
  }

  private get validating(): boolean {
    return this.shared.mode.validating;
  }

  private error(node: Expr | undefined, summary: string): void {
    this.shared.diags.push(exprError(node, summary));
  }

  private accessorError(node: Expr | undefined, accessor: PropertyAccessor, summary: string): void {
    const diag = exprError(node, summary);
    if (accessor.range) diag.range = accessor.range;
    this.shared.diags.push(diag);
  }

  async evaluate(): Promise<EvalValue> {
    const mine = { evaluating: true, value: undefined as EvalValue | undefined };
    this.shared.imports.set(this.name, mine);
    try {
      this.myContext = unexport({ value: this.execContext.values }, this.declare('', syntheticSymbol('context')));
      await this.evaluateImports();
      const properties = new Map<string, EvalExpr>();
      this.root = { ...newExpr(`<${this.name}>`, { kind: 'object', node: { kind: 'object', entries: [] }, properties }, S.always(), this.base) };
      for (const { key, value } of this.env.values) {
        if (reservedTopLevelKeys.has(key.value)) this.error(key, `${goQuote(key.value)} is a reserved key`);
        else if (properties.has(key.value)) this.error(key, `duplicate key ${goQuote(key.value)}`);
        else properties.set(key.value, this.declare(key.value, value, this.base?.property(key, key.value)));
      }
      return await this.evaluateExpr(this.root, S.always());
    } finally {
      mine.evaluating = false;
    }
  }

  /** Builds the expression tree of a definition, attaching each object property to the value it overrides. */
  private declare(path: string, x: Expr | undefined, base?: EvalValue): EvalExpr {
    if (!x) return missingExpr(path, base);
    const child = (node: Expr | undefined) => this.declare('', node);
    switch (x.kind) {
      case 'null':
        return newExpr(path, { kind: 'literal', node: x }, S.null().schema(), base);
      case 'boolean':
        return newExpr(path, { kind: 'literal', node: x }, S.boolean().const(x.value).schema(), base);
      case 'number':
        return newExpr(path, { kind: 'literal', node: x }, S.number().const(EscNumber.fromText(x.text)).schema(), base);
      case 'string':
        return newExpr(path, { kind: 'literal', node: x }, S.string().const(x.value).schema(), base);
      case 'interpolate': {
        const parts = x.parts.map((syntax) => ({ syntax, accessors: syntax.value?.accessors.map((accessor) => ({ accessor })) }));
        return newExpr(path, { kind: 'interpolate', node: x, parts }, S.string().schema(), base);
      }
      case 'symbol':
        return newExpr(path, { kind: 'symbol', node: x, accessors: x.property.accessors.map((accessor) => ({ accessor })) }, S.always(), base);
      case 'array': {
        const elements = x.elements.map((element, index) => this.declare(`${path}[${index}]`, element));
        return newExpr(path, { kind: 'array', node: x, elements }, S.array().items(S.always()).schema(), base);
      }
      case 'object': {
        const properties = new Map<string, EvalExpr>();
        for (const entry of x.entries) {
          if (!entry.key) continue;
          const key = entry.key.value;
          if (properties.has(key)) this.error(entry.key, `duplicate key ${goQuote(key)}`);
          else properties.set(key, this.declare(joinKey(path, key), entry.value, base?.property(entry.key, key)));
        }
        return newExpr(path, { kind: 'object', node: x, properties }, S.object().additionalProperties(S.always()).schema(), base);
      }
      case 'builtin':
        switch (x.fn) {
          case 'open':
            return newExpr(path, { kind: 'open', node: x, provider: child(x.provider), inputs: child(x.inputs), inputSchema: S.always() }, S.always(), base);
          case 'rotate': {
            const repr: ExprRepr = { kind: 'rotate', node: x, provider: child(x.provider), inputs: child(x.inputs), state: child(x.state), inputSchema: S.always(), stateSchema: S.always() };
            return newExpr(path, repr, S.always(), base);
          }
          case 'join':
            return newExpr(path, { kind: 'join', node: x, delimiter: child(x.delimiter), values: child(x.values) }, S.string().schema(), base);
          case 'split':
            return newExpr(path, { kind: 'split', node: x, delimiter: child(x.delimiter), string: child(x.string) }, S.array().items(S.string()).schema(), base);
          case 'secret': {
            const inner = child(x.plaintext ?? x.ciphertext);
            inner.secret = true;
            const repr: ExprRepr = x.plaintext ? { kind: 'secret', node: x, plaintext: inner } : { kind: 'secret', node: x, ciphertext: inner };
            return newExpr(path, repr, S.string().schema(), base);
          }
          case 'validate':
            return newExpr(path, { kind: 'validate', node: x, schemaExpr: child(x.schema), value: child(x.value) }, S.always(), base);
          case 'concat':
            return newExpr(path, { kind: 'unary', node: x, arg: child(x.args) }, S.array().items(S.always()).schema(), base);
          case 'fromBase64':
          case 'toBase64':
          case 'toJSON':
          case 'toYAML':
          case 'toString':
            return newExpr(path, { kind: 'unary', node: x, arg: child(x.args) }, S.string().schema(), base);
          case 'fromJSON':
          case 'final':
            return newExpr(path, { kind: 'unary', node: x, arg: child(x.args) }, S.always(), base);
        }
    }
  }

  private async evaluateImports(): Promise<void> {
    const myImports = new Map<string, EvalValue>();
    for (const entry of this.env.imports) {
      // An import without a name comes from a definition with parse errors.
      if (!entry.environment) continue;
      const name = entry.environment.value;
      let value = await this.evaluateImport(entry.environment, name);
      if (!value) continue;
      myImports.set(name, value);
      if (entry.merge) {
        value = copyValue(value)!;
        value.merge(this.base);
        this.base = value;
      }
    }
    const schema = S.record(new Map([...myImports].map(([name, value]) => [name, value.schema]))).schema();
    const def = this.declare('', syntheticSymbol('imports'));
    def.schema = schema;
    def.state = 'done';
    this.myImports = new EvalValue(def, schema, myImports);
    def.value = this.myImports;
  }

  /** Evaluates an imported environment; each environment of the closure is evaluated once. */
  private async evaluateImport(node: Expr, name: string): Promise<EvalValue | undefined> {
    const known = this.shared.imports.get(name);
    if (known) {
      if (known.evaluating) {
        this.shared.diags.push(errorAt(node.syntax?.range, `cyclic import of ${name}`, node.syntax?.path ?? ''));
        return undefined;
      }
      return known.value;
    }
    let loaded: { definition: string; decrypter: Decrypter };
    try {
      loaded = await this.shared.options.environments.loadEnvironment(name);
    } catch (error) {
      this.error(node, (error as Error).message);
      return undefined;
    }
    const { env, diags } = loadYaml(name, loaded.definition);
    for (const d of diags) this.shared.diags.push(d);
    if (diags.some((d) => d.severity === DiagSeverity.error) || !env) return undefined;
    // Only the root environment is rotated.
    const imported = new EvalContext(this.shared, name, env, false, loaded.decrypter, false, this.execContext);
    const value = await imported.evaluate();
    this.shared.imports.get(name)!.value = value;
    return value;
  }

  /**
   * Evaluates an expression once, and merges its value with the value it overrides. Literals, most
   * of a definition, are evaluated without a promise (awaiting one per value was a third of an
   * open's allocations); evaluation never runs two expressions at once, so the order is the same.
   */
  private evaluateExpr(x: EvalExpr, accept: Schema): EvalValue | Promise<EvalValue> {
    if (x.state === 'done') return x.value ?? EvalValue.unknownOf(x, S.always());
    if (x.state === 'evaluating') {
      this.error(x.repr.node, `cyclic reference to ${x.path}`);
      return EvalValue.unknownOf(x, S.always());
    }
    x.state = 'evaluating';
    let pending = false;
    try {
      // Rotate-only inputs stay unknown unless the root environment is rotated or checked.
      if (accept.isRotateOnly() && ((!this.rotating && !this.validating) || !this.isRootEnv)) {
        const skipped = EvalValue.unknownOf(missingExpr(x.path, x.base), S.always());
        skipped.rotateOnly = true;
        return skipped;
      }
      if (x.base?.final) {
        this.shared.diags.push({ ...exprError(x.repr.node, 'cannot override final value'), severity: DiagSeverity.warning });
        x.schema = x.base.schema;
        x.value = x.base;
        return x.base;
      }
      const repr = x.repr;
      if (repr.kind === 'literal' || repr.kind === 'missing') return this.evaluated(x, accept, literalValue(x, repr));
      pending = true;
      return this.evaluateExprAsync(x, accept);
    } finally {
      if (!pending) x.state = 'done';
    }
  }

  private async evaluateExprAsync(x: EvalExpr, accept: Schema): Promise<EvalValue> {
    try {
      return this.evaluated(x, accept, await this.evaluateRepr(x, accept));
    } finally {
      x.state = 'done';
    }
  }

  /** Records an expression's value, merged with the value it overrides. */
  private evaluated(x: EvalExpr, accept: Schema, value: EvalValue): EvalValue {
    if (accept.isRotateOnly()) value.rotateOnly = true;
    if (x.secret) value.secret = true;
    value.merge(x.base);
    x.schema = value.schema;
    x.value = value;
    return value;
  }

  private async evaluateRepr(x: EvalExpr, accept: Schema): Promise<EvalValue> {
    const repr = x.repr;
    switch (repr.kind) {
      case 'missing':
      case 'literal':
        return literalValue(x, repr);
      case 'interpolate':
        return this.evaluateInterpolate(x, repr);
      case 'symbol':
        return this.evaluatePropertyAccess(x, repr.accessors, accept);
      case 'array': {
        const elements: EvalValue[] = [];
        for (const [index, element] of repr.elements.entries()) {
          const value = this.evaluateExpr(element, accept.item(index));
          elements.push(value instanceof Promise ? await value : value);
        }
        return new EvalValue(x, S.tupleOf(elements.map((element) => element.schema)).schema(), elements);
      }
      case 'object': {
        // Sorted, so that diagnostics about cycles come out the same every time.
        const keys = sortUtf8([...repr.properties.keys()]);
        const properties = new Map<string, EvalValue>();
        for (const key of keys) {
          const value = this.evaluateExpr(repr.properties.get(key)!, accept.property(key));
          properties.set(key, value instanceof Promise ? await value : value);
        }
        const schemas = nullRecord<Schema>([]);
        for (const [key, value] of properties) schemas[key] = value.schema;
        return new EvalValue(x, S.recordOf(schemas).schema(), properties);
      }
      case 'open':
        return this.evaluateOpen(x, repr);
      case 'rotate':
        return this.evaluateRotate(x, repr);
      case 'secret':
        return this.evaluateSecret(x, repr);
      case 'join':
        return this.evaluateJoin(x, repr);
      case 'split':
        return this.evaluateSplit(x, repr);
      case 'validate':
        return this.evaluateValidate(x, repr);
      case 'unary':
        return this.evaluateUnary(x, repr);
      case 'access':
        throw new Error('internal error: an access is never declared');
    }
  }

  /** Evaluates an expression and checks its value against `accept`; false when it does not conform. */
  private async evaluateTyped(x: EvalExpr, accept: Schema): Promise<[EvalValue, boolean]> {
    const value = await this.evaluateExpr(x, accept);
    const diags: Diagnostic[] = [];
    const ok = validateValue(value, accept, diags);
    for (const d of diags) this.shared.diags.push(d);
    return [value, ok];
  }

  private async evaluateInterpolate(x: EvalExpr, repr: ExprRepr & { kind: 'interpolate' }): Promise<EvalValue> {
    const value = new EvalValue(x, x.schema);
    let text = '';
    for (const part of repr.parts) {
      text += part.syntax.text;
      if (!part.accessors) continue;
      const accessed = await this.evaluatePropertyAccess(x, part.accessors, S.always());
      const inner = accessed.toText();
      value.unknown = value.containsUnknowns() || inner.unknown;
      value.secret = value.containsSecrets() || inner.secret;
      if (!inner.unknown) text += inner.text;
    }
    value.repr = value.unknown ? '[unknown]' : text;
    return value;
  }

  /** A copy of what the accessors reach (evaluation merges values, so the original stays as it was), blamed on `x`. */
  private async evaluatePropertyAccess(x: EvalExpr, accessors: AccessorSlot[], accept: Schema): Promise<EvalValue> {
    const value = copyValue(await this.evaluateExprAccess(x, accessors, accept))!;
    value.def = x;
    return value;
  }

  /**
   * Walks the accessors through the declared expressions of this environment without evaluating
   * list, object and secret literals on the way; the first other expression is evaluated and the
   * rest of the walk goes through its value.
   */
  private async evaluateExprAccess(x: EvalExpr, accessors: AccessorSlot[], accept: Schema): Promise<EvalValue> {
    const node = x.repr.node;
    const first = objectKey(accessors[0]!.accessor);
    if (first === 'imports') {
      accessors[0]!.value = this.myImports;
      return this.evaluateValueAccess(node, this.myImports!, accessors.slice(1));
    }
    if (first === 'context') {
      accessors[0]!.value = this.myContext;
      return this.evaluateValueAccess(node, this.myContext!, accessors.slice(1));
    }
    if (first === 'environments') return this.evaluateEnvironmentReference(x, accessors);

    let receiver: EvalExpr | undefined = this.root;
    let rest = accessors;
    while (rest.length > 0) {
      const slot = rest[0]!;
      if (!receiver) {
        this.error(node, 'internal error: no receiver');
        return this.invalidAccess(node, rest);
      }
      const repr: ExprRepr = receiver.repr;
      if (repr.kind === 'array') {
        const index = this.arrayIndex(node, slot.accessor, repr.elements.length);
        if (index === undefined) return this.invalidAccess(node, rest);
        receiver = repr.elements[index]!;
      } else if (repr.kind === 'object') {
        const key = this.objectKey(node, slot.accessor);
        if (key === undefined) return this.invalidAccess(node, rest);
        const property = repr.properties.get(key);
        if (!property) {
          if (receiver.base?.isObject()) return this.evaluateValueAccess(node, receiver.base, rest);
          this.accessorError(node, slot.accessor, `unknown property ${goQuote(key)}${didYouMean(nearest(key, [...repr.properties.keys()].sort(compareUtf8)))}`);
          return this.invalidAccess(node, rest);
        }
        receiver = property;
      } else if (repr.kind === 'secret' && repr.plaintext) {
        // A plaintext secret is transparent to accessors; a ciphertext is walked as its value.
        receiver = repr.plaintext;
        continue;
      } else {
        return this.evaluateValueAccess(node, await this.evaluateExpr(receiver, accept), rest);
      }
      const synthesized = new EvalValue(receiver, receiver.schema);
      synthesized.base = receiver.base;
      slot.value = synthesized;
      rest = rest.slice(1);
    }
    return this.evaluateExpr(receiver!, S.always());
  }

  /** `${environments.<project>.<env>.…}`: an inline import of `<project>/<env>`. */
  private async evaluateEnvironmentReference(x: EvalExpr, accessors: AccessorSlot[]): Promise<EvalValue> {
    const node = x.repr.node;
    if (accessors.length < 3) return this.invalidAccess(node, accessors);
    const project = this.objectKey(node, accessors[1]!.accessor);
    const environment = this.objectKey(node, accessors[2]!.accessor);
    if (project === undefined || environment === undefined) return this.invalidAccess(node, accessors);
    const imported = (await this.evaluateImport(node!, `${project}/${environment}`)) ?? EvalValue.unknownOf(missingExpr(''), S.always());
    const wrap = (key: string, inner: EvalValue) => new EvalValue(x, S.record(new Map([[key, inner.schema]])).schema(), new Map([[key, inner]]));
    const reference = wrap('environments', wrap(project, wrap(environment, imported)));
    reference.rotateOnly = true;
    return this.evaluateValueAccess(node, reference, accessors);
  }

  /** Walks accessors through a value. */
  private evaluateValueAccess(node: Expr | undefined, receiver: EvalValue, accessors: AccessorSlot[]): EvalValue {
    let rest = accessors;
    while (rest.length > 0) {
      const slot = rest[0]!;
      if (receiver.unknown) return this.evaluateUnknownAccess(node, receiver.schema, rest, receiver.secret);
      const repr = receiver.repr;
      if (Array.isArray(repr)) {
        const index = this.arrayIndex(node, slot.accessor, repr.length, receiver.secret);
        if (index === undefined) return this.invalidAccess(node, rest);
        receiver = repr[index]!;
      } else if (repr instanceof Map) {
        const key = this.objectKey(node, slot.accessor);
        if (key === undefined) return this.invalidAccess(node, rest);
        const property = repr.get(key);
        if (!property) {
          if (receiver.base?.isObject()) return this.evaluateValueAccess(node, receiver.base, rest);
          // The keys of a secret are part of it: no suggestion.
          const suggestion = receiver.secret ? '' : didYouMean(nearest(key, [...repr.keys()].sort(compareUtf8)));
          this.accessorError(node, slot.accessor, `unknown property ${goQuote(key)}${suggestion}`);
          return this.invalidAccess(node, rest);
        }
        receiver = property;
      } else {
        this.accessorError(node, slot.accessor, 'receiver must be an array or an object');
        return this.invalidAccess(node, rest);
      }
      slot.value = receiver;
      rest = rest.slice(1);
    }
    return receiver;
  }

  /**
   * Walks accessors through an unknown value by its schema: each step is an unknown value of the
   * step's schema, secret when the receiver is.
   */
  private evaluateUnknownAccess(node: Expr | undefined, receiverSchema: Schema, accessors: AccessorSlot[], secret: boolean): EvalValue {
    let schema = receiverSchema;
    let value: EvalValue | undefined;
    for (const [position, slot] of accessors.entries()) {
      if (!schema.always) {
        if (schema.type === 'array') {
          const length = schema.items?.never ? (schema.prefixItems?.length ?? 0) : -1;
          const index = this.arrayIndex(node, slot.accessor, length, secret);
          if (index === undefined) return this.invalidAccess(node, accessors.slice(position));
          schema = schema.item(index);
        } else if (schema.type === 'object') {
          const key = this.objectKey(node, slot.accessor);
          if (key === undefined) return this.invalidAccess(node, accessors.slice(position));
          schema = schema.property(key);
        } else {
          this.accessorError(node, slot.accessor, 'receiver must be an array or an object');
          return this.invalidAccess(node, accessors.slice(position));
        }
      }
      value = EvalValue.unknownOf(doneLiteral(node), schema);
      value.secret = secret;
      slot.value = value;
    }
    return value!;
  }

  /** Each remaining accessor resolves to an unknown value. */
  private invalidAccess(node: Expr | undefined, accessors: AccessorSlot[]): EvalValue {
    for (const slot of accessors) slot.value = EvalValue.unknownOf(doneLiteral(node), S.always());
    return accessors[accessors.length - 1]!.value!;
  }

  /** The index an accessor names in an array of `length` elements (-1: unknown); a secret array's length is not told. */
  private arrayIndex(node: Expr | undefined, accessor: PropertyAccessor, length: number, secret = false): number | undefined {
    if (accessor.kind !== 'subscript' || typeof accessor.index !== 'number') {
      this.accessorError(node, accessor, 'cannot access an array element using a property name');
      return undefined;
    }
    if (accessor.index < 0) {
      this.accessorError(node, accessor, 'array indices must not be negative');
      return undefined;
    }
    if (length >= 0 && accessor.index >= length) {
      this.accessorError(node, accessor, `array index ${accessor.index} out-of-bounds for ${secret ? 'a secret array' : `array of length ${length}`}`);
      return undefined;
    }
    return accessor.index;
  }

  private objectKey(node: Expr | undefined, accessor: PropertyAccessor): string | undefined {
    const key = objectKey(accessor);
    if (key === undefined) this.accessorError(node, accessor, 'cannot access an object property using an integer index');
    return key;
  }

  /** A plaintext secret is its string; a ciphertext is unknown while checking without showSecrets, else decrypted. */
  private async evaluateSecret(x: EvalExpr, repr: ExprRepr & { kind: 'secret' }): Promise<EvalValue> {
    if (repr.plaintext) return this.evaluateExpr(repr.plaintext, S.string().schema());
    const value = new EvalValue(x, x.schema);
    value.secret = true;
    const text = (repr.node.ciphertext as StringExpr).value;
    let ciphertext: Buffer;
    try {
      ciphertext = decodeCiphertext(text);
    } catch (error) {
      this.error(repr.node, `invalid ciphertext: ${(error as Error).message}`);
      value.unknown = true;
      return value;
    }
    if (this.validating && !this.shared.mode.showSecrets) {
      value.unknown = true;
      return value;
    }
    try {
      value.repr = (await this.decrypter.decrypt(ciphertext)).toString('utf8');
    } catch (error) {
      this.error(repr.node, `decrypting: ${(error as Error).message}`);
      value.unknown = true;
    }
    return value;
  }

  /** Loads the provider and its schemas, evaluates and checks the inputs, and opens it unless checking. */
  private async evaluateOpen(x: EvalExpr, repr: ExprRepr & { kind: 'open' }): Promise<EvalValue> {
    const value = new EvalValue(x, S.always());
    if (!repr.node.provider) {
      value.unknown = true;
      return value;
    }
    let provider: Provider | undefined;
    try {
      provider = await this.shared.options.providers.loadProvider(repr.node.provider.value);
      const schemas = provider.schema();
      this.compileInto(repr.node, schemas.inputs, 'internal error: invalid input schema', (s) => (repr.inputSchema = s));
      this.compileInto(repr.node, schemas.outputs, 'internal error: invalid schema', (s) => (x.schema = s));
    } catch (error) {
      this.error(repr.node, (error as Error).message);
    }
    value.schema = x.schema;
    const [inputs, ok] = await this.evaluateTyped(repr.inputs, repr.inputSchema);
    // What a provider makes of a secret is secret, whether it says so or not.
    value.secret = inputs.containsSecrets();
    if (!ok || inputs.containsUnknowns() || this.validating || !provider) {
      value.unknown = true;
      return value;
    }
    const exported = inputs.export('', this.shared.diags);
    return this.opened(x, value, () => provider.open(exported.value as Record<string, EscValue>, this.execContext));
  }

  /** What a provider or rotator opened; its failure is a diagnostic on the call, and the value stays unknown. */
  private async opened(x: EvalExpr, value: EvalValue, open: () => Promise<EscValue>): Promise<EvalValue> {
    let output: EscValue;
    try {
      output = await open();
    } catch (error) {
      this.error(x.repr.node, (error as Error).message);
      return markUnknown(value);
    }
    if (value.secret || output.secret) output = makeSecret(output);
    return unexport(output, x);
  }

  private compileInto(node: Expr, schema: Schema, message: string, use: (schema: Schema) => void): void {
    try {
      schema.compile();
      use(schema);
    } catch (error) {
      this.error(node, `${message} (${(error as Error).message})`);
    }
  }

  private async evaluateRotate(x: EvalExpr, repr: ExprRepr & { kind: 'rotate' }): Promise<EvalValue> {
    const value = new EvalValue(x, S.always());
    if (!repr.node.provider) {
      value.unknown = true;
      return value;
    }
    let rotator: Rotator | undefined;
    try {
      rotator = await this.shared.options.providers.loadRotator(repr.node.provider.value);
      const schemas = rotator.schema();
      this.compileInto(repr.node, schemas.inputs, 'internal error: invalid input schema', (s) => (repr.inputSchema = s));
      this.compileInto(repr.node, S.oneOf(schemas.state, S.null().schema()), 'internal error: invalid state schema', (s) => (repr.stateSchema = s));
      this.compileInto(repr.node, schemas.outputs, 'internal error: invalid schema', (s) => (x.schema = s));
    } catch (error) {
      this.error(repr.node, (error as Error).message);
    }
    value.schema = x.schema;

    const docPath = repr.node.syntax?.path ?? '';
    const [inputs, inputsOk] = await this.evaluateTyped(repr.inputs, repr.inputSchema);
    let [state, stateOk] = await this.evaluateTyped(repr.state, repr.stateSchema);
    value.secret = inputs.containsSecrets() || state.containsSecrets();
    if (!inputsOk || inputs.containsObservableUnknowns(this.rotating) || !stateOk || state.containsUnknowns() || this.validating || !rotator) {
      if (this.shouldRotate(docPath)) this.shared.rotations.push({ path: docPath, status: 'not-evaluated' });
      value.unknown = true;
      return value;
    }
    const inputValues = inputs.export('', this.shared.diags).value as Record<string, EscValue>;
    if (this.shouldRotate(docPath)) {
      const stateValues = asObject(state.export('', this.shared.diags).value);
      let newState: EscValue;
      try {
        newState = await rotator.rotate(inputValues, stateValues, this.execContext);
      } catch (error) {
        const message = (error as Error).message;
        this.shared.rotations.push({ path: docPath, status: 'failed', diags: [exprError(repr.node, message)] });
        this.error(repr.node, `rotate: ${message}`);
        value.unknown = true;
        return value;
      }
      // The new state is written back to the call's `state`.
      const docPathOfState = `${joinKey(docPath, repr.node.name.value)}.state`;
      if (value.secret || newState.secret) newState = makeSecret(newState);
      this.shared.rotations.push({ path: docPath, status: 'succeeded', patch: { docPath: docPathOfState, replacement: newState } });
      state = unexport(newState, x);
    }
    const stateValues = asObject(state.export('', this.shared.diags).value);
    return this.opened(x, value, () => rotator.open(inputValues, stateValues, this.execContext));
  }

  private shouldRotate(docPath: string): boolean {
    if (!this.rotating) return false;
    return this.shared.mode.rotatePaths.size === 0 || this.shared.mode.rotatePaths.has(docPath);
  }

  private async evaluateJoin(x: EvalExpr, repr: ExprRepr & { kind: 'join' }): Promise<EvalValue> {
    const value = new EvalValue(x, x.schema);
    const [delimiter, delimiterOk] = await this.evaluateTyped(repr.delimiter, S.string().schema());
    const [values, valuesOk] = await this.evaluateTyped(repr.values, S.array().items(S.string()).schema());
    if (!delimiterOk || !valuesOk) return markUnknown(value);
    value.combine(delimiter, values);
    if (!value.unknown) value.repr = (values.repr as EvalValue[]).map((element) => element.repr as string).join(delimiter.repr as string);
    return value;
  }

  private async evaluateSplit(x: EvalExpr, repr: ExprRepr & { kind: 'split' }): Promise<EvalValue> {
    const value = new EvalValue(x, x.schema);
    const [delimiter, delimiterOk] = await this.evaluateTyped(repr.delimiter, S.string().schema());
    const [string, stringOk] = await this.evaluateTyped(repr.string, S.string().schema());
    if (!delimiterOk || !stringOk) return markUnknown(value);
    value.combine(delimiter, string);
    if (value.unknown) return value;
    value.repr = goSplit(string.repr as string, delimiter.repr as string).map((part) => {
      const element = new EvalValue(x, S.string().schema(), part);
      element.secret = value.secret;
      return element;
    });
    return value;
  }

  /**
   * fn::validate: the value passes through; a failed check is a diagnostic. A schema built from a
   * secret would be quoted by those (`expected "…"`), so they then say only that the check failed.
   */
  private async evaluateValidate(x: EvalExpr, repr: ExprRepr & { kind: 'validate' }): Promise<EvalValue> {
    const [schemaValue, schemaOk] = await this.evaluateTyped(repr.schemaExpr, S.jsonSchemaSchema());
    const secretSchema = schemaValue.containsSecrets();
    const passThrough = async (accept: Schema) => {
      const inner = await this.evaluateExpr(repr.value, accept);
      const diags: Diagnostic[] = [];
      validateValue(inner, accept, diags);
      this.shared.diags.push(...(secretSchema ? diags.map((d) => ({ ...d, summary: `the value does not match its schema: ${secretWithheld}` })) : diags));
      const value = new EvalValue(x, inner.schema, inner.repr);
      value.combine(inner);
      return value;
    };
    if (schemaValue.containsUnknowns() || !schemaOk) return passThrough(S.always());
    let schema: Schema;
    try {
      const plain = toJSON(schemaValue.export('', this.shared.diags), false);
      schema = schemaFromJSON(goJsonUnmarshal(goJsonMarshal(plain)));
      schema.compile();
    } catch (error) {
      this.error(repr.schemaExpr.repr.node, `invalid schema: ${secretSchema ? secretWithheld : (error as Error).message}`);
      return passThrough(S.always());
    }
    return passThrough(schema);
  }

  private async evaluateUnary(x: EvalExpr, repr: ExprRepr & { kind: 'unary' }): Promise<EvalValue> {
    const value = new EvalValue(x, x.schema);
    switch (repr.node.fn) {
      case 'concat': {
        const [arrays, ok] = await this.evaluateTyped(repr.arg, S.array().items(S.array().items(S.always())).schema());
        if (!ok) return markUnknown(value);
        value.combine(arrays);
        if (!value.unknown) value.repr = (arrays.repr as EvalValue[]).flatMap((array) => array.repr as EvalValue[]);
        return value;
      }
      case 'final': {
        const inner = await this.evaluateExpr(repr.arg, S.always());
        const final = new EvalValue(x, inner.schema, inner.repr);
        final.final = true;
        final.combine(inner);
        return final;
      }
      case 'fromBase64': {
        const [string, ok] = await this.evaluateTyped(repr.arg, S.string().schema());
        if (!ok) return markUnknown(value);
        value.combine(string);
        if (value.unknown) return value;
        try {
          value.repr = decodeStdBase64(string.repr as string).toString('utf8');
        } catch (error) {
          this.error(repr.node, `decoding base64 string: ${value.secret ? secretWithheld : (error as Error).message}`);
          return markUnknown(value);
        }
        return value;
      }
      case 'toBase64': {
        const [string, ok] = await this.evaluateTyped(repr.arg, S.string().schema());
        if (!ok) return markUnknown(value);
        value.combine(string);
        if (!value.unknown) value.repr = Buffer.from(string.repr as string, 'utf8').toString('base64');
        return value;
      }
      case 'fromJSON': {
        const [string, ok] = await this.evaluateTyped(repr.arg, S.string().schema());
        if (!ok) return markUnknown(value);
        value.combine(string);
        if (value.unknown) return value;
        let parsed: EscValue;
        try {
          parsed = fromJSON(goJsonUnmarshal(string.repr as string));
        } catch (error) {
          this.error(repr.node, `decoding JSON string: ${value.secret ? secretWithheld : (error as Error).message}`);
          return markUnknown(value);
        }
        if (value.secret || parsed.secret) parsed = makeSecret(parsed);
        return unexport(parsed, x);
      }
      case 'toJSON': {
        const inner = await this.evaluateExpr(repr.arg, S.always());
        value.combine(inner);
        if (!value.unknown) value.repr = goJsonMarshal(toJSON(inner.export('', this.shared.diags), false));
        return value;
      }
      case 'toYAML': {
        const inner = await this.evaluateExpr(repr.arg, S.always());
        value.combine(inner);
        if (!value.unknown) value.repr = goYamlMarshal(toJSON(inner.export('', this.shared.diags), false));
        return value;
      }
      case 'toString': {
        const inner = await this.evaluateExpr(repr.arg, S.always());
        const { text, unknown, secret } = inner.toText();
        value.unknown = unknown;
        value.secret = secret;
        if (!unknown) value.repr = text;
        return value;
      }
    }
  }
}

/** The value of a literal, or the unknown value of a missing expression. */
function literalValue(x: EvalExpr, repr: ExprRepr & { kind: 'literal' | 'missing' }): EvalValue {
  if (repr.kind === 'missing') return EvalValue.unknownOf(x, x.schema);
  const node = repr.node!;
  const literal = node.kind === 'boolean' || node.kind === 'string' ? node.value : node.kind === 'number' ? EscNumber.fromText(node.text) : null;
  return new EvalValue(x, x.schema, literal);
}

function missingExpr(path: string, base?: EvalValue): EvalExpr {
  return newExpr(path, { kind: 'missing', node: { kind: 'null' } }, S.always(), base);
}

/** An already-evaluated literal blamed on `node`: the definition of values the evaluator synthesizes. */
function doneLiteral(node: Expr | undefined): EvalExpr {
  return { ...newExpr('', { kind: 'literal', node }, S.always()), state: 'done' };
}

function objectKey(accessor: PropertyAccessor): string | undefined {
  if (accessor.kind === 'name') return accessor.name;
  return typeof accessor.index === 'string' ? accessor.index : undefined;
}

function markUnknown(value: EvalValue): EvalValue {
  value.unknown = true;
  return value;
}

function asObject(plain: EscPlain | undefined): Record<string, EscValue> | undefined {
  return plain !== null && typeof plain === 'object' && !Array.isArray(plain) && !(plain instanceof EscNumber) ? plain : undefined;
}

/** What a diagnostic says in place of a detail that would quote a secret. */
const secretWithheld = 'the value is secret, so the details are withheld';

const didYouMean = (name: string) => (name === '' ? '' : `; did you mean ${goQuote(name)}?`);

/** Go's strings.Split: an empty separator splits into UTF-8 characters. */
function goSplit(text: string, separator: string): string[] {
  return separator === '' ? [...text] : text.split(separator);
}
