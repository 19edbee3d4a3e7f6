import { ApiError } from '../errors.js';

/** Continuation tokens are opaque to clients: base64url of the JSON key the next page starts after. */
export function encodeContinuationToken(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeContinuationToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError('bad_request', 'invalid continuation token');
  }
}

/** A key of three names (organization, project, stack or environment), as listings sort by them. */
export type NameTripleKey = [string, string, string];

export function decodeNameTripleToken(token: string): NameTripleKey {
  const key = decodeContinuationToken(token);
  // Names never hold a NUL, and PostgreSQL text cannot: such a token was not one this server gave.
  if (!Array.isArray(key) || key.length !== 3 || !key.every((part) => typeof part === 'string' && !part.includes('\0'))) {
    throw new ApiError('bad_request', 'invalid continuation token');
  }
  return key as NameTripleKey;
}
