import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as automation from '@pulumi/pulumi/automation/index.js';
import { pulumiBinDir, type PulumiCli } from './cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sdkDir = path.join(root, 'node_modules/@pulumi/pulumi');

export interface ProgramShape {
  generation: 1 | 2;
  groups: number;
  perGroup: number;
  slowMs?: number;
  /**
   * One thing whose create takes `ms` instead: a test that kills an update once something is stored
   * knows the update is still running then, however late its poll sees the state.
   */
  slowest?: { name: string; ms: number };
}

type Program = () => Promise<Record<string, unknown>>;

export async function loadProgram(shape: ProgramShape): Promise<Program> {
  const fixture = path.join(root, 'test/cli/fixtures/program.mjs');
  const { buildProgram } = (await import(fixture)) as { buildProgram: (s: ProgramShape) => Program };
  return buildProgram(shape);
}

/**
 * Makes a CLI's project directory runnable for dynamic providers: the SDK's provider plugin sits
 * next to the pulumi binary (the CLI looks there for bundled plugins) and resolves the SDK from
 * the project directory.
 */
export function prepareDynamicProviders(cli: PulumiCli): void {
  const plugin = path.join(pulumiBinDir(), 'pulumi-resource-pulumi-nodejs');
  if (!fs.existsSync(plugin)) fs.symlinkSync(path.join(sdkDir, 'pulumi-resource-pulumi-nodejs'), plugin);
  const modules = path.join(cli.projectDir, 'node_modules');
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(root, 'node_modules'), modules);
}

/**
 * A stack driven by the Automation API with an inline program: the real CLI runs `up`, `preview`,
 * `refresh` and `destroy`, and the program runs in this process, so no language host is needed.
 */
export async function inlineStack(
  cli: PulumiCli,
  stackName: string,
  program: Program,
  env: Record<string, string> = {},
): Promise<automation.Stack> {
  const { pulumiRoot, envVars } = automationSetup(cli, env);
  const pulumiCommand = await automation.PulumiCommand.get({ root: pulumiRoot, skipVersionCheck: true });
  return automation.LocalWorkspace.createOrSelectStack(
    { stackName, projectName: cli.project, program },
    { workDir: cli.projectDir, pulumiCommand, envVars },
  );
}

/** Where the CLI lives and the environment it runs with, for this process or a child. */
export function automationSetup(cli: PulumiCli, env: Record<string, string> = {}) {
  prepareDynamicProviders(cli);
  return {
    pulumiRoot: path.dirname(pulumiBinDir()),
    envVars: { ...(cli.env() as Record<string, string>), PULUMI_BACKEND_URL: cli.backendUrl, ...env },
  };
}

/** The fixture that runs `up` in a child process, for tests that kill it mid-update. */
export const runUpScript = path.join(root, 'test/cli/fixtures/run-up.mjs');
