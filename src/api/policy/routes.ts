import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import { stackRef } from '../stacks/routes.js';
import { StackParams } from '../stacks/schemas.js';
import * as schema from './schemas.js';
import type { GridRequest } from './results.js';
import { type CreatePolicyPackRequest, type UpdatePolicyGroupRequest } from './service.js';

const packs = '/api/orgs/:orgName/policypacks';
const groups = '/api/orgs/:orgName/policygroups';
const results = '/api/orgs/:orgName/policyresults';

/** Policy packs, policy groups, a stack's policy, and what runs reported (violations). */
export function registerPolicyRoutes(app: App, services: Services): void {
  const policy = services.policy;

  app.post(packs, { schema: { params: schema.OrgParams, body: schema.CreatePolicyPackRequest } }, async (request, reply) =>
    reply.status(201).send(await policy.createPack(request.caller, request.params.orgName, request.body as CreatePolicyPackRequest)),
  );
  app.get(packs, { schema: { params: schema.OrgParams, querystring: schema.ListPacksQuery } }, async (request) =>
    policy.listPacks(request.caller, request.params.orgName, request.query.policypack),
  );
  app.get(`${packs}/:policyPackName/latest`, { schema: { params: schema.PackParams } }, async (request) =>
    policy.getPack(request.caller, request.params.orgName, request.params.policyPackName, 'latest'),
  );
  app.post(`${packs}/:policyPackName/latest`, { schema: { params: schema.PackParams } }, async (request, reply) => {
    await policy.applyLatest(request.caller, request.params.orgName, request.params.policyPackName);
    return reply.status(204).send();
  });
  app.delete(`${packs}/:policyPackName`, { schema: { params: schema.PackParams } }, async (request, reply) => {
    await policy.deletePack(request.caller, request.params.orgName, request.params.policyPackName);
    return reply.status(200).send();
  });
  app.get(`${packs}/:policyPackName/versions/:version`, { schema: { params: schema.VersionParams } }, async (request) =>
    policy.getPack(request.caller, request.params.orgName, request.params.policyPackName, request.params.version),
  );
  app.delete(`${packs}/:policyPackName/versions/:version`, { schema: { params: schema.VersionParams } }, async (request, reply) => {
    await policy.deleteVersion(request.caller, request.params.orgName, request.params.policyPackName, request.params.version);
    return reply.status(200).send();
  });
  app.get(`${packs}/:policyPackName/versions/:version/schema`, { schema: { params: schema.VersionParams } }, async (request) =>
    policy.packSchema(request.caller, request.params.orgName, request.params.policyPackName, request.params.version),
  );
  app.post(`${packs}/:policyPackName/versions/:version/complete`, { schema: { params: schema.VersionParams } }, async (request, reply) => {
    await policy.completePack(request.caller, request.params.orgName, request.params.policyPackName, request.params.version);
    return reply.status(204).send();
  });

  // The archive itself: the CLI sends no Authorization header here; the signed URL is the credential.
  const archive = { config: { auth: 'public' as const, binaryBody: true }, schema: { params: schema.ArchiveParams, querystring: schema.SignedQuery } };
  app.put('/api/policypacks/archives/:versionId', archive, async (request, reply) => {
    await policy.uploadArchive(request.params.versionId, request.query, request.rawBody ?? Buffer.alloc(0));
    return reply.status(200).send();
  });
  app.get('/api/policypacks/archives/:versionId', archive, async (request, reply) => {
    const bytes = await policy.downloadArchive(request.params.versionId, request.query);
    return reply.type('application/gzip').send(bytes);
  });

  app.get(groups, { schema: { params: schema.OrgParams } }, async (request) => policy.listGroups(request.caller, request.params.orgName));
  app.post(groups, { schema: { params: schema.OrgParams, body: schema.CreatePolicyGroupRequest } }, async (request, reply) => {
    await policy.createGroup(request.caller, request.params.orgName, request.body);
    return reply.status(204).send();
  });
  app.get(`${groups}/metadata`, { schema: { params: schema.OrgParams } }, async (request) => policy.groupMetadata(request.caller, request.params.orgName));
  app.get(`${groups}/:policyGroup`, { schema: { params: schema.GroupParams } }, async (request) =>
    policy.getGroup(request.caller, request.params.orgName, request.params.policyGroup),
  );
  app.patch(`${groups}/:policyGroup`, { schema: { params: schema.GroupParams, body: schema.UpdatePolicyGroupRequest } }, async (request, reply) => {
    await policy.updateGroup(request.caller, request.params.orgName, request.params.policyGroup, [request.body as UpdatePolicyGroupRequest]);
    return reply.status(204).send();
  });
  app.patch(`${groups}/:policyGroup/batch`, { schema: { params: schema.GroupParams, body: schema.BatchUpdatePolicyGroupRequest } }, async (request, reply) => {
    await policy.updateGroup(request.caller, request.params.orgName, request.params.policyGroup, request.body as UpdatePolicyGroupRequest[]);
    return reply.status(204).send();
  });
  app.delete(`${groups}/:policyGroup`, { schema: { params: schema.GroupParams } }, async (request, reply) => {
    await policy.deleteGroup(request.caller, request.params.orgName, request.params.policyGroup);
    return reply.status(204).send();
  });

  app.get('/api/stacks/:orgName/:projectName/:stackName/policygroups', { schema: { params: StackParams } }, async (request) =>
    policy.stackGroups(request.caller, stackRef(request.params)),
  );
  app.get('/api/stacks/:orgName/:projectName/:stackName/policypacks', { schema: { params: StackParams, querystring: schema.StackPacksQuery } }, async (request) =>
    policy.stackPacks(request.caller, stackRef(request.params), request.query.mode),
  );

  const violations = services.policyResults;
  app.get(`${results}/violations`, { schema: { params: schema.OrgParams, querystring: schema.ViolationsQuery } }, async (request) =>
    violations.violations(request.caller, request.params.orgName, request.query),
  );
  app.get(`${results}/violationsv2`, { schema: { params: schema.OrgParams, querystring: schema.ViolationsQuery } }, async (request) =>
    violations.violationsV2(request.caller, request.params.orgName, request.query),
  );
  const gridBody = Type.Optional(schema.GridRequest);
  app.post(`${results}/issues`, { schema: { params: schema.OrgParams, querystring: schema.ClosedQuery, body: gridBody } }, async (request) =>
    violations.listIssues(request.caller, request.params.orgName, request.query.closed === true, (request.body ?? {}) as GridRequest),
  );
  app.post(`${results}/issues/export`, { schema: { params: schema.OrgParams, querystring: schema.ClosedQuery, body: gridBody } }, async (request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .send(await violations.exportIssues(request.caller, request.params.orgName, request.query.closed === true, (request.body ?? {}) as GridRequest)),
  );
  app.get(`${results}/issues/:issueId`, { schema: { params: schema.IssueParams } }, async (request) =>
    violations.getIssue(request.caller, request.params.orgName, request.params.issueId),
  );
  app.patch(`${results}/issues/:issueId`, { schema: { params: schema.IssueParams, body: schema.UpdatePolicyIssueRequest } }, async (request) =>
    violations.updateIssue(request.caller, request.params.orgName, request.params.issueId, request.body),
  );
}
