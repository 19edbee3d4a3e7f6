// The declarations of an environment definition and the expression language of its values, parsed
// from syntax nodes with the diagnostics Pulumi ESC gives for malformed ones.
import { errorAt, nodeError, nodeWarning, type Diagnostic, type Range, type StringNode, type SyntaxNode } from './syntax.js';

export type PropertyAccessor =
  | { kind: 'name'; name: string; range?: Range }
  | { kind: 'subscript'; index: string | number; range?: Range };

export interface PropertyAccess {
  accessors: PropertyAccessor[];
}

export interface Interpolation {
  text: string;
  value?: PropertyAccess;
}

interface ExprBase {
  /** The syntax the expression was parsed from; absent for expressions the evaluator makes. */
  syntax?: SyntaxNode;
}

export type StringExpr = ExprBase & { kind: 'string'; value: string };

export type BuiltinExpr = ExprBase & { kind: 'builtin'; name: StringExpr; args?: Expr } & (
    | { fn: 'open'; provider?: StringExpr; inputs?: Expr }
    | { fn: 'rotate'; provider?: StringExpr; inputs?: Expr; state?: Expr }
    | { fn: 'join'; delimiter?: Expr; values?: Expr }
    | { fn: 'split'; delimiter?: Expr; string?: Expr }
    | { fn: 'concat' | 'toJSON' | 'toYAML' | 'fromJSON' | 'toString' | 'toBase64' | 'fromBase64' | 'final' }
    | { fn: 'secret'; plaintext?: StringExpr; ciphertext?: StringExpr }
    | { fn: 'validate'; schema?: Expr; value?: Expr }
  );

export type Expr =
  | (ExprBase & { kind: 'null' })
  | (ExprBase & { kind: 'boolean'; value: boolean })
  | (ExprBase & { kind: 'number'; value: number; text: string })
  | StringExpr
  | (ExprBase & { kind: 'interpolate'; parts: Interpolation[] })
  | (ExprBase & { kind: 'symbol'; property: PropertyAccess })
  | (ExprBase & { kind: 'array'; elements: Expr[] })
  | ObjectExpr
  | BuiltinExpr;

export type ObjectExpr = ExprBase & { kind: 'object'; entries: Array<{ key?: StringExpr; value: Expr }> };

export function exprError(expr: Expr | undefined, summary: string): Diagnostic {
  return errorAt(expr?.syntax?.range, summary, expr?.syntax?.path ?? '');
}

export interface ImportDecl {
  syntax: SyntaxNode;
  environment?: StringExpr;
  merge: boolean;
}

export interface EnvironmentDecl {
  syntax?: SyntaxNode;
  description?: StringExpr;
  imports: ImportDecl[];
  values: Array<{ key: StringExpr; value: Expr }>;
  /** The `values` object itself, when there is one. */
  valuesSyntax?: SyntaxNode;
}

const stringOf = (node: StringNode, value = node.value): StringExpr => ({ kind: 'string', value, syntax: node });

/** Parses the top of a definition: `imports`, `values` and `description` (matched case-insensitively). */
export function parseEnvironment(node: SyntaxNode | undefined): { env: EnvironmentDecl; diags: Diagnostic[] } {
  const env: EnvironmentDecl = { imports: [], values: [] };
  const diags: Diagnostic[] = [];
  if (node === undefined) return { env, diags };
  if (node.kind !== 'object') return { env, diags: [nodeError(node, 'environment must be an object')] };
  env.syntax = node;
  const seen = new Set<string>();
  for (const { key, value } of node.entries) {
    if (seen.has(key.value)) diags.push(nodeWarning(key, `duplicate key ${goQuote(key.value)}`));
    seen.add(key.value);
    switch (key.value.toLowerCase()) {
      case 'description': {
        const expr = parseExpr(value, diags);
        if (expr.kind === 'string') env.description = expr;
        else diags.push(exprError(expr, 'description must be a string'));
        break;
      }
      case 'imports':
        env.imports = parseImports(value, diags);
        break;
      case 'values':
        parseValues(env, value, diags);
        break;
      default: {
        const fields = sortByEditDistance(key.value, ["'description'", "'imports'", "'values'"]);
        diags.push(nodeWarning(key, `Field '${key.value}' does not exist on Object 'environment'. Existing fields are: ${fields.join(', ')}`));
      }
    }
  }
  return { env, diags };
}

function parseImports(node: SyntaxNode, diags: Diagnostic[]): ImportDecl[] {
  if (node.kind !== 'array') {
    diags.push(nodeError(node, 'imports must be a list'));
    return [];
  }
  const imports: ImportDecl[] = [];
  for (const element of node.elements) {
    if (element.kind === 'string') {
      imports.push({ syntax: element, environment: stringOf(element), merge: true });
    } else if (element.kind === 'object') {
      if (element.entries.length !== 1) {
        diags.push(nodeError(element, 'import must have a single key'));
        imports.push({ syntax: element, merge: true });
        continue;
      }
      const [{ key, value }] = element.entries as [{ key: StringNode; value: SyntaxNode }];
      imports.push({ syntax: element, environment: stringOf(key), merge: parseImportMeta(value, diags) });
    } else {
      diags.push(nodeError(element, 'import must be a string or an object'));
    }
  }
  return imports;
}

function parseImportMeta(node: SyntaxNode, diags: Diagnostic[]): boolean {
  if (node.kind !== 'object') {
    diags.push(nodeError(node, 'import must be an object'));
    return true;
  }
  let merge = true;
  const seen = new Set<string>();
  for (const { key, value } of node.entries) {
    if (seen.has(key.value)) diags.push(nodeWarning(key, `duplicate key ${goQuote(key.value)}`));
    seen.add(key.value);
    if (key.value.toLowerCase() !== 'merge') continue;
    const expr = parseExpr(value, diags);
    if (expr.kind === 'boolean') merge = expr.value;
    else diags.push(exprError(expr, 'merge must be a boolean value'));
  }
  return merge;
}

function parseValues(env: EnvironmentDecl, node: SyntaxNode, diags: Diagnostic[]): void {
  env.valuesSyntax = node;
  if (node.kind !== 'object') {
    diags.push(nodeError(node, 'values must be an object'));
    return;
  }
  for (const { key, value } of node.entries) {
    if (key.value.startsWith('fn::')) {
      diags.push(nodeError(key, `builtin function call ${goQuote(key.value)} not allowed at the top level`));
    }
    env.values.push({ key: stringOf(key), value: parseExpr(value, diags) });
  }
}

/** Parses a value: literals, interpolated strings and references, lists, objects and builtin calls. */
export function parseExpr(node: SyntaxNode, diags: Diagnostic[]): Expr {
  switch (node.kind) {
    case 'null':
      return { kind: 'null', syntax: node };
    case 'boolean':
      return { kind: 'boolean', value: node.value, syntax: node };
    case 'number':
      return { kind: 'number', value: node.value, text: node.text, syntax: node };
    case 'string': {
      const parts = parseInterpolation(node, diags);
      if (parts.length === 0) return stringOf(node);
      if (parts.length === 1) {
        const [part] = parts as [Interpolation];
        if (part.value === undefined) return stringOf(node, part.text);
        if (part.text === '') return { kind: 'symbol', property: part.value, syntax: node };
      }
      return { kind: 'interpolate', parts, syntax: node };
    }
    case 'array':
      return { kind: 'array', elements: node.elements.map((element) => parseExpr(element, diags)), syntax: node };
    case 'object': {
      const builtin = parseBuiltin(node, diags);
      if (builtin) return builtin;
      const entries = node.entries.map(({ key, value }) => {
        const keyExpr = parseExpr(key, diags);
        if (keyExpr.kind !== 'string') diags.push(nodeError(key, 'object keys must be strings'));
        return { key: keyExpr.kind === 'string' ? keyExpr : undefined, value: parseExpr(value, diags) };
      });
      return { kind: 'object', entries, syntax: node };
    }
  }
}

const builtinNames: Record<string, BuiltinExpr['fn']> = {
  'fn::concat': 'concat',
  'fn::final': 'final',
  'fn::validate': 'validate',
  'fn::fromJSON': 'fromJSON',
  'fn::fromBase64': 'fromBase64',
  'fn::join': 'join',
  'fn::open': 'open',
  'fn::rotate': 'rotate',
  'fn::secret': 'secret',
  'fn::split': 'split',
  'fn::toBase64': 'toBase64',
  'fn::toJSON': 'toJSON',
  // Only the ESC inside pulumi/pulumi knows fn::toYAML; the CLI's `pulumi env` accepts it.
  'fn::toYAML': 'toYAML',
  'fn::toString': 'toString',
};

/** A builtin call is an object whose only key is `fn::<name>`; undefined when the object is not one. */
function parseBuiltin(node: SyntaxNode & { kind: 'object' }, diags: Diagnostic[]): Expr | undefined {
  if (node.entries.length !== 1) {
    for (const { key } of node.entries) {
      if (key.value.startsWith('fn::')) {
        diags.push(nodeError(node, `illegal call to builtin function: ${goQuote(key.value)} must be the only key within its containing object`));
      }
    }
    return undefined;
  }
  const [{ key, value }] = node.entries as [{ key: StringNode; value: SyntaxNode }];
  let fn = builtinNames[key.value];
  if (!fn && key.value.startsWith('fn::open::')) fn = 'open';
  if (!fn && key.value.startsWith('fn::rotate::')) fn = 'rotate';
  if (!fn) {
    if (key.value.toLowerCase().startsWith('fn::')) diags.push(errorAt(key.range, "'fn::' is a reserved prefix", node.path));
    return undefined;
  }
  const name = stringOf(key);
  const args = parseExpr(value, diags);
  const base = { kind: 'builtin' as const, name, args, syntax: node };
  const fail = (expr: Expr | undefined, summary: string) => diags.push(exprError(expr, summary));
  const fields = (obj: ObjectExpr) => new Map(obj.entries.filter((e) => e.key).map((e) => [e.key!.value, e.value]));

  switch (fn) {
    case 'open':
    case 'rotate': {
      const short = key.value.startsWith(`fn::${fn}::`);
      if (args.kind !== 'object') {
        const wanted = fn === 'open' ? "'provider' and 'inputs'" : short ? "'inputs' and 'state'" : "'provider', 'inputs' and 'state'";
        if (!(fn === 'open' && short)) {
          fail(args, `the argument to fn::${fn} must be an object containing ${wanted}`);
          return { ...base, fn };
        }
      }
      if (fn === 'open' && short) {
        return { ...base, fn, provider: stringOf(key, key.value.slice('fn::open::'.length)), inputs: args };
      }
      const entries = fields(args as ObjectExpr);
      let provider: StringExpr | undefined;
      if (short) {
        provider = stringOf(key, key.value.slice('fn::rotate::'.length));
      } else {
        const providerExpr = entries.get('provider');
        if (providerExpr?.kind === 'string') provider = providerExpr;
        else if (providerExpr === undefined) fail(args, "missing provider name ('provider')");
        else fail(providerExpr, 'provider name must be a string literal');
      }
      const inputs = entries.get('inputs');
      if (inputs === undefined) fail(args, "missing provider inputs ('inputs')");
      if (fn === 'open') return { ...base, fn, provider, inputs };
      const state = entries.get('state');
      if (state !== undefined && state.kind !== 'object') fail(state, 'rotation state must be an object literal');
      return { ...base, fn, provider, inputs, state: state ?? { kind: 'null' } };
    }
    case 'join':
    case 'split': {
      if (args.kind !== 'array' || args.elements.length !== 2) {
        fail(args, `the argument to fn::${fn} must be a two-valued list`);
        return { ...base, fn };
      }
      const [first, second] = args.elements as [Expr, Expr];
      return fn === 'join' ? { ...base, fn, delimiter: first, values: second } : { ...base, fn, delimiter: first, string: second };
    }
    case 'concat':
      if (args.kind !== 'array') fail(args, 'the argument to fn::concat must be an array of arrays');
      return { ...base, fn };
    case 'secret': {
      if (args.kind === 'object' && args.entries.length === 1 && args.entries[0]!.key?.value === 'ciphertext') {
        const ciphertext = args.entries[0]!.value;
        if (ciphertext.kind === 'string') return { ...base, fn, ciphertext };
      }
      if (args.kind !== 'string') {
        fail(args, 'secret values must be string literals');
        return { ...base, fn, plaintext: { kind: 'string', value: '' } };
      }
      return { ...base, fn, plaintext: args };
    }
    case 'validate': {
      if (args.kind !== 'object') {
        fail(args, "the argument to fn::validate must be an object containing 'schema' and 'value'");
        return { ...base, fn };
      }
      const entries = fields(args);
      const schema = entries.get('schema');
      const value = entries.get('value');
      if (schema === undefined) fail(args, "missing required property 'schema'");
      if (value === undefined) fail(args, "missing required property 'value'");
      return { ...base, fn, schema, value };
    }
    default:
      return { ...base, fn };
  }
}

/**
 * Splits a string into literal text and `${...}` property accesses; `$$` is a literal `$`.
 * Offsets count UTF-8 bytes of the value, as ESC's ranges inside a scalar do.
 */
function parseInterpolation(node: StringNode, diags: Diagnostic[]): Interpolation[] {
  const bytes = Buffer.from(node.value);
  const parts: Interpolation[] = [];
  let text: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes[offset] === 0x24 && bytes[offset + 1] === 0x24) {
      text.push(0x24);
      offset += 2;
    } else if (bytes[offset] === 0x24 && bytes[offset + 1] === 0x7b) {
      const parser = new PropertyAccessParser(node, bytes, offset + 2, diags);
      const access = parser.parse();
      parts.push({ text: Buffer.from(text).toString(), value: access });
      text = [];
      offset = parser.offset;
    } else {
      text.push(bytes[offset]!);
      offset++;
    }
  }
  if (text.length > 0) parts.push({ text: Buffer.from(text).toString() });
  for (const part of parts) {
    if (part.value && part.value.accessors.length === 0) diags.push(nodeError(node, 'Property access expressions cannot be empty'));
  }
  return parts;
}

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;

class PropertyAccessParser {
  private readonly accessors: PropertyAccessor[] = [];

  constructor(
    private readonly parent: StringNode,
    private readonly bytes: Buffer,
    public offset: number,
    private readonly diags: Diagnostic[],
  ) {}

  parse(): PropertyAccess {
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        this.error(this.offset, "missing closing brace '}' in interpolation");
        return this.finish(this.offset);
      }
      if (c === 0x7d /* } */) return this.finish(this.next());
      if (c === 0x2e /* . */) this.accessors.push(this.parseName(this.next()));
      else if (c === 0x5b /* [ */) this.accessors.push(this.parseSubscript(this.next()));
      else if (isSpace(c)) {
        this.error(this.offset, "missing closing brace '}' in interpolation");
        return this.finish(this.offset);
      } else this.accessors.push(this.parseName(this.offset));
    }
  }

  private finish(start: number): PropertyAccess {
    if (this.accessors.length === 0) this.accessors.push({ kind: 'name', name: '', range: this.rangeFrom(start) });
    return { accessors: this.accessors };
  }

  private peek(): number | undefined {
    return this.offset < this.bytes.length ? this.bytes[this.offset] : undefined;
  }

  private next(): number {
    return this.offset++;
  }

  private terminatesName(c: number): boolean {
    return c === 0x2e || c === 0x5b || c === 0x7d || isSpace(c);
  }

  private parseName(start: number): PropertyAccessor {
    const from = this.offset;
    for (let c = this.peek(); c !== undefined && !this.terminatesName(c); c = this.peek()) this.next();
    const name = this.bytes.subarray(from, this.offset).toString();
    if (name === '') this.error(start, 'property name must not be empty');
    return { kind: 'name', name, range: this.rangeFrom(start) };
  }

  private parseSubscript(start: number): PropertyAccessor {
    let c = this.peek();
    if (c === undefined) {
      this.error(start, "subscript is missing closing bracket ']'");
      return { kind: 'subscript', index: '', range: this.rangeFrom(start) };
    }
    let index: string | number;
    if (c === 0x22 /* " */) {
      this.next();
      index = this.parseStringSubscript(start);
    } else {
      index = this.parseIndexSubscript(start);
    }
    c = this.peek();
    if (c !== 0x5d /* ] */) this.error(start, "subscript is missing closing bracket ']'");
    else this.next();
    return { kind: 'subscript', index, range: this.rangeFrom(start) };
  }

  private parseStringSubscript(start: number): string {
    const key: number[] = [];
    for (;;) {
      let c = this.peek();
      if (c === undefined) {
        this.error(start + 1, "key subscript is missing closing quote '\"'");
        return Buffer.from(key).toString();
      }
      this.next();
      if (c === 0x22) {
        if (key.length === 0) this.error(start + 1, 'key subscript must not be empty');
        return Buffer.from(key).toString();
      }
      if (c === 0x5c /* \ */ && this.peek() === 0x22) {
        this.next();
        c = 0x22;
      }
      key.push(c);
    }
  }

  private parseIndexSubscript(start: number): string | number {
    const from = this.offset;
    for (let c = this.peek(); c !== undefined && c !== 0x5d && !this.terminatesName(c); c = this.peek()) this.next();
    const text = this.bytes.subarray(from, this.offset).toString();
    if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      this.error(start + 1, 'numeric subscript must be a positive base-10 integer');
      return text;
    }
    if (this.accessors.length === 0) this.error(start, 'the first accessor must be a property name or key subscript, not a numeric subscript');
    return Number(text);
  }

  private error(start: number, summary: string): void {
    const range = this.rangeFrom(start);
    this.diags.push(range ? errorAt(range, summary, this.parent.path) : nodeError(this.parent, summary));
  }

  /** The range of bytes [start, offset) of a plain one-line scalar; other scalars have none. */
  private rangeFrom(start: number): Range | undefined {
    return scalarRange(this.parent, start, this.offset);
  }
}

/** A range inside a plain or flow scalar on one line, as ESC computes it; undefined otherwise. */
export function scalarRange(node: StringNode, start: number, end: number): Range | undefined {
  const range = node.range;
  if (!range || !node.yaml) return undefined;
  const type = (node.yaml as { type?: string }).type;
  if (range.start.line !== range.end.line || (type !== undefined && type !== 'PLAIN')) return undefined;
  const bytes = Buffer.from(node.value);
  const width = (n: number) => [...bytes.subarray(0, n).toString()].length;
  return {
    filename: range.filename,
    start: { line: range.start.line, column: range.start.column + width(start), byte: range.start.byte + start },
    end: { line: range.start.line, column: range.start.column + width(end), byte: range.start.byte + end },
  };
}

/** Go's %q for the strings ESC quotes in messages. */
export function goQuote(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Candidates ordered by edit distance to `word` (case and underscores ignored), ties kept in order. */
function sortByEditDistance(word: string, candidates: string[]): string[] {
  const fold = (s: string) => s.replaceAll('_', '').toLowerCase();
  const target = fold(word);
  return candidates
    .map((candidate, index) => ({ candidate, index, distance: levenshtein(target, fold(candidate)) }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index)
    .map((c) => c.candidate);
}

function levenshtein(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), next[j - 1]! + 1, row[j]! + 1);
    row = next;
  }
  return row[b.length]!;
}

