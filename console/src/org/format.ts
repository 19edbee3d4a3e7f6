// Pure helpers of the organization pages: times as the tokens and audit APIs give them, the
// choices their forms offer, and the query strings they send. No React here, so unit tests reach them.

/** Pulumi's StackPermission values, as team grants and the organization's default use them. */
export const stackPermissions = [
  { value: 0, label: 'None' },
  { value: 101, label: 'Read' },
  { value: 102, label: 'Edit' },
  { value: 103, label: 'Admin' },
] as const;

/** A team may be granted these; "none" is a removal, not a grant. */
export const grantablePermissions = stackPermissions.filter((p) => p.value !== 0);

export function permissionLabel(value: number): string {
  return stackPermissions.find((p) => p.value === value)?.label ?? String(value);
}

/** How long a new token lives; the API takes at most two years. */
export const tokenLifetimes = [
  { days: 0, label: 'Never' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 730, label: '2 years' },
] as const;

/** The `expires` a token request sends: 0 for never, else Unix seconds `days` after `nowMs`. */
export function expiresAt(days: number, nowMs: number): number {
  return days === 0 ? 0 : Math.floor(nowMs / 1000) + days * 86_400;
}

/** A Unix-seconds time of the tokens API, where 0 means it never happened (or never will). */
export function formatUnixSeconds(seconds: number, never = 'Never'): string {
  return seconds === 0 ? never : formatTime(seconds * 1000);
}

/** A moment in UTC to the minute: `2026-12-06 19:55 UTC`; the same on every machine, so tests can read it. */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** What the audit log page filters by; empty strings are no filter. */
export interface AuditFilter {
  user: string;
  event: string;
  /** `datetime-local` values, read as UTC. */
  from: string;
  to: string;
}

export const noAuditFilter: AuditFilter = { user: '', event: '', from: '', to: '' };

/** A `datetime-local` value read as UTC, in Unix seconds; undefined when empty or not a time. */
export function unixSecondsOf(local: string): number | undefined {
  if (!local) return undefined;
  const ms = Date.parse(`${local}${local.length === 16 ? ':00' : ''}Z`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * The query string of `GET /api/orgs/{org}/auditlogs/v2` (and its export): v2 reads startTime as
 * the lower bound and endTime as the upper one, both inclusive Unix seconds.
 */
export function auditQuery(filter: AuditFilter, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  if (filter.user.trim()) params.set('userFilter', filter.user.trim());
  if (filter.event) params.set('eventFilter', filter.event);
  const start = unixSecondsOf(filter.from);
  const end = unixSecondsOf(filter.to);
  if (start !== undefined) params.set('startTime', String(start));
  if (end !== undefined) params.set('endTime', String(end));
  for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
