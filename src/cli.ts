import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseImportBackendCommand, runImportBackend, type ImportBackendCommand } from './admin/import-backend/command.js';
import { BackendUnreadableError } from './admin/import-backend/source.js';
import { ConfigError, configOptions, parseConfig } from './config.js';
import { createContext, createLogger } from './context.js';
import { ApiError } from './errors.js';
import { serve } from './main.js';
import { startRunner } from './runner/runner.js';

const usage = `Usage: stackyard <command> [options]

Commands:
  serve [--runner]                        serve the Pulumi Cloud API; --runner: with a runner in this process
                                          for the deployments of the default pool (same as --runner on)
  admin create-user <login> [--name N] [--email E] [--org ORG] [--role member|admin]
                                          create a user and print an access token for them
  admin create-token <login> [--description D]
                                          print a new access token for a user
  admin create-org <name> [--owner LOGIN] create an organization (the owner becomes its admin)
  admin add-member <org> <login> [--role member|admin]
                                          add a user to an organization, or change their role
  admin backup <file>                     copy the database to a new file, safely while the server runs
                                          (keep the master key with it: it decrypts the stored secrets)
  admin reindex                           rebuild the resource search index from every stack's newest state
  admin import-backend <url> --org ORG [--author LOGIN] [--project NAME] [--reencrypt-secrets]
                                          create every stack of a DIY backend (file://<dir>, s3://<bucket>[/<prefix>])
                                          with its history in ORG; stacks that exist are skipped. --author: who they are
                                          recorded as made by (default: --admin-login). --reencrypt-secrets: passphrase
                                          secrets become service secrets (passphrase from PULUMI_CONFIG_PASSPHRASE[_FILE])
  runner --url URL --pool-token TOKEN [--pulumi PATH] [--work-dir DIR]
                                          run the deployments of an agent pool until SIGINT or SIGTERM (needs
                                          no database or master key). --url, --pool-token: also from
                                          STACKYARD_RUNNER_URL, STACKYARD_RUNNER_POOL_TOKEN. --pulumi: the CLI
                                          (default: pulumi on PATH). --work-dir: where deployments' temporary
                                          directories go (default: the system's)

Every command but runner takes the server options (flag or environment variable):
${configOptions.map((o) => `  ${o.flag.padEnd(32)} ${o.env} (default: ${o.default || 'derived'})`).join('\n')}
`;

const configFlagNames = configOptions.map((o) => o.flag.slice(2));

/** Splits argv into the server options, which parseConfig reads, and the command's own. */
function parseCommandLine(argv: string[]) {
  const commandOptions = ['name', 'email', 'org', 'role', 'owner', 'description', 'author', 'project', 'url', 'pool-token', 'pulumi', 'work-dir'];
  const commandFlags = ['reencrypt-secrets'];
  // `serve --runner` alone means `--runner on`.
  const args = argv.flatMap((a, i) => (a === '--runner' && !['on', 'off'].includes(argv[i + 1] ?? '') ? [a, 'on'] : [a]));
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...Object.fromEntries([...configFlagNames, ...commandOptions].map((n) => [n, { type: 'string' as const }])),
      ...Object.fromEntries(commandFlags.map((n) => [n, { type: 'boolean' as const }])),
    },
    allowPositionals: true,
    strict: true,
  });
  const configArgs = configFlagNames.flatMap((n) => (typeof values[n] === 'string' ? [`--${n}`, values[n] as string] : []));
  const option = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const flag = (name: string) => values[name] === true;
  return { positionals, configArgs, option, flag };
}

function role(value: string | undefined): 'member' | 'admin' {
  if (value === undefined || value === 'member' || value === 'admin') return value ?? 'member';
  throw new ConfigError(`--role must be 'member' or 'admin', got '${value}'`);
}

async function runAdmin(
  positionals: string[],
  configArgs: string[],
  option: (name: string) => string | undefined,
  flag: (name: string) => boolean,
) {
  const [command, ...args] = positionals;
  const need = (count: number) => {
    if (args.length !== count) throw new ConfigError(`admin ${command} takes ${count} argument(s)\n\n${usage}`);
  };
  const config = parseConfig(configArgs, process.env);
  // Its options (and the passphrase it may need) are read before anything is opened.
  let importCommand: ImportBackendCommand | undefined;
  if (command === 'import-backend') {
    need(1);
    importCommand = parseImportBackendCommand(args[0]!, option, flag('reencrypt-secrets'), config, process.env);
  }
  const ctx = await createContext(config, { logger: createLogger('warn') });
  try {
    const admin = ctx.services.admin;
    switch (command) {
      case 'create-user': {
        need(1);
        const { token } = await admin.createUser({
          login: args[0]!,
          name: option('name'),
          email: option('email'),
          organization: option('org'),
          role: role(option('role')),
        });
        process.stdout.write(`${token}\n`);
        break;
      }
      case 'create-token': {
        need(1);
        const { token } = await admin.createToken(args[0]!, option('description') ?? 'created by stackyard admin');
        process.stdout.write(`${token}\n`);
        break;
      }
      case 'create-org':
        need(1);
        await admin.createOrganization(args[0]!, option('owner'));
        process.stdout.write(`created organization '${args[0]}'\n`);
        break;
      case 'add-member':
        need(2);
        await admin.addMember(args[0]!, args[1]!, role(option('role')));
        process.stdout.write(`'${args[1]}' is now a ${role(option('role'))} of '${args[0]}'\n`);
        break;
      case 'backup': {
        need(1);
        if (!ctx.database.backup) throw new ConfigError('admin backup copies SQLite databases; back up PostgreSQL with pg_dump');
        const target = path.resolve(args[0]!);
        await ctx.database.backup(target);
        process.stdout.write(`backed up the database to ${target}\n`);
        break;
      }
      case 'reindex': {
        need(0);
        const { stacks } = await ctx.services.search.reindex();
        console.log(`Reindexed the resources of ${stacks} stacks`);
        break;
      }
      case 'import-backend': {
        const summary = await runImportBackend(ctx, importCommand!, { stdout: process.stdout, stderr: process.stderr });
        if (summary.failed > 0) process.exitCode = 1;
        break;
      }
      default:
        throw new ConfigError(`unknown admin command '${command ?? ''}'\n\n${usage}`);
    }
  } finally {
    await ctx.close();
  }
}

/**
 * `stackyard runner`: another machine, so it reads none of the server's options and opens nothing
 * of its own; on the first SIGINT or SIGTERM it stops, interrupting a deployment under way.
 */
async function runRunner(option: (name: string) => string | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  const url = option('url') ?? env.STACKYARD_RUNNER_URL;
  const poolToken = option('pool-token') ?? env.STACKYARD_RUNNER_POOL_TOKEN;
  if (!url) throw new ConfigError(`runner needs --url or STACKYARD_RUNNER_URL\n\n${usage}`);
  if (!poolToken) throw new ConfigError(`runner needs --pool-token or STACKYARD_RUNNER_POOL_TOKEN\n\n${usage}`);
  const workDir = option('work-dir');
  const logger = createLogger('info');
  const runner = startRunner({ url, poolToken, pulumiPath: option('pulumi'), workRoot: workDir ? path.resolve(workDir) : undefined, env, logger });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      // A second signal must not kill the runner before the deployment it interrupts is completed.
      if (stopping) return logger.info({ signal }, 'the runner is already stopping');
      stopping = true;
      logger.info({ signal }, 'stopping the runner');
      void runner.stop().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function main(argv: string[]): Promise<void> {
  const { positionals, configArgs, option, flag } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (command === 'serve' && rest.length === 0) return serve(parseConfig(configArgs, process.env));
  if (command === 'admin') return runAdmin(rest, configArgs, option, flag);
  if (command === 'runner' && rest.length === 0) return runRunner(option, process.env);
  if (command === undefined || command === 'help') {
    process.stdout.write(usage);
    return;
  }
  throw new ConfigError(`unknown command '${command}'\n\n${usage}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ApiError) {
    process.stderr.write(`stackyard: ${error.toBody().message}\n`);
  } else if (
    error instanceof ConfigError ||
    error instanceof BackendUnreadableError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`stackyard: ${(error as Error).message}\n`);
  } else if (typeof (error as NodeJS.ErrnoException).syscall === 'string') {
    // A file or directory the server cannot use: the message names it and the reason, enough for
    // an operator; a stack trace would only bury it.
    process.stderr.write(`stackyard: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`stackyard: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
