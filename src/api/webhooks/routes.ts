import type { TSchema } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import { legacyProject } from '../environments/names.js';
import * as schema from './schemas.js';
import type { HookScopeRef, WebhookInput } from './service.js';

type Params = Record<string, string>;

/**
 * Webhooks of an organization (`/api/orgs/{org}/hooks`), a stack (`/api/stacks/{org}/{project}/{stack}/hooks`)
 * and an environment (`/api/esc/environments/{org}/{project}/{env}/hooks`, and the older
 * `/api/preview/environments/{org}/{env}/hooks`): the same eight operations on each.
 */
export function registerWebhookRoutes(app: App, services: Services): void {
  registerScope(app, services, '/api/orgs/:orgName/hooks', schema.orgParams, (p) => ({ scope: 'organization', organization: p.orgName! }));
  registerScope(app, services, '/api/stacks/:orgName/:projectName/:stackName/hooks', schema.stackParams, (p) => ({
    scope: 'stack',
    stack: { organization: p.orgName!, project: p.projectName!, stack: p.stackName! },
  }));
  registerScope(app, services, '/api/esc/environments/:orgName/:projectName/:envName/hooks', schema.environmentParams, (p) => ({
    scope: 'environment',
    environment: { organization: p.orgName!, project: p.projectName!, name: p.envName! },
  }));
  registerScope(app, services, '/api/preview/environments/:orgName/:envName/hooks', schema.previewEnvironmentParams, (p) => ({
    scope: 'environment',
    environment: { organization: p.orgName!, project: legacyProject, name: p.envName! },
  }));
}

function registerScope(app: App, services: Services, base: string, scopeParams: Record<string, TSchema>, scopeOf: (p: Params) => HookScopeRef): void {
  const hooks = services.webhooks;
  const { collection: params, item: withHook, event: withEvent } = schema.paramsOf(scopeParams);
  const ref = (p: unknown) => scopeOf(p as Params);
  const hookName = (p: unknown) => (p as { hookName: string }).hookName;

  app.get(base, { schema: { params } }, async (request) => hooks.list(request.caller, ref(request.params)));
  app.post(base, { schema: { params, body: schema.CreateWebhook } }, async (request, reply) =>
    reply.status(201).send(await hooks.create(request.caller, ref(request.params), request.body as WebhookInput)),
  );
  app.get(`${base}/:hookName`, { schema: { params: withHook } }, async (request) => hooks.get(request.caller, ref(request.params), hookName(request.params)));
  app.patch(`${base}/:hookName`, { schema: { params: withHook, body: schema.Webhook } }, async (request) =>
    hooks.update(request.caller, ref(request.params), hookName(request.params), request.body as WebhookInput),
  );
  app.delete(`${base}/:hookName`, { schema: { params: withHook } }, async (request, reply) => {
    await hooks.remove(request.caller, ref(request.params), hookName(request.params));
    return reply.status(204).send();
  });
  app.post(`${base}/:hookName/ping`, { schema: { params: withHook } }, async (request) => hooks.ping(request.caller, ref(request.params), hookName(request.params)));
  app.get(`${base}/:hookName/deliveries`, { schema: { params: withHook } }, async (request) =>
    hooks.deliveries(request.caller, ref(request.params), hookName(request.params)),
  );
  app.post(`${base}/:hookName/deliveries/:event/redeliver`, { schema: { params: withEvent } }, async (request) =>
    hooks.redeliver(request.caller, ref(request.params), hookName(request.params), (request.params as { event: string }).event),
  );
}
