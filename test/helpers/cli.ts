import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let binDir: string | undefined;

/** The real Pulumi CLI, built by the project script (a no-op once cached). */
export function pulumiBinDir(): string {
  binDir ??= execFileSync('bash', [path.join(root, 'scripts/build-clients.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  return binDir;
}

let yamlDir: string | undefined;

/** The Pulumi YAML language host (a no-op once cached): on the CLI's PATH, YAML programs run. */
export function yamlLanguageHostDir(): string {
  yamlDir ??= execFileSync('bash', [path.join(root, 'scripts/build-clients.sh'), 'yaml'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  return yamlDir;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One user's Pulumi CLI: its own PULUMI_HOME and a project directory. The environment is built
 * from scratch, so nothing of the caller's (tokens, agent variables) leaks into the CLI.
 */
export class PulumiCli {
  readonly home = tempDir('pulumi-home');
  readonly projectDir = tempDir('project');

  constructor(
    readonly backendUrl: string,
    readonly token: string,
    readonly project = 'proj',
  ) {
    fs.writeFileSync(path.join(this.projectDir, 'Pulumi.yaml'), `name: ${project}\nruntime: nodejs\ndescription: a test project\n`);
  }

  env(): NodeJS.ProcessEnv {
    return {
      PATH: `${pulumiBinDir()}:${yamlLanguageHostDir()}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: this.home,
      PULUMI_HOME: this.home,
      PULUMI_ACCESS_TOKEN: this.token,
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      PULUMI_CREDENTIAL_STORE: 'plaintext',
      PULUMI_SKIP_CONFIRMATIONS: 'true',
    };
  }

  /** Runs in the project directory unless `cwd` says otherwise, with `env` over the CLI's own. */
  run(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(
        path.join(pulumiBinDir(), 'pulumi'),
        ['--non-interactive', ...args],
        { cwd: options.cwd ?? this.projectDir, env: { ...this.env(), ...options.env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Runs and insists on success, reporting the CLI's own words when it fails. */
  async ok(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    }
    return result;
  }

  cleanup(): void {
    fs.rmSync(this.home, { recursive: true, force: true });
    fs.rmSync(this.projectDir, { recursive: true, force: true });
  }
}
