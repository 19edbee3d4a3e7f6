/**
 * The resource-search query language (Pulumi's `search/resources?query=`), parsed to a small AST that
 * `match.ts` gives meaning to and the store compiles to SQL.
 *
 * Terms are ANDed unless joined by `OR` (upper case only; `AND` is accepted too), left to right with
 * no precedence: `a b OR c` = (a AND b) OR c. A term is a word, a "phrase", `field:value`,
 * `.property.path:value`, or a (group); a leading `-` negates it, as does `-` at the start of a value.
 * A token is a field term when the text before its first colon looks like a name (`10:30` is a word);
 * a token starting with '.' is always a property term.
 * Syntax errors are 400s and an unknown field a 422, each naming the 0-based position. Length, nesting
 * and the characters allowed are limited, so any string either parses or throws a QueryError.
 */
import { ApiError } from '../../errors.js';
import { timeSpanOf, versionKey } from './match.js';

export type QueryNode =
  | { kind: 'and'; nodes: QueryNode[] }
  | { kind: 'or'; nodes: QueryNode[] }
  | { kind: 'not'; node: QueryNode }
  | { kind: 'text'; match: ValueMatch }
  | { kind: 'field'; field: SearchField; match: FieldMatch }
  | { kind: 'property'; path: PathStep[]; match: ValueMatch | { kind: 'exists' } };

export type ValueMatch =
  | { kind: 'contains'; value: string }
  | { kind: 'glob'; value: string }
  | { kind: 'equals'; value: string };

export type FieldMatch =
  | ValueMatch
  | { kind: 'exists' }
  | { kind: 'compare'; op: '>' | '>=' | '<' | '<='; value: string }
  | { kind: 'range'; from: string; to: string };

export type PathStep = { kind: 'key'; key: string } | { kind: 'each' };

export const fieldNames = [
  'category', 'created', 'custom', 'delete', 'dependency', 'id', 'modified', 'module', 'name', 'package',
  'parent.urn', 'pending', 'project', 'protected', 'provider.urn', 'stack', 'type', 'urn', 'version', 'team',
] as const;

export type SearchField = (typeof fieldNames)[number];

const fieldByName: ReadonlyMap<string, SearchField> = new Map<string, SearchField>([
  ...fieldNames.map((name) => [name, name] as const),
  ['dependencies', 'dependency'],
  ['parentUrn', 'parent.urn'],
  ['parent_urn', 'parent.urn'],
  ['providerUrn', 'provider.urn'],
  ['provider_urn', 'provider.urn'],
  ['teams', 'team'],
]);

/** The field a sort, facet or query spelling names (canonical or an alias), if any. */
export const sortFieldOf = (name: string): SearchField | undefined => fieldByName.get(name);

const orderedFields: ReadonlySet<SearchField> = new Set(['created', 'modified', 'version']);
const timeFields: ReadonlySet<SearchField> = new Set(['created', 'modified']);
const booleanFields: ReadonlySet<SearchField> = new Set(['custom', 'delete', 'protected']);

export const maxQueryLength = 4096;
export const maxNestingDepth = 32;

export class QueryError extends ApiError {
  constructor(code: 'bad_request' | 'unprocessable', message: string, readonly position: number) {
    super(code, message);
  }
}

const syntaxError = (position: number, detail: string) =>
  new QueryError('bad_request', `invalid query at position ${position}: ${detail}`, position);

/** Echoes user text in a message without letting a 4 KB value fill it. */
const quote = (text: string) => `'${text.length > 64 ? `${text.slice(0, 64)}…` : text}'`;

const isSpace = (char: string | undefined) => char !== undefined && /\s/.test(char);
/** Where an unquoted value or a quoted term may end. */
const endsTerm = (char: string | undefined) => char === undefined || char === ')' || isSpace(char);
const fieldNamePattern = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const identifierChar = /^[\p{L}\p{N}_$-]$/u;

/** The query's AST, or undefined for an empty query. Throws only QueryError. */
export function parseQuery(text: string): QueryNode | undefined {
  if (text.length > maxQueryLength) throw syntaxError(maxQueryLength, `a query is at most ${maxQueryLength} characters`);
  rejectUnstorableCharacters(text);
  return new Parser(text).parseSequence();
}

/** NUL and other controls, and lone surrogates, cannot reach a database as text: refuse them up front. */
function rejectUnstorableCharacters(text: string): void {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) {
      throw syntaxError(index, `control character U+${code.toString(16).padStart(4, '0').toUpperCase()} is not allowed`);
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index++;
      else throw syntaxError(index, 'unpaired surrogate character');
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      throw syntaxError(index, 'unpaired surrogate character');
    }
  }
}

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  /** A method, not a getter, so the compiler does not keep a narrowing across position changes. */
  private peek(): string | undefined {
    return this.text[this.position];
  }

  private skipSpace(): void {
    while (isSpace(this.peek())) this.position++;
  }

  /** Terms up to the end, or up to a ')' inside a group, folded left to right. */
  parseSequence(): QueryNode | undefined {
    let result: QueryNode | undefined;
    // The kind of node this fold built, which the next term of the same operator joins.
    let builtKind: 'and' | 'or' | undefined;
    let pending: { op: 'and' | 'or'; word: string; position: number } | undefined;
    for (;;) {
      this.skipSpace();
      const char = this.peek();
      if (char === undefined) break;
      if (char === ')') {
        if (this.depth === 0) throw syntaxError(this.position, "unbalanced ')'");
        break;
      }
      const keyword = this.keywordHere();
      if (keyword) {
        if (result === undefined || pending) throw syntaxError(this.position, `'${keyword}' needs a term before it`);
        pending = { op: keyword === 'OR' ? 'or' : 'and', word: keyword, position: this.position };
        this.position += keyword.length;
        continue;
      }
      const term = this.parseTerm();
      if (result === undefined) {
        result = term;
      } else {
        const op = pending?.op ?? 'and';
        if (builtKind === op && result.kind === op) {
          result.nodes.push(term);
        } else {
          result = { kind: op, nodes: [result, term] };
          builtKind = op;
        }
      }
      pending = undefined;
    }
    if (pending) throw syntaxError(pending.position, `'${pending.word}' needs a term after it`);
    return result;
  }

  private keywordHere(): 'OR' | 'AND' | undefined {
    for (const keyword of ['OR', 'AND'] as const) {
      if (!this.text.startsWith(keyword, this.position)) continue;
      const after = this.text[this.position + keyword.length];
      if (after === '(' || endsTerm(after)) return keyword;
    }
    return undefined;
  }

  private parseTerm(): QueryNode {
    if (this.peek() !== '-') return this.parseUnsignedTerm();
    this.skipMinus('a term');
    return { kind: 'not', node: this.parseUnsignedTerm() };
  }

  /** Steps over a negating '-', which must be followed directly by what it negates. */
  private skipMinus(what: string): void {
    const minusAt = this.position++;
    if (endsTerm(this.peek())) throw syntaxError(minusAt, `'-' must be followed by ${what}`);
    if (this.peek() === '-') throw syntaxError(this.position, "'-' cannot follow '-'");
  }

  private parseUnsignedTerm(): QueryNode {
    switch (this.peek()) {
      case '(':
        return this.parseGroup();
      case '"': {
        const value = this.readQuoted();
        this.expectTermEnd();
        return { kind: 'text', match: { kind: 'equals', value } };
      }
      case '.':
        return this.parseProperty();
      default:
        return this.parseWordOrField();
    }
  }

  private parseGroup(): QueryNode {
    const openAt = this.position;
    if (this.depth >= maxNestingDepth) throw syntaxError(openAt, `parentheses nest deeper than ${maxNestingDepth} levels`);
    this.position++;
    this.depth++;
    const inner = this.parseSequence();
    if (this.peek() !== ')') throw syntaxError(openAt, "unbalanced '('");
    if (inner === undefined) throw syntaxError(openAt, 'empty parentheses');
    this.depth--;
    this.position++;
    this.expectTermEnd();
    return inner;
  }

  private parseWordOrField(): QueryNode {
    const start = this.position;
    const colon = this.fieldColonAt();
    if (colon < 0) return { kind: 'text', match: unquotedMatch(this.readWord()) };
    const name = this.text.slice(start, colon);
    const field = fieldByName.get(name);
    if (!field) throw new QueryError('unprocessable', `unknown field ${quote(name)} at position ${start}`, start);
    this.position = colon + 1;
    if (endsTerm(this.peek())) return { kind: 'field', field, match: { kind: 'exists' } };
    if (this.peek() !== '-') return { kind: 'field', field, match: this.parseFieldMatch(field, name) };
    this.skipMinus('a value');
    return { kind: 'not', node: { kind: 'field', field, match: this.parseFieldMatch(field, name) } };
  }

  /** The colon ending a field name at the current position, or -1 when the token is a plain word. */
  private fieldColonAt(): number {
    let index = this.position;
    while (index < this.text.length && /[A-Za-z0-9_.-]/.test(this.text[index]!)) index++;
    if (this.text[index] !== ':') return -1;
    return fieldNamePattern.test(this.text.slice(this.position, index)) ? index : -1;
  }

  private parseFieldMatch(field: SearchField, name: string): FieldMatch {
    const char = this.peek();
    if (char === '>' || char === '<' || char === '[') {
      if (!orderedFields.has(field)) {
        throw syntaxError(this.position, `field ${quote(name)} does not support ${char === '[' ? 'ranges' : 'comparisons'}`);
      }
      return char === '[' ? this.parseRange(field, name) : this.parseComparison(field, name);
    }
    const valueAt = this.position;
    const match = this.readValue();
    if (booleanFields.has(field)) {
      const lower = match.value.toLowerCase();
      if (match.kind === 'glob' || (lower !== 'true' && lower !== 'false')) {
        throw syntaxError(valueAt, `field ${quote(name)} takes true or false, not ${quote(match.value)}`);
      }
      return { kind: 'equals', value: lower };
    }
    if (timeFields.has(field)) this.checkTime(name, match.value, valueAt);
    return match;
  }

  private parseComparison(field: SearchField, name: string): FieldMatch {
    const opAt = this.position;
    const op = this.text.startsWith('=', opAt + 1) ? (`${this.peek()}=` as '>=' | '<=') : (this.peek() as '>' | '<');
    this.position += op.length;
    if (endsTerm(this.peek())) throw syntaxError(opAt, `expected a value after '${op}'`);
    const valueAt = this.position;
    const { value } = this.readValue();
    this.checkBound(field, name, value, valueAt, false);
    return { kind: 'compare', op, value };
  }

  private parseRange(field: SearchField, name: string): FieldMatch {
    const openAt = this.position++;
    const readBound = (what: string) => {
      this.skipSpace();
      const start = this.position;
      while (this.peek() !== undefined && this.peek() !== ']' && !isSpace(this.peek())) this.position++;
      if (start < this.position) return { text: this.text.slice(start, this.position), at: start };
      throw this.peek() === undefined ? syntaxError(openAt, "unterminated range: expected ']'") : syntaxError(start, `expected ${what}`);
    };
    const from = readBound('the start of the range');
    const to = readBound("'to'");
    if (to.text.toLowerCase() !== 'to') throw syntaxError(to.at, `expected 'to' in a range, found ${quote(to.text)}`);
    const until = readBound('the end of the range');
    this.checkBound(field, name, from.text, from.at, true);
    this.checkBound(field, name, until.text, until.at, true);
    this.skipSpace();
    if (this.peek() === undefined) throw syntaxError(openAt, "unterminated range: expected ']'");
    if (this.peek() !== ']') throw syntaxError(this.position, "expected ']' to close the range");
    this.position++;
    this.expectTermEnd();
    return { kind: 'range', from: from.text, to: until.text };
  }

  private checkBound(field: SearchField, name: string, value: string, at: number, openAllowed: boolean): void {
    if (openAllowed && value === '*') return;
    if (timeFields.has(field)) this.checkTime(name, value, at);
    else if (versionKey(value) === '') throw syntaxError(at, `field ${quote(name)} compares versions such as 2.0, not ${quote(value)}`);
  }

  private checkTime(name: string, value: string, at: number): void {
    if (timeSpanOf(value)) return;
    throw syntaxError(at, `field ${quote(name)} takes a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM[:SS[.fff]][Z], not ${quote(value)}`);
  }

  private parseProperty(): QueryNode {
    this.position++;
    const path: PathStep[] = [this.parsePathStep()];
    for (;;) {
      const char = this.peek();
      if (char === ':') break;
      if (char === '.') {
        this.position++;
        path.push(this.parsePathStep());
      } else if (char === '[') {
        path.push(this.parsePathStep());
      } else if (endsTerm(char)) {
        throw syntaxError(this.position, "expected ':' after the property path");
      } else {
        throw syntaxError(this.position, `unexpected ${quote(char ?? '')} in a property path`);
      }
    }
    this.position++;
    if (endsTerm(this.peek())) return { kind: 'property', path, match: { kind: 'exists' } };
    if (this.peek() !== '-') return { kind: 'property', path, match: this.readValue() };
    this.skipMinus('a value');
    return { kind: 'not', node: { kind: 'property', path, match: this.readValue() } };
  }

  private parsePathStep(): PathStep {
    const start = this.position;
    if (this.peek() === '[') return this.parseBracketStep();
    while (this.position < this.text.length) {
      const char = String.fromCodePoint(this.text.codePointAt(this.position)!);
      if (!identifierChar.test(char)) break;
      this.position += char.length;
    }
    if (this.position === start) throw syntaxError(start, 'expected a property name');
    return { kind: 'key', key: this.text.slice(start, this.position) };
  }

  private parseBracketStep(): PathStep {
    const openAt = this.position++;
    let step: PathStep;
    if (this.peek() === '*') {
      this.position++;
      step = { kind: 'each' };
    } else if (this.peek() === '"') {
      step = { kind: 'key', key: this.readQuoted() };
    } else if (/^[0-9]$/.test(this.peek() ?? '')) {
      throw syntaxError(openAt, 'array indices are not supported; use [*] for any element');
    } else {
      throw syntaxError(this.position, 'expected "key" or * inside [ ]');
    }
    if (this.peek() !== ']') throw syntaxError(this.position, "expected ']'");
    this.position++;
    return step;
  }

  /** A value after `field:` or `.path:`: a "quoted" exact value, or a word (a glob if it has '*'). */
  private readValue(): ValueMatch {
    if (this.peek() === '(') throw syntaxError(this.position, "a value cannot be a group; repeat the field inside one: (name:a OR name:b)");
    if (this.peek() !== '"') return unquotedMatch(this.readWord());
    const value = this.readQuoted();
    this.expectTermEnd();
    return { kind: 'equals', value };
  }

  /** An unquoted run to whitespace or an unbalanced ')'; balanced parentheses stay in it. */
  private readWord(): string {
    const start = this.position;
    let open = 0;
    for (;;) {
      const char = this.peek();
      if (char === undefined || isSpace(char)) break;
      if (char === ')') {
        if (open === 0) break;
        open--;
      } else if (char === '(') {
        open++;
      } else if (char === '"') {
        throw syntaxError(this.position, `unexpected '"' inside a word; quote the whole value`);
      }
      this.position++;
    }
    return this.text.slice(start, this.position);
  }

  /** A "…" string with \" and \\ escapes; any other backslash is kept as written. */
  private readQuoted(): string {
    const quoteAt = this.position++;
    let value = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined) throw syntaxError(quoteAt, `unterminated '"'`);
      this.position++;
      if (char === '"') return value;
      const next = this.peek();
      if (char === '\\' && (next === '"' || next === '\\')) {
        value += next;
        this.position++;
      } else {
        value += char;
      }
    }
  }

  private expectTermEnd(): void {
    const char = this.peek();
    if (!endsTerm(char)) throw syntaxError(this.position, `expected a space or ')' before ${quote(char ?? '')}`);
  }
}

const unquotedMatch = (value: string): ValueMatch => (value.includes('*') ? { kind: 'glob', value } : { kind: 'contains', value });
