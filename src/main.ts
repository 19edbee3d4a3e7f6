import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createContext, type AppContext, type ContextOverrides } from './context.js';
import { buildServer } from './http/server.js';
import type { App } from './http/types.js';
import { startRunner, type Runner } from './runner/runner.js';
import { releaseYoungGeneration } from './young-generation.js';

export interface RunningServer {
  ctx: AppContext;
  app: App;
  /** Set on the first boot only: the admin's token, which exists nowhere else in clear. */
  firstBoot?: { login: string; organization: string; token: string };
  close(): Promise<void>;
}

/** Opens the database, creates the first admin on an empty one, and listens. */
export async function startServer(config: Config, overrides: ContextOverrides = {}): Promise<RunningServer> {
  const ctx = await createContext(config, overrides);
  warnIfOpenToOthers(config, ctx.logger);
  const firstBoot = await ctx.services.admin.bootstrap(config.bootstrap.adminLogin, config.bootstrap.organization);
  const app = buildServer(ctx);
  await app.listen({ host: config.host, port: config.port });
  if (config.runJobs) ctx.jobs.start();
  const runner = config.runner.inProcess ? startInProcessRunner(config, ctx, app) : undefined;
  return {
    ctx,
    app,
    firstBoot,
    close: async () => {
      // First, so the deployment it interrupts is completed while the server still answers.
      await runner?.stop();
      await app.close();
      await ctx.jobs.stop();
      await ctx.close();
    },
  };
}

/** `stackyard serve`: serves until SIGTERM or SIGINT, then closes connections and the database. */
export async function serve(config: Config): Promise<void> {
  // Handled from the first moment: a signal during start-up stops the server once it has started,
  // cleanly, rather than killing the process half-way through a migration or the first boot.
  let server: RunningServer | undefined;
  let requested: string | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    server!.ctx.logger.info({ signal }, 'shutting down');
    await server!.close();
    process.exit(0);
  };
  const onSignal = (signal: string) => (server ? void shutdown(signal) : (requested ??= signal));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  server = await startServer(config);
  releaseYoungGeneration();
  const { firstBoot } = server;
  if (firstBoot) {
    // Printed once, on purpose, to the terminal only: the log never carries a token.
    process.stdout.write(
      [
        '',
        `Stackyard created organization '${firstBoot.organization}' and admin user '${firstBoot.login}'.`,
        `Admin access token (shown only now): ${firstBoot.token}`,
        'Log in with the Pulumi CLI:',
        `  PULUMI_ACCESS_TOKEN=${firstBoot.token} pulumi login ${config.publicUrl}`,
        ...(config.console ? [`Or sign in to the web console at ${config.publicUrl}/ with it.`] : []),
        '',
      ].join('\n') + '\n',
    );
  }

  if (requested) await shutdown(requested);
}

/** Polls this server, on the address it listens on, with the default pool's token. */
function startInProcessRunner(config: Config, ctx: AppContext, app: App): Runner {
  const { port } = app.server.address() as AddressInfo;
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  return startRunner({
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    poolToken: ctx.defaultPoolToken,
    pulumiPath: config.runner.pulumi,
    env: config.runner.env,
    logger: ctx.logger.child({ component: 'runner' }),
  });
}

/**
 * New data directories are made 0700 and their files 0600; one made before, or by the operator,
 * keeps its mode (a group may be meant to read it), but the log says who else can.
 */
function warnIfOpenToOthers(config: Config, logger: Logger): void {
  const paths = [config.dataDir, config.masterKey.file];
  if (config.databaseUrl.startsWith('sqlite:')) paths.push(config.databaseUrl.slice('sqlite:'.length));
  for (const file of paths) {
    const mode = fs.statSync(file, { throwIfNoEntry: false })?.mode;
    if (mode === undefined || (mode & 0o077) === 0) continue;
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    logger.warn({ path: file, mode: octal }, `${file} is open to other users (mode ${octal}); it holds the server's data and keys: chmod go-rwx it`);
  }
}
