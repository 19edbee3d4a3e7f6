import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';

/** The query a signed URL carries. */
export interface SignedQuery {
  expires?: string;
  signature?: string;
}

/**
 * URLs that are their own credential: the CLI sends no Authorization header when it uploads or
 * downloads a policy pack archive. A URL names one method on one path until a time, signed with a
 * key derived from the master key, so a changed method, path or expiry no longer verifies.
 */
export class UrlSigner {
  private readonly key: Buffer;

  constructor(
    masterKey: Buffer,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'stackyard signed urls', 32));
  }

  /** An absolute URL for `method` on the API path `path` (URL-safe, starting with `/`), valid for `ttlMs`. */
  sign(method: 'GET' | 'PUT', path: string, ttlMs: number): string {
    const expires = Math.floor((this.clock.now() + ttlMs) / 1000);
    // Signed over the API path alone, so a proxy that serves the API under a prefix changes nothing.
    return `${this.publicUrl.replace(/\/+$/, '')}${path}?expires=${expires}&signature=${this.signature(method, path, expires)}`;
  }

  /** Refuses, with 403, a request whose URL this signer did not make for it or whose time is up. */
  verify(method: string, path: string, query: SignedQuery): void {
    const expires = Number(query.expires);
    if (!query.signature || !Number.isSafeInteger(expires)) throw new ApiError('forbidden', 'this URL is not signed: it needs its expires and signature parameters');
    const given = Buffer.from(query.signature, 'base64url');
    const expected = Buffer.from(this.signature(method, path, expires), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError('forbidden', 'the signature of this URL does not match it');
    }
    if (expires * 1000 <= this.clock.now()) throw new ApiError('forbidden', `this URL expired at ${new Date(expires * 1000).toISOString()}`);
  }

  private signature(method: string, path: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${method}\n${path}\n${expires}`).digest('base64url');
  }
}
