// Pure helpers of the area pages: the API's times, an opened environment's values, ESC's
// diagnostics and webhook subscriptions as the forms take them. No React, so unit tests reach them.
import { formatTime } from '../org/format';

/**
 * A time as these APIs give it: ISO 8601, the deployments' SQL-style `2026-12-06 20:00:00.000`
 * (UTC, without a zone), or milliseconds; NaN when it is none of these.
 */
export function parseApiTime(value: string | number | null | undefined): number {
  if (value === null || value === undefined || value === '') return NaN;
  if (typeof value === 'number') return value;
  const sql = /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value);
  return Date.parse(sql ? `${value.replace(' ', 'T')}Z` : value);
}

/** A time of these APIs for people: `2026-12-06 20:00 UTC`, or `fallback` when there is none. */
export function formatApiTime(value: string | number | null | undefined, fallback = '—'): string {
  const ms = parseApiTime(value);
  return Number.isNaN(ms) || ms <= 0 ? fallback : formatTime(ms);
}

/** ESC's `esc.Value` as an opened environment's JSON has it. */
export interface EscValue {
  value?: unknown;
  secret?: boolean;
  unknown?: boolean;
}

/** One leaf of an opened environment: its property path, its value as text, and whether it is secret. */
export interface OpenedValue {
  path: string;
  text: string;
  secret: boolean;
}

const isEscValue = (v: unknown): v is EscValue => v !== null && typeof v === 'object' && !Array.isArray(v);
const pathKey = (parent: string, key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`);

/**
 * The leaves of an opened environment's `properties`, in order, with paths as ESC writes them
 * (`a.b[0]["odd key"]`); a secret anywhere above a leaf makes it secret.
 */
export function flattenValues(properties: Record<string, EscValue> | undefined): OpenedValue[] {
  const out: OpenedValue[] = [];
  const walk = (path: string, node: EscValue, secret: boolean) => {
    const hidden = secret || node.secret === true;
    const inner = node.value;
    if (Array.isArray(inner) && inner.length > 0) {
      inner.forEach((item, index) => walk(`${path}[${index}]`, isEscValue(item) ? item : { value: item }, hidden));
    } else if (isEscValue(inner) && Object.keys(inner).length > 0) {
      for (const [key, item] of Object.entries(inner as Record<string, unknown>)) walk(pathKey(path, key), isEscValue(item) ? item : { value: item }, hidden);
    } else {
      const text = node.unknown ? '[unknown]' : inner === undefined || inner === null ? 'null' : typeof inner === 'string' ? inner : JSON.stringify(inner);
      out.push({ path, text, secret: hidden });
    }
  };
  for (const [key, node] of Object.entries(properties ?? {})) walk(pathKey('', key), isEscValue(node) ? node : { value: node }, false);
  return out;
}

/** ESC's `EnvironmentDiagnostic`, as a 400 of an environment write carries them. */
export interface Diagnostic {
  summary: string;
  detail?: string;
  severity?: string;
  range?: { begin: { line: number; column: number } };
}

/** `line 3, column 5: summary` (the position when the diagnostic has one). */
export function diagnosticText(d: Diagnostic): string {
  const where = d.range ? `line ${d.range.begin.line}, column ${d.range.begin.column}: ` : '';
  return `${where}${d.summary}${d.detail ? ` (${d.detail})` : ''}`;
}

/** A list typed as `a, b c` into a form field: its names, without blanks or repeats. */
export function splitNames(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((name) => name !== ''))];
}

/** The webhook groups each scope may subscribe to (the server's table, src/api/webhooks/events.ts). */
export const webhookGroups = {
  organization: ['stacks', 'deployments', 'policies', 'environments', 'change_requests'],
  stack: ['stacks', 'deployments', 'policies'],
} as const;

export const webhookFormats = [
  { value: 'raw', label: 'JSON (raw)' },
  { value: 'slack', label: 'Slack' },
  { value: 'ms_teams', label: 'Microsoft Teams' },
  { value: 'pulumi_deployments', label: 'Pulumi Deployments' },
] as const;

/** A schedule's kind as Pulumi's console names it: drift detection, TTL (a destroy once), or a plain deployment. */
export function scheduleKind(request: { operation?: unknown; operationContext?: unknown } | undefined, once: boolean): 'drift' | 'ttl' | 'raw' {
  if (request?.operation === 'detect-drift') return 'drift';
  if (request?.operation === 'destroy' && once && request.operationContext !== undefined) return 'ttl';
  return 'raw';
}

/** A `datetime-local` input's value, read as UTC (the schedules' clock): `2026-12-24T08:00` → `2026-12-24T08:00:00Z`. */
export function utcInputToRfc3339(value: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value) ? `${value}:00Z` : value;
}
