import type { Services } from '../../context.js';
import { ApiError } from '../../errors.js';
import type { App } from '../../http/types.js';
import { stackRef } from '../stacks/routes.js';
import { StackParams } from '../stacks/schemas.js';
import * as schema from './schemas.js';
import type { JsonObject } from './settings.js';

const stack = '/api/stacks/:orgName/:projectName/:stackName/deployments';
const org = '/api/orgs/:orgName/deployments';
const runs = '/api/deployments';

/** Who asked, as the CLI says in `X-Pulumi-Deployment-Initiator` (`automation-api`); `api` otherwise. */
function initiatorOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^[a-z0-9-]{1,64}$/.test(value) ? value : 'api';
}

/** A runner's pool token, from `Authorization: token <value>` (poll and status take no user token). */
function poolToken(header: string | undefined): string {
  if (!header) throw new ApiError('unauthorized', 'No credentials provided or are invalid.');
  const match = /^token\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new ApiError('unauthorized', "malformed Authorization header; expected 'token <access token>'");
  return match[1]!;
}

const headerText = (value: string | string[] | undefined, fallback = '') => (typeof value === 'string' ? value : fallback);

/** Deployment settings, deployments of stacks and organizations, and the runner protocol (docs/runner-protocol.md). */
export function registerDeploymentRoutes(app: App, services: Services): void {
  const deployments = services.deployments;

  app.get(`${stack}/settings`, { schema: { params: StackParams } }, async (request) => deployments.getSettings(request.caller, stackRef(request.params)));
  app.put(`${stack}/settings`, { schema: { params: StackParams, body: schema.SettingsBody } }, async (request) =>
    deployments.writeSettings(request.caller, stackRef(request.params), request.body as JsonObject, 'replace'),
  );
  app.post(`${stack}/settings`, { schema: { params: StackParams, body: schema.SettingsBody } }, async (request) =>
    deployments.writeSettings(request.caller, stackRef(request.params), request.body as JsonObject, 'merge'),
  );
  app.delete(`${stack}/settings`, { schema: { params: StackParams } }, async (request) => {
    await deployments.deleteSettings(request.caller, stackRef(request.params));
    return true;
  });
  app.post(`${stack}/settings/encrypt`, { schema: { params: StackParams, body: schema.EncryptRequest } }, async (request) =>
    deployments.encryptSecret(request.caller, stackRef(request.params), request.body.secret),
  );

  app.post(stack, { schema: { params: StackParams, body: schema.SettingsBody } }, async (request, reply) =>
    reply
      .status(202)
      .send(await deployments.create(request.caller, stackRef(request.params), request.body as JsonObject, initiatorOf(request.headers['x-pulumi-deployment-initiator']))),
  );
  app.get(stack, { schema: { params: StackParams, querystring: schema.ListQuery } }, async (request) => deployments.list(request.caller, stackRef(request.params), request.query));
  app.get(`${stack}/metadata`, { schema: { params: StackParams } }, async (request) => deployments.stackMetadata(request.caller, stackRef(request.params)));
  app.post(`${stack}/pause`, { schema: { params: StackParams } }, async (request, reply) => {
    await deployments.pauseStack(request.caller, stackRef(request.params), true);
    return reply.status(200).send();
  });
  app.post(`${stack}/resume`, { schema: { params: StackParams } }, async (request, reply) => {
    await deployments.pauseStack(request.caller, stackRef(request.params), false);
    return reply.status(200).send();
  });
  app.get(`${stack}/version/:version`, { schema: { params: schema.VersionParams } }, async (request) =>
    deployments.get(request.caller, stackRef(request.params), { version: request.params.version }),
  );
  app.get(`${stack}/:deploymentId`, { schema: { params: schema.DeploymentParams } }, async (request) =>
    deployments.get(request.caller, stackRef(request.params), { id: request.params.deploymentId }),
  );
  app.get(`${stack}/:deploymentId/logs`, { schema: { params: schema.DeploymentParams, querystring: schema.LogsQuery } }, async (request) =>
    deployments.logs(request.caller, stackRef(request.params), request.params.deploymentId, request.query),
  );
  app.get(`${stack}/:deploymentId/updates`, { schema: { params: schema.DeploymentParams } }, async (request) =>
    deployments.updates(request.caller, stackRef(request.params), request.params.deploymentId),
  );
  app.post(`${stack}/:deploymentId/cancel`, { schema: { params: schema.DeploymentParams } }, async (request, reply) => {
    await deployments.cancel(request.caller, stackRef(request.params), request.params.deploymentId);
    return reply.status(200).send();
  });

  app.get(org, { schema: { params: schema.OrgParams, querystring: schema.ListQuery } }, async (request) =>
    deployments.listOrganization(request.caller, request.params.orgName, request.query),
  );
  app.get(`${org}/metadata`, { schema: { params: schema.OrgParams } }, async (request) => deployments.organizationMetadata(request.caller, request.params.orgName));
  app.post(`${org}/pause`, { schema: { params: schema.OrgParams } }, async (request, reply) => {
    await deployments.pauseOrganization(request.caller, request.params.orgName, true);
    return reply.status(200).send();
  });
  app.post(`${org}/resume`, { schema: { params: schema.OrgParams } }, async (request, reply) => {
    await deployments.pauseOrganization(request.caller, request.params.orgName, false);
    return reply.status(200).send();
  });

  // The runner protocol.
  const runners = services.deploymentRuns;
  app.get(`${runs}/poll`, { config: { auth: 'public' } }, async (request, reply) => {
    const job = await runners.poll(poolToken(request.headers.authorization), {
      runnerId: headerText(request.headers['x-stackyard-runner-id'], request.ip),
      hostname: headerText(request.headers['x-stackyard-runner-hostname']),
      pid: headerText(request.headers['x-stackyard-runner-pid']),
      version: headerText(request.headers['x-stackyard-runner-version']),
      platform: headerText(request.headers['x-stackyard-runner-platform']),
      ip: request.ip,
    });
    if (!job) return reply.status(204).header('Retry-After', String(runners.retryAfterSeconds)).send();
    return job;
  });
  // A bare JSON string, as Pulumi's spec has it: `"running"`.
  app.get(`${runs}/:deploymentId/status`, { config: { auth: 'public' }, schema: { params: schema.RunParams } }, async (request, reply) =>
    reply.type('application/json').send(JSON.stringify(await runners.status(poolToken(request.headers.authorization), request.params.deploymentId))),
  );
  app.get(`${runs}/:deploymentId/job`, { schema: { params: schema.RunParams } }, async (request) => runners.job(request.caller, request.params.deploymentId));
  app.post(`${runs}/:deploymentId/heartbeat`, { schema: { params: schema.RunParams } }, async (request) => runners.heartbeat(request.caller, request.params.deploymentId));
  app.post(`${runs}/:deploymentId/steps/:step`, { schema: { params: schema.StepParams, body: schema.StepReport } }, async (request, reply) => {
    await runners.step(request.caller, request.params.deploymentId, request.params.step, request.body.status);
    return reply.status(204).send();
  });
  app.post(`${runs}/:deploymentId/logs`, { schema: { params: schema.RunParams, body: schema.LogReport } }, async (request, reply) => {
    await runners.appendLogs(request.caller, request.params.deploymentId, request.body.step, request.body.lines);
    return reply.status(204).send();
  });
  app.post(`${runs}/:deploymentId/complete`, { schema: { params: schema.RunParams, body: schema.CompleteReport } }, async (request, reply) => {
    await runners.complete(request.caller, request.params.deploymentId, request.body);
    return reply.status(204).send();
  });
}
