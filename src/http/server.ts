import type { Server, Socket } from 'node:net';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import fastifyCompress from '@fastify/compress';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { registerHealthRoutes } from '../api/health/routes.js';
import { registerSecretsRoutes } from '../api/secrets/routes.js';
import { registerServiceRoutes } from '../api/service/routes.js';
import { registerStackRoutes } from '../api/stacks/routes.js';
import { registerStateRoutes } from '../api/state/routes.js';
import { LeaseGate } from '../api/updates/lease.js';
import { registerUpdateRoutes } from '../api/updates/routes.js';
import { registerUserRoutes } from '../api/user/routes.js';
import { registerTokenRoutes } from '../api/tokens/routes.js';
import { registerOrganizationRoutes } from '../api/orgs/routes.js';
import { registerTeamRoutes } from '../api/teams/routes.js';
import { registerAuditLogRoutes } from '../api/auditlogs/routes.js';
import { registerMetricsRoutes } from '../api/metrics/routes.js';
import { registerEnvironmentRoutes } from '../api/environments/routes.js';
import { registerWebhookRoutes } from '../api/webhooks/routes.js';
import { registerOidcRoutes } from '../api/oidc/routes.js';
import { registerUsageRoutes } from '../api/usage/routes.js';
import { registerSearchRoutes } from '../api/search/routes.js';
import { registerPolicyRoutes } from '../api/policy/routes.js';
import { registerDeploymentRoutes } from '../api/deployments/routes.js';
import { registerAgentPoolRoutes } from '../api/agent-pools/routes.js';
import { registerScheduleRoutes } from '../api/schedules/routes.js';
import type { Metrics } from '../metrics/metrics.js';
import type { AppContext } from '../context.js';
import { registerAuthentication } from './auth.js';
import { registerBodyHandling } from './body.js';
import { registerErrorHandling, renderFrameworkError } from './errors.js';
import type { App } from './types.js';
import { registerValidation } from './validation.js';
import { registerOpenApi } from './openapi.js';
import { requestLogger } from './request-logger.js';
import { consoleDir, registerConsole } from './console.js';

/** The HTTP API over a context. It does not listen: main does, and tests use any free port. */
export function buildServer(ctx: AppContext): App {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    childLoggerFactory: requestLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: () => ctx.ids.next(),
    requestIdHeader: false,
    // Slashes and long names are validated by the services; the router just routes.
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: renderFrameworkError,
    // Node's own clock for the whole request (headers included); the body's idle timeout is in body.ts.
    requestTimeout: ctx.config.requestTimeoutMs,
    keepAliveTimeout: ctx.config.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(60_000, ctx.config.requestTimeoutMs),
      // Node checks those timeouts every so often (30 s by default); short timeouts want closer checks.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(ctx.config.requestTimeoutMs / 4))),
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  capConnectionsPerAddress(app.server, ctx.config.maxConnectionsPerAddress);

  // Hooks that never wait take Fastify's callback, which spares every request a promise each.
  app.addHook('onRequest', (request, reply, done) => {
    // The CLI appends this id to 5xx messages, so operators can find the log line.
    reply.header('X-Pulumi-Request-ID', request.id);
    done();
  });
  registerBodyHandling(app, ctx.config.bodyIdleTimeoutMs);
  registerValidation(app);
  const consolePage = ctx.config.console ? registerConsole(app, consoleDir) : undefined;
  registerErrorHandling(app, ctx.config.bodyLimitBytes, ctx.services.audit, consolePage);
  registerAuthentication(app, ctx.services, new LeaseGate({ db: ctx.database.db, clock: ctx.clock, expired: () => ctx.metrics.leaseExpired() }));
  if (ctx.metrics.served) registerRequestMetrics(app, ctx.metrics);

  // Answers of 4 KB and more go gzip-compressed to clients that take it (the CLI asks on every
  // request); ones already compressed, as stored states and the console's assets are, go as they are.
  app.register(fastifyCompress, { globalCompression: true, globalDecompression: false, threshold: 4096, encodings: ['gzip', 'deflate'] });
  registerOpenApi(app);
  // In a plugin, so that they are registered after the OpenAPI generator is listening for routes.
  app.register(async (api: App) => {
    registerHealthRoutes(api, ctx);
    registerServiceRoutes(api, ctx);
    registerUserRoutes(api, ctx.services);
    registerStackRoutes(api, ctx.services);
    registerStateRoutes(api, ctx.services);
    registerUpdateRoutes(api, ctx.services);
    registerSecretsRoutes(api, ctx.services);
    registerTokenRoutes(api, ctx.services);
    registerOrganizationRoutes(api, ctx.services);
    registerTeamRoutes(api, ctx.services);
    registerAuditLogRoutes(api, ctx.services);
    registerMetricsRoutes(api, ctx);
    registerEnvironmentRoutes(api, ctx.services);
    registerWebhookRoutes(api, ctx.services);
    registerOidcRoutes(api, ctx.services);
    registerUsageRoutes(api, ctx.services);
    registerSearchRoutes(api, ctx.services);
    registerPolicyRoutes(api, ctx.services);
    registerDeploymentRoutes(api, ctx.services);
    registerScheduleRoutes(api, ctx.services);
    registerAgentPoolRoutes(api, ctx.services);
  });
  return app;
}

/** Every answer counted and timed by its route's pattern; accepted state writes by kind and size. */
function registerRequestMetrics(app: App, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    metrics.request(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, seconds);
    const kind = request.routeOptions.config?.stateWrite;
    if (kind && reply.statusCode < 300) metrics.stateWrite(kind, request.rawBody?.length ?? 0, seconds);
    done();
  });
}

/** A client address holding `max` connections gets its next ones closed on arrival; other addresses are unaffected. */
function capConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
