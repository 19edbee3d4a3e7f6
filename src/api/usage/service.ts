import type { Caller } from '../../auth/caller.js';
import { requireOrganization } from '../../auth/permissions.js';
import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import * as store from './store.js';

export const granularities = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type Granularity = (typeof granularities)[number];

/** The query of `GET /api/orgs/{org}/resources/summary`: `lookbackStart` in Unix seconds. */
export interface UsageSummaryQuery {
  granularity: Granularity;
  lookbackDays?: number;
  lookbackStart?: number;
}

/** Pulumi's `ResourceCountSummary`: only the period fields of the granularity asked for. */
export interface ResourceCountSummaryView {
  year: number;
  month?: number;
  day?: number;
  weekNumber?: number;
  hour?: number;
  resources: number;
  resourceHours: number;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
/** "Hourly granularity is limited to a 2-day lookback" (spec). */
const maxHourlyDays = 2;
/** lookbackStart must be "within the last year". */
const maxLookbackStartAgeMs = 365 * dayMs;
/**
 * Pulumi documents up to 730 days (yearly); the summary walks the window hour by hour, so it is
 * bounded: ten years is 87,840 hours.
 */
const maxLookbackDays = 3660;

/** The request window [startMs, endMs), from the query as the docs and `pulumi org usage get` mean it. */
function windowOf(query: UsageSummaryQuery, now: number): { startMs: number; endMs: number } {
  const { granularity, lookbackDays, lookbackStart } = query;
  if (lookbackDays === undefined && lookbackStart === undefined) {
    throw new ApiError('bad_request', 'one of lookbackDays or lookbackStart is required');
  }
  if (lookbackDays !== undefined) {
    if (lookbackDays <= 0) throw new ApiError('bad_request', `lookbackDays must be a positive number of days, not ${lookbackDays}`);
    if (granularity === 'hourly' && lookbackDays > maxHourlyDays) {
      throw new ApiError('bad_request', `lookbackDays may be at most ${maxHourlyDays} with granularity 'hourly', not ${lookbackDays}`);
    }
    if (lookbackDays > maxLookbackDays) throw new ApiError('bad_request', `lookbackDays may be at most ${maxLookbackDays}, not ${lookbackDays}`);
  }
  if (lookbackStart !== undefined) {
    if (lookbackStart <= 0) throw new ApiError('bad_request', `lookbackStart must be a positive Unix time in seconds, not ${lookbackStart}`);
    if (lookbackStart * 1000 > now) throw new ApiError('bad_request', `lookbackStart (${lookbackStart}) is in the future`);
    if (lookbackStart * 1000 < now - maxLookbackStartAgeMs) throw new ApiError('bad_request', `lookbackStart (${lookbackStart}) is more than a year ago`);
  }
  // Both, as `pulumi org usage get --lookback-start` sends them: lookbackStart ends a lookbackDays window.
  if (lookbackDays !== undefined && lookbackStart !== undefined) {
    return { startMs: lookbackStart * 1000 - lookbackDays * dayMs, endMs: lookbackStart * 1000 };
  }
  if (lookbackDays !== undefined) return { startMs: now - lookbackDays * dayMs, endMs: now };
  const startMs = lookbackStart! * 1000;
  if (granularity === 'hourly' && now - startMs > maxHourlyDays * dayMs) {
    throw new ApiError('bad_request', `with granularity 'hourly' the window may span at most ${maxHourlyDays} days: lookbackStart (${lookbackStart}) is earlier`);
  }
  return { startMs, endMs: now };
}

/** strftime's `%U`: weeks start on Sunday; the days before the year's first Sunday are week 0. */
function weekNumber(date: Date): number {
  const dayOfYear = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / dayMs);
  return Math.floor((dayOfYear + 7 - date.getUTCDay()) / 7);
}

/** The period fields of the bucket the UTC hour starting at `hourStart` falls in. */
function bucketOf(granularity: Granularity, hourStart: number): Omit<ResourceCountSummaryView, 'resources' | 'resourceHours'> {
  const date = new Date(hourStart);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  switch (granularity) {
    case 'hourly':
      return { year, month, day, hour: date.getUTCHours() };
    case 'daily':
      return { year, month, day };
    case 'weekly':
      return { year, weekNumber: weekNumber(date) };
    case 'monthly':
      return { year, month };
    case 'yearly':
      return { year };
  }
}

/**
 * R(h) for each UTC hour from `firstHour` to `endHour`: the largest organization-wide total (the
 * sum of each stack's latest count) seen during the hour, the total carried in included, since a
 * partial resource hour is billed as a full one.
 */
function hourlyTotals(
  initial: Array<{ stack_id: string; resource_count: number }>,
  changes: store.ResourceCountChange[],
  firstHour: number,
  endHour: number,
): number[] {
  const counts = new Map(initial.map((row) => [row.stack_id, row.resource_count]));
  let total = initial.reduce((sum, row) => sum + row.resource_count, 0);
  const totals: number[] = [];
  let next = 0;
  for (let hour = firstHour; hour < endHour; hour += hourMs) {
    let largest = total;
    for (; next < changes.length && changes[next]!.at < hour + hourMs; next++) {
      const change = changes[next]!;
      total += change.resource_count - (counts.get(change.stack_id) ?? 0);
      counts.set(change.stack_id, change.resource_count);
      largest = Math.max(largest, total);
    }
    totals.push(largest);
  }
  return totals;
}

/** Resources under management (RUM) and resource hours (RHUM) of an organization over time. */
export class UsageService {
  constructor(private readonly deps: { db: Executor; clock: Clock }) {}

  /**
   * One row per bucket of the window, oldest first, for the hours of the window (a partial hour
   * counts whole): `resourceHours` sums R(h) over the bucket's hours, `resources` is their
   * rounded average. Buckets before the organization's first recorded count are left out, so an
   * organization that never held a resource answers an empty summary.
   */
  async resourceSummary(caller: Caller, orgName: string, query: UsageSummaryQuery): Promise<{ summary: ResourceCountSummaryView[] }> {
    const db = this.deps.db;
    const org = await requireOrganization(db, caller, orgName, 'admin', 'reading resource usage');
    const { startMs, endMs } = windowOf(query, this.deps.clock.now());
    const firstHour = Math.floor(startMs / hourMs) * hourMs;
    const endHour = Math.ceil(endMs / hourMs) * hourMs;
    const firstRecorded = await store.firstResourceCountAt(db, org.id);
    if (firstRecorded === undefined || firstRecorded >= endMs || firstHour >= endHour) return { summary: [] };
    const initial = await store.resourceCountsBefore(db, org.id, firstHour);
    const changes = await store.resourceCountChanges(db, org.id, firstHour, endHour);
    const totals = hourlyTotals(initial, changes, firstHour, endHour);

    const buckets: Array<{ key: string; period: ReturnType<typeof bucketOf>; lastHour: number; hours: number; resourceHours: number }> = [];
    totals.forEach((total, index) => {
      const hour = firstHour + index * hourMs;
      const period = bucketOf(query.granularity, hour);
      const key = JSON.stringify(period);
      let bucket = buckets[buckets.length - 1];
      if (bucket?.key !== key) buckets.push((bucket = { key, period, lastHour: hour, hours: 0, resourceHours: 0 }));
      bucket.lastHour = hour;
      bucket.hours += 1;
      bucket.resourceHours += total;
    });
    const firstRecordedHour = Math.floor(firstRecorded / hourMs) * hourMs;
    return {
      summary: buckets
        .filter((bucket) => bucket.lastHour >= firstRecordedHour)
        .map((bucket) => ({ ...bucket.period, resources: Math.round(bucket.resourceHours / bucket.hours), resourceHours: bucket.resourceHours })),
    };
  }

  /** Insights-discovered resources: none are discovered here, so the summary is always empty. */
  async discoveredResourceSummary(caller: Caller, orgName: string, query: UsageSummaryQuery): Promise<{ summary: ResourceCountSummaryView[] }> {
    await requireOrganization(this.deps.db, caller, orgName, 'admin', 'reading resource usage');
    windowOf(query, this.deps.clock.now());
    return { summary: [] };
  }
}
