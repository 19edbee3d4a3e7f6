import { Type } from 'typebox';
import type { Services } from '../../context.js';
import { sendStoredJson } from '../../http/stored-json.js';
import type { App } from '../../http/types.js';
import { stackRef } from '../stacks/routes.js';
import { LatestResourceParams, ResourceParams, StackParams, VersionParams } from '../stacks/schemas.js';

export function registerStateRoutes(app: App, services: Services): void {
  const state = services.state;

  // Checkpoints are opaque: the stored bytes go back untouched, compressed as stored.
  app.get('/api/stacks/:orgName/:projectName/:stackName/export', { schema: { params: StackParams } }, async (request, reply) =>
    sendStoredJson(request, reply, await state.export(request.caller, stackRef(request.params))),
  );

  app.get(
    '/api/stacks/:orgName/:projectName/:stackName/export/:version',
    { schema: { params: VersionParams } },
    async (request, reply) =>
      sendStoredJson(request, reply, await state.export(request.caller, stackRef(request.params), request.params.version)),
  );

  app.post(
    '/api/stacks/:orgName/:projectName/:stackName/import',
    { config: { stateWrite: 'import' }, schema: { params: StackParams, body: Type.Unknown() } },
    async (request) => state.import(request.caller, stackRef(request.params), request.rawBody ?? Buffer.alloc(0), request.body),
  );

  app.get('/api/stacks/:orgName/:projectName/:stackName/resources/count', { schema: { params: StackParams } }, async (request) =>
    state.resourceCount(request.caller, stackRef(request.params)),
  );

  app.get('/api/stacks/:orgName/:projectName/:stackName/resources/latest', { schema: { params: StackParams } }, async (request) =>
    state.resources(request.caller, stackRef(request.params)),
  );

  app.get(
    '/api/stacks/:orgName/:projectName/:stackName/resources/:version',
    { schema: { params: VersionParams } },
    async (request) => state.resources(request.caller, stackRef(request.params), request.params.version),
  );

  app.get(
    '/api/stacks/:orgName/:projectName/:stackName/resources/latest/:urn',
    { schema: { params: LatestResourceParams } },
    async (request) => state.resource(request.caller, stackRef(request.params), request.params.urn),
  );

  app.get(
    '/api/stacks/:orgName/:projectName/:stackName/resources/:version/:urn',
    { schema: { params: ResourceParams } },
    async (request) => state.resource(request.caller, stackRef(request.params), request.params.urn, request.params.version),
  );
}
