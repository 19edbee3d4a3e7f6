import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { exec, StepFailure, type StepContext } from './step-context.js';

/** Install dependencies: what the runtime named in the project's Pulumi.yaml asks for. */
export async function installDependencies(ctx: StepContext): Promise<void> {
  const { runtime, options } = await readRuntime(ctx.projectDir);
  const has = (file: string) => fs.access(path.join(ctx.projectDir, file)).then(() => true, () => false);
  switch (runtime) {
    case 'nodejs': {
      if (!(await has('package.json'))) return ctx.log('No package.json: nothing to install');
      const locked = (await has('package-lock.json')) || (await has('npm-shrinkwrap.json'));
      return exec(ctx, 'npm', [locked ? 'ci' : 'install']);
    }
    case 'python': {
      if (!(await has('requirements.txt'))) return ctx.log('No requirements.txt: nothing to install');
      // The project's own virtualenv option when it has one, so Pulumi runs the program in it;
      // otherwise it finds this one first on PATH.
      const venv = path.resolve(ctx.projectDir, typeof options.virtualenv === 'string' ? options.virtualenv : 'venv');
      await exec(ctx, 'python3', ['-m', 'venv', venv]);
      ctx.pathPrefix.unshift(path.join(venv, 'bin'));
      ctx.extraEnv.VIRTUAL_ENV = venv;
      return exec(ctx, path.join(venv, 'bin', 'pip'), ['install', '-r', 'requirements.txt']);
    }
    case 'go':
      if (!(await has('go.mod'))) return ctx.log('No go.mod: nothing to install');
      return exec(ctx, 'go', ['mod', 'download']);
    default:
      return ctx.log(`Nothing to install for the ${runtime} runtime`);
  }
}

/** Pulumi.yaml's `runtime`: a name, or `{name, options}`. */
async function readRuntime(projectDir: string): Promise<{ runtime: string; options: Record<string, unknown> }> {
  let text: string | undefined;
  for (const name of ['Pulumi.yaml', 'Pulumi.yml']) {
    text ??= await fs.readFile(path.join(projectDir, name), 'utf8').catch(() => undefined);
  }
  if (text === undefined) throw new StepFailure('the project directory has no Pulumi.yaml');
  let project: { runtime?: unknown };
  try {
    project = (parseYaml(text) ?? {}) as { runtime?: unknown };
  } catch (error) {
    throw new StepFailure(`Pulumi.yaml could not be read: ${(error as Error).message}`);
  }
  const runtime = project.runtime as string | { name?: unknown; options?: unknown } | undefined;
  if (typeof runtime === 'string') return { runtime, options: {} };
  if (typeof runtime?.name === 'string') return { runtime: runtime.name, options: (runtime.options ?? {}) as Record<string, unknown> };
  throw new StepFailure('Pulumi.yaml names no runtime');
}
