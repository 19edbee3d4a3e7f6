import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { registerHealthRoutes } from '../api/health/routes.js';
import { registerSecretsRoutes } from '../api/secrets/routes.js';
import { registerServiceRoutes } from '../api/service/routes.js';
import { registerStackRoutes } from '../api/stacks/routes.js';
import { registerStateRoutes } from '../api/state/routes.js';
import { registerUpdateRoutes } from '../api/updates/routes.js';
import { registerUserRoutes } from '../api/user/routes.js';
import { registerTokenRoutes } from '../api/tokens/routes.js';
import { registerOrganizationRoutes } from '../api/orgs/routes.js';
import { registerTeamRoutes } from '../api/teams/routes.js';
import { registerAuditLogRoutes } from '../api/auditlogs/routes.js';
import type { AppContext } from '../context.js';
import { registerAuthentication } from './auth.js';
import { registerBodyHandling } from './body.js';
import { registerErrorHandling } from './errors.js';
import type { App } from './types.js';
import { registerValidation } from './validation.js';

/** The HTTP API over a context. It does not listen: main does, and tests use any free port. */
export function buildServer(ctx: AppContext): App {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: () => ctx.ids.next(),
    requestIdHeader: false,
    // Slashes and long names are validated by the services; the router just routes.
    routerOptions: { maxParamLength: 1024 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    // The CLI appends this id to 5xx messages, so operators can find the log line.
    reply.header('X-Pulumi-Request-ID', request.id);
  });
  registerValidation(app);
  registerErrorHandling(app, ctx.config.bodyLimitBytes, ctx.services.audit);
  registerBodyHandling(app);
  registerAuthentication(app, ctx.services);

  registerHealthRoutes(app, ctx);
  registerServiceRoutes(app, ctx);
  registerUserRoutes(app, ctx.services);
  registerStackRoutes(app, ctx.services);
  registerStateRoutes(app, ctx.services);
  registerUpdateRoutes(app, ctx.services);
  registerSecretsRoutes(app, ctx.services);
  registerTokenRoutes(app, ctx.services);
  registerOrganizationRoutes(app, ctx.services);
  registerTeamRoutes(app, ctx.services);
  registerAuditLogRoutes(app, ctx.services);
  return app;
}
