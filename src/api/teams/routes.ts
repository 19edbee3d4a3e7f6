import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';

const OrgParams = Type.Object({ orgName: Type.String() });
const TeamParams = Type.Object({ orgName: Type.String(), teamName: Type.String() });
const CreatePulumiTeamRequest = Type.Object({
  name: Type.String(),
  displayName: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
});
// Permission values are checked by the service, so that a refusal names the value sent.
const TeamStackPermission = Type.Object({ projectName: Type.String(), stackName: Type.String(), permission: Type.Integer() });
const TeamEnvironmentSettings = Type.Object({
  projectName: Type.String(),
  envName: Type.String(),
  permission: Type.String(),
  maxOpenDuration: Type.Optional(Type.String()),
});
const UpdateTeamRequest = Type.Object({
  newDisplayName: Type.Optional(Type.String()),
  newDescription: Type.Optional(Type.String()),
  memberAction: Type.Optional(Type.String()),
  member: Type.Optional(Type.String()),
  addStackPermission: Type.Optional(TeamStackPermission),
  editStackPermission: Type.Optional(TeamStackPermission),
  removeStack: Type.Optional(Type.Object({ projectName: Type.String(), stackName: Type.String() })),
  addEnvironmentPermission: Type.Optional(TeamEnvironmentSettings),
  editEnvironmentPermission: Type.Optional(TeamEnvironmentSettings),
  removeEnvironment: Type.Optional(Type.Object({ projectName: Type.String(), envName: Type.String() })),
});

/** Teams: membership and stack permissions. */
export function registerTeamRoutes(app: App, services: Services): void {
  const teams = services.teams;

  app.get('/api/orgs/:orgName/teams', { schema: { params: OrgParams } }, async (request) => teams.list(request.caller, request.params.orgName));

  app.post('/api/orgs/:orgName/teams/pulumi', { schema: { params: OrgParams, body: CreatePulumiTeamRequest } }, async (request, reply) =>
    reply.status(201).send(await teams.createPulumiTeam(request.caller, request.params.orgName, request.body)),
  );
  app.post('/api/orgs/:orgName/teams/github', { schema: { params: OrgParams } }, async (request) =>
    teams.createGitHubTeam(request.caller, request.params.orgName),
  );

  app.get('/api/orgs/:orgName/teams/:teamName', { schema: { params: TeamParams } }, async (request) =>
    teams.get(request.caller, request.params.orgName, request.params.teamName),
  );
  app.delete('/api/orgs/:orgName/teams/:teamName', { schema: { params: TeamParams } }, async (request, reply) => {
    await teams.remove(request.caller, request.params.orgName, request.params.teamName);
    return reply.status(204).send();
  });
  // Pulumi documents PATCH, and its own example sends POST: both update the team.
  for (const method of ['PATCH', 'POST'] as const) {
    app.route({
      method,
      url: '/api/orgs/:orgName/teams/:teamName',
      schema: { params: TeamParams, body: UpdateTeamRequest },
      handler: async (request, reply) => {
        await teams.update(request.caller, request.params.orgName, request.params.teamName, request.body);
        return reply.status(204).send();
      },
    });
  }
}
