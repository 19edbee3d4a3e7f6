import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { DatabaseHandle } from './dialect.js';
import { migration0001 } from './migrations/0001_initial.js';
import { migration0002 } from './migrations/0002_update_protocol.js';
import { migration0003 } from './migrations/0003_incremental_state.js';
import { migration0004 } from './migrations/0004_blob_store.js';
import { migration0005 } from './migrations/0005_jobs.js';
import { migration0006 } from './migrations/0006_identity_and_access.js';
import { migration0008 } from './migrations/0008_wide_sequences.js';
import { migration0009 } from './migrations/0009_event_urns.js';
import { migration0010 } from './migrations/0010_stack_settings.js';
import { migration0012 } from './migrations/0012_environments.js';
import { migration0013 } from './migrations/0013_team_environment_permissions.js';
import { migration0014 } from './migrations/0014_webhooks.js';
import { migration0015 } from './migrations/0015_oidc_issuers.js';
import { migration0016 } from './migrations/0016_resource_index.js';
import { migration0017 } from './migrations/0017_resource_count_history.js';
import { migration0018 } from './migrations/0018_resource_urn_text.js';
import { migration0019 } from './migrations/0019_indexed_stack_entries.js';
import { migration0020 } from './migrations/0020_policy.js';
import { migration0021 } from './migrations/0021_deployments.js';
import { migration0022 } from './migrations/0022_access_generation.js';
import { migration0023 } from './migrations/0023_update_start_index.js';

/** Numbered, append-only: a landed migration is never edited. */
const migrations = {
  '0001_initial': migration0001,
  '0002_update_protocol': migration0002,
  '0003_incremental_state': migration0003,
  '0004_blob_store': migration0004,
  '0005_jobs': migration0005,
  '0006_identity_and_access': migration0006,
  '0008_wide_sequences': migration0008,
  '0009_event_urns': migration0009,
  '0010_stack_settings': migration0010,
  '0012_environments': migration0012,
  '0013_team_environment_permissions': migration0013,
  '0014_webhooks': migration0014,
  '0015_oidc_issuers': migration0015,
  '0016_resource_index': migration0016,
  '0017_resource_count_history': migration0017,
  '0018_resource_urn_text': migration0018,
  '0019_indexed_stack_entries': migration0019,
  '0020_policy': migration0020,
  '0021_deployments': migration0021,
  '0022_access_generation': migration0022,
  '0023_update_start_index': migration0023,
};

function migrator({ db, dialect }: DatabaseHandle): Migrator {
  const provider: MigrationProvider = {
    async getMigrations() {
      return Object.fromEntries(
        Object.entries(migrations).map(([name, build]): [string, Migration] => [name, build(dialect)]),
      );
    },
  };
  return new Migrator({ db, provider });
}

/** Migrations this build has that the database has not run. */
export async function pendingMigrations(handle: DatabaseHandle): Promise<string[]> {
  return (await migrator(handle).getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Runs the migrations the database has not run, all of them or up to and including `upTo`. */
export async function migrateToLatest(handle: DatabaseHandle, upTo?: keyof typeof migrations): Promise<void> {
  const { error, results } = await (upTo ? migrator(handle).migrateTo(upTo) : migrator(handle).migrateToLatest());
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
