import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';

const OrgParams = Type.Object({ orgName: Type.String() });
const MemberParams = Type.Object({ orgName: Type.String(), userLogin: Type.String() });
const ListMembersQuery = Type.Object({ type: Type.Optional(Type.String()), continuationToken: Type.Optional(Type.String()) });
// The role is checked by the service, so that a refusal names the value sent.
const MemberRoleRequest = Type.Object({ role: Type.String() });
const UpdateOrganizationRequest = Type.Object({ setDefaultStackPermission: Type.Optional(Type.Integer()) });

/** Organization members and settings. */
export function registerOrganizationRoutes(app: App, services: Services): void {
  const organizations = services.organizations;

  app.get('/api/orgs/:orgName', { schema: { params: OrgParams } }, async (request) =>
    organizations.get(request.caller, request.params.orgName),
  );
  app.patch('/api/orgs/:orgName', { schema: { params: OrgParams, body: UpdateOrganizationRequest } }, async (request) =>
    organizations.updateSettings(request.caller, request.params.orgName, request.body),
  );

  app.get('/api/orgs/:orgName/members', { schema: { params: OrgParams, querystring: ListMembersQuery } }, async (request) =>
    organizations.listMembers(request.caller, request.params.orgName, request.query),
  );
  app.post('/api/orgs/:orgName/members/:userLogin', { schema: { params: MemberParams, body: MemberRoleRequest } }, async (request) =>
    organizations.addUser(request.caller, request.params.orgName, request.params.userLogin, request.body.role),
  );
  app.patch('/api/orgs/:orgName/members/:userLogin', { schema: { params: MemberParams, body: MemberRoleRequest } }, async (request, reply) => {
    await organizations.changeUserRole(request.caller, request.params.orgName, request.params.userLogin, request.body.role);
    return reply.status(204).send();
  });
  app.delete('/api/orgs/:orgName/members/:userLogin', { schema: { params: MemberParams } }, async (request, reply) => {
    await organizations.removeUser(request.caller, request.params.orgName, request.params.userLogin);
    return reply.status(204).send();
  });
}
