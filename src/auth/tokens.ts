import { hash, randomBytes } from 'node:crypto';

/** Access tokens look like Pulumi's: `pul-` and 40 hex characters. */
export function generateAccessToken(): string {
  return `pul-${randomBytes(20).toString('hex')}`;
}

/** Tokens are high-entropy, so a plain SHA-256 is enough to make the stored form useless to a reader. */
export function hashAccessToken(token: string): string {
  // One-shot: every authenticated request hashes its token, and a Hash object costs three times as much.
  return hash('sha256', token, 'hex');
}
