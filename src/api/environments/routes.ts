import type { FastifyReply } from 'fastify';
import type { Services } from '../../context.js';
import { ApiError } from '../../errors.js';
import type { App } from '../../http/types.js';
import { Type, type TObject } from 'typebox';
import { legacyProject } from './names.js';
import * as schema from './schemas.js';
import type { DefinitionView, EnvironmentRef } from './service.js';

/** Routes whose body is a definition: taken as YAML text whatever its Content-Type (http/body.ts). */
const yaml = { config: { yamlBody: true } } as const;

/** Definitions go out as YAML with the headers the ESC client needs: the revision and the ETag. */
function sendDefinition(reply: FastifyReply, view: DefinitionView) {
  return reply.header('ETag', view.etag).header('Pulumi-ESC-Revision', String(view.revision)).type('application/x-yaml').send(view.yaml);
}

/** The YAML of a definition, sent with whatever Content-Type the client chose (body.ts keeps it as text). */
function yamlBody(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body === undefined) return '';
  throw new ApiError('bad_request', 'the request body must be a YAML environment definition');
}

/**
 * ESC environments at `/api/esc/environments/{org}/{project}/{env}`, and at the seed's older
 * `/api/preview/environments/{org}/{env}`, whose environments are those of the project `default`.
 */
export function registerEnvironmentRoutes(app: App, services: Services): void {
  const envs = services.environments;
  const esc = '/api/esc/environments';
  const preview = '/api/preview/environments';

  app.get(esc, { schema: { querystring: schema.ListQuery } }, async (request) => envs.list(request.caller, undefined, request.query.continuationToken));
  app.post(`${esc}/:orgName`, { schema: { params: schema.OrgParams, body: schema.CreateEnvironmentRequest } }, async (request) => {
    await envs.create(request.caller, request.params.orgName, request.body.project, request.body.name);
    return {};
  });
  app.post(`${preview}/:orgName/:envName`, { schema: { params: schema.PreviewEnvironmentParams } }, async (request) => {
    await envs.create(request.caller, request.params.orgName, legacyProject, request.params.envName);
    return {};
  });

  for (const base of [esc, preview]) {
    app.get(`${base}/:orgName`, { schema: { params: schema.OrgParams, querystring: schema.ListQuery } }, async (request) =>
      envs.list(request.caller, request.params.orgName, request.query.continuationToken),
    );
    app.post(`${base}/:orgName/yaml/check`, { ...yaml, schema: { params: schema.OrgParams, querystring: schema.CheckQuery } }, async (request) =>
      envs.checkYaml(request.caller, request.params.orgName, yamlBody(request.body), request.query.showSecrets ?? false),
    );
    app.post(`${base}/:orgName/yaml/open`, { ...yaml, schema: { params: schema.OrgParams, querystring: schema.OpenYamlQuery } }, async (request) =>
      envs.openYaml(request.caller, request.params.orgName, yamlBody(request.body), request.query.duration, request.query.environmentOverrides),
    );
    app.get(`${base}/:orgName/yaml/open/:openSessionID`, { schema: { params: schema.AnonymousSessionParams, querystring: schema.PropertyQuery } }, async (request, reply) =>
      reply.type('application/json; charset=utf-8').send(await envs.readSession(request.caller, request.params.orgName, request.params.openSessionID, request.query.property)),
    );
  }

  registerEnvironment(app, services, `${esc}/:orgName/:projectName/:envName`, schema.EnvironmentParams, (p) => ({
    organization: p.orgName,
    project: p.projectName!,
    name: p.envName,
  }));
  registerEnvironment(app, services, `${preview}/:orgName/:envName`, schema.PreviewEnvironmentParams, (p) => ({
    organization: p.orgName,
    project: legacyProject,
    name: p.envName,
  }));
  // The older API named a new revision tag in the path.
  app.post(
    `${preview}/:orgName/:envName/versions/tags/:tagName`,
    { schema: { params: schema.PreviewTagParams, body: schema.UpdateRevisionTagRequest } },
    async (request, reply) => {
      const { orgName, envName, tagName } = request.params;
      await envs.setRevisionTag(request.caller, { organization: orgName, project: legacyProject, name: envName }, tagName, request.body.revision, 'create');
      return reply.status(204).send();
    },
  );
}

type EnvironmentPathParams = { orgName: string; projectName?: string; envName: string };

/** The routes of one environment, at `E` (whose parameters `envParams` describes). */
function registerEnvironment<P extends TObject>(app: App, services: Services, E: string, envParams: P, refOf: (params: EnvironmentPathParams) => EnvironmentRef): void {
  const envs = services.environments;
  const withVersion = Type.Object({ ...envParams.properties, version: Type.String() });
  const withSession = Type.Object({ ...envParams.properties, openSessionID: Type.String() });
  const withTag = Type.Object({ ...envParams.properties, tagName: Type.String() });
  const envRef = (params: unknown) => refOf(params as EnvironmentPathParams);

  app.get(E, { schema: { params: envParams } }, async (request, reply) => sendDefinition(reply, await envs.read(request.caller, envRef(request.params))));
  app.patch(E, { ...yaml, schema: { params: envParams } }, async (request, reply) => {
    const etag = request.headers.etag;
    const { revision, diagnostics } = await envs.update(request.caller, envRef(request.params), yamlBody(request.body), typeof etag === 'string' ? etag : undefined);
    return reply.header('Pulumi-ESC-Revision', String(revision)).send(diagnostics.length > 0 ? { diagnostics } : {});
  });
  app.delete(E, { schema: { params: envParams } }, async (request, reply) => {
    await envs.remove(request.caller, envRef(request.params));
    return reply.status(204).send();
  });
  app.get(`${E}/decrypt`, { schema: { params: envParams } }, async (request, reply) =>
    sendDefinition(reply, await envs.decrypt(request.caller, envRef(request.params))),
  );
  app.post(`${E}/clone`, { schema: { params: envParams, body: schema.CloneEnvironmentRequest } }, async (request, reply) => {
    await envs.clone(request.caller, envRef(request.params), request.body);
    return reply.status(204).send();
  });

  app.post(`${E}/open`, { schema: { params: envParams, querystring: schema.OpenQuery } }, async (request) =>
    envs.open(request.caller, envRef(request.params), undefined, request.query.duration),
  );
  app.get(`${E}/open/:openSessionID`, { schema: { params: withSession, querystring: schema.PropertyQuery } }, async (request, reply) => {
    const ref = envRef(request.params);
    return reply.type('application/json; charset=utf-8').send(await envs.readSession(request.caller, ref.organization, request.params.openSessionID, request.query.property, ref));
  });

  app.get(`${E}/versions`, { schema: { params: envParams, querystring: schema.RevisionsQuery } }, async (request) =>
    envs.listRevisions(request.caller, envRef(request.params), request.query.before, request.query.count),
  );
  app.get(`${E}/versions/tags`, { schema: { params: envParams, querystring: schema.PageQuery } }, async (request) =>
    envs.listRevisionTags(request.caller, envRef(request.params), request.query.after, request.query.count),
  );
  app.post(`${E}/versions/tags`, { schema: { params: envParams, body: schema.CreateRevisionTagRequest } }, async (request, reply) => {
    await envs.setRevisionTag(request.caller, envRef(request.params), request.body.name, request.body.revision, 'create');
    return reply.status(204).send();
  });
  app.get(`${E}/versions/tags/:tagName`, { schema: { params: withTag } }, async (request) =>
    envs.readRevisionTag(request.caller, envRef(request.params), request.params.tagName),
  );
  app.patch(`${E}/versions/tags/:tagName`, { schema: { params: withTag, body: schema.UpdateRevisionTagRequest } }, async (request, reply) => {
    await envs.setRevisionTag(request.caller, envRef(request.params), request.params.tagName, request.body.revision, 'update');
    return reply.status(204).send();
  });
  app.delete(`${E}/versions/tags/:tagName`, { schema: { params: withTag } }, async (request, reply) => {
    await envs.deleteRevisionTag(request.caller, envRef(request.params), request.params.tagName);
    return reply.status(204).send();
  });
  app.get(`${E}/versions/:version`, { schema: { params: withVersion } }, async (request, reply) =>
    sendDefinition(reply, await envs.read(request.caller, envRef(request.params), request.params.version)),
  );
  app.get(`${E}/versions/:version/decrypt`, { schema: { params: withVersion } }, async (request, reply) =>
    sendDefinition(reply, await envs.decrypt(request.caller, envRef(request.params), request.params.version)),
  );
  app.post(`${E}/versions/:version/open`, { schema: { params: withVersion, querystring: schema.OpenQuery } }, async (request) =>
    envs.open(request.caller, envRef(request.params), request.params.version, request.query.duration),
  );
  app.post(`${E}/versions/:version/retract`, { schema: { params: withVersion, body: schema.RetractRequest } }, async (request, reply) => {
    await envs.retract(request.caller, envRef(request.params), request.params.version, request.body ?? {});
    return reply.status(204).send();
  });

  app.post(`${E}/rotate`, { schema: { params: envParams, body: schema.RotateRequest } }, async (request) => {
    const body = request.body ?? {};
    return envs.rotate(request.caller, envRef(request.params), body.paths ?? body.Paths ?? undefined);
  });
  app.get(`${E}/referrers`, { schema: { params: envParams, querystring: schema.ReferrersQuery } }, async (request) =>
    envs.referrers(request.caller, envRef(request.params)),
  );

  app.get(`${E}/tags`, { schema: { params: envParams, querystring: schema.PageQuery } }, async (request) =>
    envs.listTags(request.caller, envRef(request.params), request.query.after, request.query.count),
  );
  app.post(`${E}/tags`, { schema: { params: envParams, body: schema.CreateTagRequest } }, async (request) =>
    envs.createTag(request.caller, envRef(request.params), request.body.name, request.body.value),
  );
  app.get(`${E}/tags/:tagName`, { schema: { params: withTag } }, async (request) => envs.readTag(request.caller, envRef(request.params), request.params.tagName));
  app.patch(`${E}/tags/:tagName`, { schema: { params: withTag, body: schema.UpdateTagRequest } }, async (request) =>
    envs.updateTag(request.caller, envRef(request.params), request.params.tagName, request.body.currentTag, request.body.newTag),
  );
  app.delete(`${E}/tags/:tagName`, { schema: { params: withTag } }, async (request, reply) => {
    await envs.deleteTag(request.caller, envRef(request.params), request.params.tagName);
    return reply.status(204).send();
  });
}
