/**
 * What a parsed search query means for one resource: the reference the SQL compiler must agree with,
 * and the time and version helpers it shares.
 *
 * - Values: `contains` is a case-insensitive substring, `glob` a case-insensitive whole-value match
 *   where `*` is any run, `equals` the case-sensitive whole value. An empty string never matches a value.
 * - `exists`: a non-empty string or array, a non-null time; booleans always exist. `category` is
 *   always empty: it never matches and never exists.
 * - Free text: contains/glob test urn, name, stack and project; equals tests name, stack, project,
 *   type and urn.
 * - `type` also matches its short form `pkg:mod:Name` (mod cut at '/'), so `type:aws:cloudwatch:LogGroup`
 *   finds `aws:cloudwatch/logGroup:LogGroup`. `dependency` and `team` match if any element does.
 * - `created`/`modified`: a value is the span it names (a UTC day, or a time to the precision written:
 *   minute, second, or the fraction's digits down to a millisecond); `>d` is from the span's end,
 *   `>=d` from its start, `<d` before its start, `<=d` before its end, `[a to b]` from start(a) to
 *   end(b). A null time matches nothing.
 * - `version`: values test the version string; comparisons and ranges compare `versionKey`s, and a
 *   resource without a version matches none of them.
 * - Properties: the path is walked over `properties`; a key step on an array applies to each element,
 *   a reached array is tested element by element, scalars compare as strings (numbers via String,
 *   booleans as 'true'/'false'), null and objects match no value. `exists` wants some reached value
 *   that is not null, {} or [].
 */
import type { FieldMatch, PathStep, QueryNode, SearchField, ValueMatch } from './query.js';

export interface SearchDocument {
  urn: string;
  type: string;
  name: string;
  package: string;
  module: string;
  project: string;
  stack: string;
  id: string;
  custom: boolean;
  delete: boolean;
  protected: boolean;
  pending: string;
  parentUrn: string;
  providerUrn: string;
  created: number | null;
  modified: number | null;
  dependencies: string[];
  version: string;
  teams: string[];
  properties?: unknown;
}

export function matchesDocument(node: QueryNode, doc: SearchDocument): boolean {
  switch (node.kind) {
    case 'and':
      return node.nodes.every((inner) => matchesDocument(inner, doc));
    case 'or':
      return node.nodes.some((inner) => matchesDocument(inner, doc));
    case 'not':
      return !matchesDocument(node.node, doc);
    case 'text': {
      const candidates = node.match.kind === 'equals'
        ? [doc.name, doc.stack, doc.project, doc.type, doc.urn]
        : [doc.urn, doc.name, doc.stack, doc.project];
      return candidates.some((value) => valueMatches(value, node.match));
    }
    case 'field':
      return fieldMatches(node.field, node.match, doc);
    case 'property':
      return propertyMatches(node.path, node.match, doc.properties);
  }
}

const isValueMatch = (match: FieldMatch): match is ValueMatch =>
  match.kind === 'contains' || match.kind === 'glob' || match.kind === 'equals';

function valueMatches(value: string, match: ValueMatch): boolean {
  if (value === '') return false;
  switch (match.kind) {
    case 'contains':
      return value.toLowerCase().includes(match.value.toLowerCase());
    case 'glob':
      return globMatches(match.value.toLowerCase(), value.toLowerCase());
    case 'equals':
      return value === match.value;
  }
}

/** Greedy match that backtracks only to the last '*': at worst O(pattern × value), never exponential. */
function globMatches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let lastStar = -1;
  let resumeAt = 0;
  while (v < value.length) {
    if (pattern[p] === '*') {
      lastStar = p++;
      resumeAt = v;
    } else if (p < pattern.length && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (lastStar >= 0) {
      p = lastStar + 1;
      v = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function fieldMatches(field: SearchField, match: FieldMatch, doc: SearchDocument): boolean {
  switch (field) {
    case 'created':
    case 'modified':
      return timeMatches(doc[field], match);
    case 'version':
      return versionMatches(doc.version, match);
    case 'custom':
    case 'delete':
    case 'protected':
      return match.kind === 'exists' || (isValueMatch(match) && match.value.toLowerCase() === String(doc[field]));
    case 'dependency':
      return listMatches(doc.dependencies, match);
    case 'team':
      return listMatches(doc.teams, match);
    case 'type':
      if (match.kind === 'exists') return doc.type !== '';
      return isValueMatch(match) && (valueMatches(doc.type, match) || valueMatches(shortType(doc.type), match));
    default:
      return stringMatches(stringField(field, doc), match);
  }
}

type StringField = Exclude<SearchField, 'created' | 'modified' | 'version' | 'custom' | 'delete' | 'protected' | 'dependency' | 'team' | 'type'>;

function stringField(field: StringField, doc: SearchDocument): string {
  switch (field) {
    case 'category':
      return '';
    case 'parent.urn':
      return doc.parentUrn;
    case 'provider.urn':
      return doc.providerUrn;
    default:
      return doc[field];
  }
}

function stringMatches(value: string, match: FieldMatch): boolean {
  if (match.kind === 'exists') return value !== '';
  return isValueMatch(match) && valueMatches(value, match);
}

function listMatches(values: string[], match: FieldMatch): boolean {
  if (match.kind === 'exists') return values.length > 0;
  return isValueMatch(match) && values.some((value) => valueMatches(value, match));
}

/** `aws:cloudwatch/logGroup:LogGroup` → `aws:cloudwatch:LogGroup`; other shapes stay as they are. */
export function shortType(type: string): string {
  const parts = type.split(':');
  if (parts.length !== 3) return type;
  const [pkg, mod, name] = parts as [string, string, string];
  const slash = mod.indexOf('/');
  return slash < 0 ? type : `${pkg}:${mod.slice(0, slash)}:${name}`;
}

function timeMatches(time: number | null, match: FieldMatch): boolean {
  if (time === null) return false;
  if (match.kind === 'exists') return true;
  const { from, to } = timeBounds(match);
  return (from === undefined || time >= from) && (to === undefined || time < to);
}

/** Unix-ms bounds of a created/modified match: `from` inclusive, `to` exclusive; absent = open. */
export function timeBounds(match: FieldMatch): { from?: number; to?: number } {
  switch (match.kind) {
    case 'exists':
      return {};
    case 'contains':
    case 'glob':
    case 'equals': {
      const span = spanOf(match.value);
      return { from: span.start, to: span.end };
    }
    case 'compare': {
      const span = spanOf(match.value);
      if (match.op === '>') return { from: span.end };
      if (match.op === '>=') return { from: span.start };
      if (match.op === '<') return { to: span.start };
      return { to: span.end };
    }
    case 'range': {
      const bounds: { from?: number; to?: number } = {};
      if (match.from !== '*') bounds.from = spanOf(match.from).start;
      if (match.to !== '*') bounds.to = spanOf(match.to).end;
      return bounds;
    }
  }
}

function spanOf(value: string): TimeSpan {
  const span = timeSpanOf(value);
  // The parser refuses such values; reaching here means a hand-built query.
  if (!span) throw new RangeError(`'${value}' is not a date or a UTC time`);
  return span;
}

export interface TimeSpan {
  /** Unix ms, inclusive. */
  start: number;
  /** Unix ms, exclusive. */
  end: number;
}

const timePattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?Z?)?$/;

/** The span `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS[.fff…]][Z]` (UTC) names, or undefined if it is neither. */
export function timeSpanOf(value: string): TimeSpan | undefined {
  const parts = timePattern.exec(value);
  if (!parts) return undefined;
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fraction] = parts;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText ?? 0);
  const minute = Number(minuteText ?? 0);
  const second = Number(secondText ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const digits = fraction?.slice(0, 3) ?? '';
  const millisecond = Number(digits.padEnd(3, '0'));
  // new Date(0) plus setUTCFullYear, because Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  const start = date.getTime();
  const precision =
    hourText === undefined ? 86_400_000 : secondText === undefined ? 60_000 : fraction === undefined ? 1000 : 10 ** (3 - digits.length);
  return { start, end: start + precision };
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function versionMatches(version: string, match: FieldMatch): boolean {
  if (match.kind === 'exists') return version !== '';
  if (isValueMatch(match)) return valueMatches(version, match);
  const key = versionKey(version);
  if (key === '') return false;
  if (match.kind === 'range') {
    return atLeast(key, match.from) && atMost(key, match.to);
  }
  const bound = versionKey(match.value);
  if (bound === '') return false;
  switch (match.op) {
    case '>':
      return key > bound;
    case '>=':
      return key >= bound;
    case '<':
      return key < bound;
    case '<=':
      return key <= bound;
  }
}

const atLeast = (key: string, from: string) => from === '*' || (versionKey(from) !== '' && key >= versionKey(from));
const atMost = (key: string, to: string) => to === '*' || (versionKey(to) !== '' && key <= versionKey(to));

const versionPattern = /^[vV]?(\d+(?:\.\d+){0,3})/;
const componentWidth = 10;

/**
 * A string whose byte order is the version order: the first four numeric components, each
 * zero-padded to 10 digits (missing ones count as 0, so 2.0 = 2.0.0), pre-release and other
 * suffixes ignored; '' when the version does not start with a number.
 */
export function versionKey(version: string): string {
  const numbers = versionPattern.exec(version)?.[1];
  if (numbers === undefined) return '';
  const components = numbers.split('.').map((component) => {
    const digits = component.replace(/^0+(?=\d)/, '');
    return digits.length > componentWidth ? '9'.repeat(componentWidth) : digits.padStart(componentWidth, '0');
  });
  while (components.length < 4) components.push('0'.repeat(componentWidth));
  return components.join('.');
}

function propertyMatches(path: PathStep[], match: ValueMatch | { kind: 'exists' }, properties: unknown): boolean {
  if (properties === undefined) return false;
  let reached: unknown[] = [properties];
  for (const step of path) {
    const next: unknown[] = [];
    for (const value of reached) {
      if (step.kind === 'each') {
        if (Array.isArray(value)) for (const element of value) next.push(element);
      } else if (Array.isArray(value)) {
        for (const element of value) if (isObject(element) && Object.hasOwn(element, step.key)) next.push(element[step.key]);
      } else if (isObject(value) && Object.hasOwn(value, step.key)) {
        next.push(value[step.key]);
      }
    }
    reached = next;
  }
  if (match.kind === 'exists') return reached.some(isPresent);
  return reached.some((value) => (Array.isArray(value) ? value.some((element) => scalarMatches(element, match)) : scalarMatches(value, match)));
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

function scalarMatches(value: unknown, match: ValueMatch): boolean {
  if (typeof value === 'string') return valueMatches(value, match);
  if (typeof value === 'number' || typeof value === 'boolean') return valueMatches(String(value), match);
  return false;
}
