// How times, durations and values read on the stack pages.
import { isSecret } from './secrets';

/** "3 minutes ago" for a Unix time in seconds, against `nowMs`. */
export function formatAgo(seconds: number, nowMs: number = Date.now()): string {
  const elapsed = Math.max(0, Math.round(nowMs / 1000 - seconds));
  if (elapsed < 45) return 'just now';
  const units: Array<[string, number]> = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    const count = Math.round(elapsed / size);
    if (count >= 1 && elapsed >= size * 0.75) return `${count} ${unit}${count === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/** A Unix time in seconds as an ISO instant, for `<time dateTime>` and titles. */
export const isoOf = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** "1m 05s", "2h 03m", "4s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A property value on one line: strings quoted as the CLI shows them, secrets hidden, long values cut. */
export function formatValue(value: unknown, max = 240): string {
  if (value === undefined) return '';
  if (isSecret(value) || value === '[secret]') return '[secret]';
  const text = JSON.stringify(value, (_key, v: unknown) => (isSecret(v) ? '[secret]' : v)) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const changeWords: Record<string, string> = { create: 'created', update: 'updated', delete: 'deleted', replace: 'replaced', import: 'imported', read: 'read', refresh: 'refreshed' };

/** "2 created, 1 updated": an update's resource changes, leaving out the unchanged ones. */
export function formatChanges(changes: Record<string, number> | undefined): string {
  return Object.entries(changes ?? {})
    .filter(([op, count]) => op !== 'same' && count > 0)
    .map(([op, count]) => `${count} ${changeWords[op] ?? op}`)
    .join(', ');
}
