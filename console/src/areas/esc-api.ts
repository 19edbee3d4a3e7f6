// Environment definitions travel as YAML, not JSON: their reads and writes go through here, with
// the same token and error handling as api.ts, and a 400's ESC diagnostics kept for the page.
import { ApiError, storedToken } from '../api';
import type { Diagnostic } from './format';

/** A write ESC refused: the API's message and the definition's diagnostics. */
export class DiagnosticsError extends ApiError {
  constructor(
    status: number,
    message: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(status, message);
  }
}

async function yamlRequest(method: 'GET' | 'PATCH', path: string, body?: string, etag?: string): Promise<{ text: string; revision: string; etag: string }> {
  const headers: Record<string, string> = { Accept: 'application/x-yaml, application/json' };
  if (etag) headers.ETag = etag;
  const token = storedToken.get();
  if (token) headers.Authorization = `token ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/x-yaml';
  const response = await fetch(path, { method, headers, body });
  const text = await response.text();
  if (!response.ok) {
    let parsed: { message?: string; diagnostics?: Diagnostic[] } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Not Pulumi's error body: the text as it came.
    }
    if (response.status === 401) window.dispatchEvent(new Event('stackyard:signed-out'));
    throw new DiagnosticsError(response.status, parsed.message ?? (text || response.statusText), parsed.diagnostics ?? []);
  }
  return { text, revision: response.headers.get('Pulumi-ESC-Revision') ?? '', etag: response.headers.get('ETag') ?? '' };
}

/** An environment's definition (a revision's, with `/versions/{n}` in the path) and its revision number. */
export const readDefinition = (path: string) => yamlRequest('GET', path);

/**
 * Saves a new definition over the revision that was read (`etag`): someone else's save in between
 * is refused rather than overwritten. Resolves to the new revision number.
 */
export const saveDefinition = async (path: string, yaml: string, etag: string) => (await yamlRequest('PATCH', path, yaml, etag)).revision;
