import type { Config } from '../../config.js';

/** One entry of `GET /api/capabilities`; the CLI rejects known names with a bad configuration. */
export interface Capability {
  capability: string;
  version?: number;
  configuration?: Record<string, unknown>;
}

/** Only what this server implements. Journaling needs no capability: the CLI asks for it when it starts an update. */
export function capabilities(config: Config): Capability[] {
  return [
    {
      capability: 'delta-checkpoint-uploads-v2',
      version: 2,
      configuration: { checkpointCutoffSizeBytes: config.checkpointCutoffBytes },
    },
    { capability: 'batch-encrypt' },
    // Version-4 deployments (with `features`) are stored as opaquely as version 3.
    { capability: 'deployment-schema-version', version: 1, configuration: { version: 4 } },
    // `pulumi policy install` asks a stack's packs only when this is listed.
    { capability: 'stack-policy-packs', version: 1 },
  ];
}
