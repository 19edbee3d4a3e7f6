import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from '../../config.js';
import type { AppContext } from '../../context.js';
import { parseBackendUrl, type BackendLocation } from './location.js';
import { progressBar, summaryLine, type ProgressStream } from './progress.js';
import { BackendImportService, type ImportBackendOptions, type ImportSummary } from './service.js';
import { openBackendSource } from './source.js';

export interface ImportBackendCommand {
  location: BackendLocation;
  options: ImportBackendOptions;
}

/**
 * `admin import-backend <url> --org ORG [--author LOGIN] [--project NAME] [--reencrypt-secrets]`,
 * read once: with `--reencrypt-secrets` the passphrase comes from PULUMI_CONFIG_PASSPHRASE or
 * PULUMI_CONFIG_PASSPHRASE_FILE, as the Pulumi CLI reads it.
 */
export function parseImportBackendCommand(
  url: string,
  option: (name: string) => string | undefined,
  reencryptSecrets: boolean,
  config: Config,
  env: NodeJS.ProcessEnv,
): ImportBackendCommand {
  const organization = option('org');
  if (!organization) throw new ConfigError('admin import-backend needs --org: the organization to create the stacks in');
  const location = parseBackendUrl(url, config.s3);
  return {
    location,
    options: {
      organization,
      author: option('author') ?? config.bootstrap.adminLogin,
      legacyProject: option('project'),
      ...(reencryptSecrets && { passphrase: readPassphrase(env) }),
    },
  };
}

function readPassphrase(env: NodeJS.ProcessEnv): string {
  const phrase = env['PULUMI_CONFIG_PASSPHRASE'];
  if (phrase !== undefined) return phrase;
  const file = env['PULUMI_CONFIG_PASSPHRASE_FILE'];
  if (file) {
    try {
      return fs.readFileSync(path.resolve(file), 'utf8').trim();
    } catch (error) {
      throw new ConfigError(`cannot read PULUMI_CONFIG_PASSPHRASE_FILE: ${(error as Error).message}`);
    }
  }
  throw new ConfigError('--reencrypt-secrets needs the passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE');
}

/** Runs the import with a progress bar on `stderr` and the summary on `stdout`. */
export async function runImportBackend(
  ctx: AppContext,
  command: ImportBackendCommand,
  io: { stdout: ProgressStream; stderr: ProgressStream },
): Promise<ImportSummary> {
  const source = await openBackendSource(command.location);
  const importer = new BackendImportService({
    db: ctx.database.db,
    clock: ctx.clock,
    ids: ctx.ids,
    blobs: ctx.blobs,
    secrets: ctx.services.secrets,
    publicUrl: ctx.config.publicUrl,
  });
  const progress = progressBar(io.stderr);
  try {
    const summary = await importer.importBackend(source, command.options, progress);
    progress.finish();
    io.stdout.write(`${summaryLine(summary)}\n`);
    return summary;
  } finally {
    source.close();
  }
}
