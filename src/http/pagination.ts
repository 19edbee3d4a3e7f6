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
