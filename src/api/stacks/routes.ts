import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import * as schema from './schemas.js';
import type { StackRef } from './service.js';

export const stackRef = (p: { orgName: string; projectName: string; stackName: string }): StackRef => ({
  organization: p.orgName,
  project: p.projectName,
  stack: p.stackName,
});

export function registerStackRoutes(app: App, services: Services): void {
  const stacks = services.stacks;
  const settings = services.stackSettings;

  app.get('/api/user/stacks', { schema: { querystring: schema.ListStacksQuery } }, async (request) =>
    stacks.list(request.caller, request.query),
  );

  app.head('/api/stacks/:orgName/:projectName', { schema: { params: schema.ProjectParams } }, async (request, reply) => {
    const { orgName, projectName } = request.params;
    const exists = await stacks.projectExists(request.caller, orgName, projectName);
    return reply.status(exists ? 200 : 404).send();
  });

  app.post(
    '/api/stacks/:orgName/:projectName',
    { schema: { params: schema.ProjectParams, body: schema.CreateStackRequest } },
    async (request) => {
      await stacks.create(request.caller, request.params.orgName, request.params.projectName, request.body);
      return {};
    },
  );

  app.get('/api/stacks/:orgName/:projectName/:stackName', { schema: { params: schema.StackParams } }, async (request) =>
    stacks.get(request.caller, stackRef(request.params)),
  );

  app.get('/api/stacks/:orgName/:projectName/:stackName/metadata', { schema: { params: schema.StackParams } }, async (request) =>
    settings.metadata(request.caller, stackRef(request.params)),
  );

  app.patch(
    '/api/stacks/:orgName/:projectName/:stackName/notifications/settings',
    { schema: { params: schema.StackParams, body: schema.StackNotificationSettings } },
    async (request) => settings.updateNotificationSettings(request.caller, stackRef(request.params), request.body),
  );

  app.get('/api/stacks/:orgName/:projectName/:stackName/config', { schema: { params: schema.StackParams } }, async (request) =>
    settings.config(request.caller, stackRef(request.params)),
  );

  app.put(
    '/api/stacks/:orgName/:projectName/:stackName/config',
    { schema: { params: schema.StackParams, body: schema.StackConfig } },
    async (request) => settings.updateConfig(request.caller, stackRef(request.params), request.body),
  );

  app.delete('/api/stacks/:orgName/:projectName/:stackName/config', { schema: { params: schema.StackParams } }, async (request, reply) => {
    await settings.deleteConfig(request.caller, stackRef(request.params));
    return reply.status(204).send();
  });

  app.delete(
    '/api/stacks/:orgName/:projectName/:stackName',
    { schema: { params: schema.StackParams, querystring: schema.DeleteStackQuery } },
    async (request, reply) => {
      await stacks.remove(request.caller, stackRef(request.params), request.query.force ?? false);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/stacks/:orgName/:projectName/:stackName/tags',
    { schema: { params: schema.StackParams, body: schema.StackTag } },
    async (request, reply) => {
      await stacks.addTag(request.caller, stackRef(request.params), request.body.name, request.body.value);
      return reply.status(204).send();
    },
  );

  app.patch(
    '/api/stacks/:orgName/:projectName/:stackName/tags',
    { schema: { params: schema.StackParams, body: schema.TagMap } },
    async (request, reply) => {
      await stacks.replaceTags(request.caller, stackRef(request.params), request.body);
      return reply.status(204).send();
    },
  );

  app.patch(
    '/api/stacks/:orgName/:projectName/:stackName/tags/:tagName',
    { schema: { params: schema.TagParams, body: schema.StackTag } },
    async (request, reply) => {
      const { name, value } = request.body;
      await stacks.updateTag(request.caller, stackRef(request.params), request.params.tagName, name, value);
      return reply.status(204).send();
    },
  );

  app.delete(
    '/api/stacks/:orgName/:projectName/:stackName/tags/:tagName',
    { schema: { params: schema.TagParams } },
    async (request, reply) => {
      await stacks.removeTag(request.caller, stackRef(request.params), request.params.tagName);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/stacks/:orgName/:projectName/:stackName/rename',
    { schema: { params: schema.StackParams, body: schema.StackRenameRequest } },
    async (request) => {
      const { newName = '', newProject = '' } = request.body;
      const { updateId } = await stacks.rename(request.caller, stackRef(request.params), newName, newProject);
      return { updateId };
    },
  );

  app.post(
    '/api/stacks/:orgName/:projectName/:stackName/transfer',
    { schema: { params: schema.StackParams, body: schema.TransferStackRequest } },
    async (request, reply) => {
      await stacks.transfer(request.caller, stackRef(request.params), request.body.toOrg);
      return reply.status(204).send();
    },
  );
}
