/** One entry of `GET /api/capabilities`; the CLI rejects known names with a bad configuration. */
export interface Capability {
  capability: string;
  version?: number;
  configuration?: Record<string, unknown>;
}

/**
 * Only what this server really implements. Checkpoint uploads (delta, batch-encrypt, schema
 * version 4) are advertised once the update protocol is in place.
 */
export function capabilities(): Capability[] {
  return [];
}
