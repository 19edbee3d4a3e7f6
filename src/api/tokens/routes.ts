import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';

const CreateTokenRequest = Type.Object({
  description: Type.String({ maxLength: 1024 }),
  expires: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 })),
  name: Type.Optional(Type.String()),
  admin: Type.Optional(Type.Boolean()),
});
const ListTokensQuery = Type.Object({ show_expired: Type.Optional(Type.Boolean()) });
const OrgParams = Type.Object({ orgName: Type.String() });
const TeamParams = Type.Object({ orgName: Type.String(), teamName: Type.String() });

/** Personal (`/api/user/tokens`), organization and team access tokens. */
export function registerTokenRoutes(app: App, services: Services): void {
  const tokens = services.tokens;

  app.get('/api/user/tokens', { schema: { querystring: ListTokensQuery } }, async (request) =>
    tokens.listPersonalTokens(request.caller, request.query.show_expired ?? false),
  );
  app.post('/api/user/tokens', { schema: { body: CreateTokenRequest } }, async (request) =>
    tokens.createPersonalToken(request.caller, request.body),
  );
  app.delete('/api/user/tokens/:tokenId', { schema: { params: Type.Object({ tokenId: Type.String() }) } }, async (request, reply) => {
    await tokens.deletePersonalToken(request.caller, request.params.tokenId);
    return reply.status(204).send();
  });

  app.get('/api/orgs/:orgName/tokens', { schema: { params: OrgParams, querystring: ListTokensQuery } }, async (request) =>
    tokens.listOrganizationTokens(request.caller, request.params.orgName, request.query.show_expired ?? false),
  );
  app.post('/api/orgs/:orgName/tokens', { schema: { params: OrgParams, body: CreateTokenRequest } }, async (request) =>
    tokens.createOrganizationToken(request.caller, request.params.orgName, request.body),
  );
  app.delete(
    '/api/orgs/:orgName/tokens/:tokenId',
    { schema: { params: Type.Object({ orgName: Type.String(), tokenId: Type.String() }) } },
    async (request, reply) => {
      await tokens.deleteOrganizationToken(request.caller, request.params.orgName, request.params.tokenId);
      return reply.status(204).send();
    },
  );

  app.get('/api/orgs/:orgName/teams/:teamName/tokens', { schema: { params: TeamParams, querystring: ListTokensQuery } }, async (request) =>
    tokens.listTeamTokens(request.caller, request.params.orgName, request.params.teamName, request.query.show_expired ?? false),
  );
  app.post('/api/orgs/:orgName/teams/:teamName/tokens', { schema: { params: TeamParams, body: CreateTokenRequest } }, async (request) =>
    tokens.createTeamToken(request.caller, request.params.orgName, request.params.teamName, request.body),
  );
  app.delete(
    '/api/orgs/:orgName/teams/:teamName/tokens/:tokenId',
    { schema: { params: Type.Object({ orgName: Type.String(), teamName: Type.String(), tokenId: Type.String() }) } },
    async (request, reply) => {
      await tokens.deleteTeamToken(request.caller, request.params.orgName, request.params.teamName, request.params.tokenId);
      return reply.status(204).send();
    },
  );
}
