// The stacks list's filters, kept in the page's query string so a filtered list can be linked.
import type { StackSummary } from './types';

export interface StackFilters {
  /** Part of the `project/stack` name, matched in the browser (the API has no name search). */
  search: string;
  project: string;
  tagName: string;
  tagValue: string;
}

/** Stacks per page the console asks for (the API's `maxResults`). */
export const stacksPageSize = 50;
/**
 * The API has no name search, so a search reads every page, in the largest pages it serves (its
 * `maxResults` limit), and matches in the browser.
 */
export const searchPageSize = 1000;

export function filtersOf(params: URLSearchParams): StackFilters {
  return {
    search: params.get('q') ?? '',
    project: params.get('project') ?? '',
    tagName: params.get('tagName') ?? '',
    tagValue: params.get('tagValue') ?? '',
  };
}

/** The query string for `filters`, leaving out empty ones. */
export function searchParamsOf(filters: StackFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.search) params.set('q', filters.search);
  if (filters.project) params.set('project', filters.project);
  if (filters.tagName) params.set('tagName', filters.tagName);
  if (filters.tagName && filters.tagValue) params.set('tagValue', filters.tagValue);
  return params;
}

/** `GET /api/user/stacks` for one page of the organization's stacks under the server-side filters. */
export function stacksPath(org: string, filters: StackFilters, continuationToken?: string): string {
  const pageSize = filters.search.trim() ? searchPageSize : stacksPageSize;
  const params = new URLSearchParams({ organization: org, maxResults: String(pageSize) });
  if (filters.project) params.set('project', filters.project);
  if (filters.tagName) params.set('tagName', filters.tagName);
  if (filters.tagName && filters.tagValue) params.set('tagValue', filters.tagValue);
  if (continuationToken) params.set('continuationToken', continuationToken);
  return `/api/user/stacks?${params}`;
}

/** Whether a stack's `project/stack` name contains the search text (any case). */
export function matchesSearch(stack: StackSummary, search: string): boolean {
  const needle = search.trim().toLowerCase();
  return !needle || `${stack.projectName}/${stack.stackName}`.toLowerCase().includes(needle);
}
