import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { tempDir } from './server.js';

const deployments = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../deployments');
const run = promisify(execFile);

/** The folder holding `pulumi-resource-stackyardfile`; on the CLI's PATH, the CLI finds the plugin there. */
export function providerBinDir(): string {
  return path.join(deployments, 'provider');
}

/**
 * A fresh git repository (branch `main`, one commit) holding the YAML program of
 * test/deployments/program. The files' directory is written into `Pulumi.yaml` as the default
 * of config `dir`, because a deployment clones the repository and runs without local stack config.
 */
export async function programRepo(options: { dir: string; project?: string }): Promise<{ url: string; path: string; commit: string }> {
  const repo = tempDir('repo');
  const project = parseDocument(fs.readFileSync(path.join(deployments, 'program/Pulumi.yaml'), 'utf8'));
  if (options.project) project.set('name', options.project);
  project.setIn(['config', 'dir', 'default'], path.resolve(options.dir));
  fs.writeFileSync(path.join(repo, 'Pulumi.yaml'), project.toString());

  // Identity and signing come from -c flags, so no global git config is needed or used.
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=Stackyard Tests', '-c', 'user.email=tests@stackyard.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo });
  await git('init', '--quiet', '-b', 'main');
  await git('add', 'Pulumi.yaml');
  await git('commit', '--quiet', '-m', 'YAML program writing two files');
  const { stdout } = await git('rev-parse', 'HEAD');
  return { url: pathToFileURL(repo).href, path: repo, commit: stdout.trim() };
}
