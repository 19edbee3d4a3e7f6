import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import type { TokenExchangeInput } from './exchange.js';
import { tokenTypes, type PolicyDefinition } from './policy.js';
import type { IssuerInput } from './service.js';

const Jwks = Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 100 }) }, { additionalProperties: true });
const Thumbprints = Type.Union([Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 }), Type.Null()]);
const MaxExpiration = Type.Union([Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 }), Type.Null()]);

const RegisterIssuer = Type.Object({
  name: Type.String({ maxLength: 1024 }),
  url: Type.String({ maxLength: 4096 }),
  thumbprints: Type.Optional(Thumbprints),
  maxExpiration: Type.Optional(MaxExpiration),
  jwks: Type.Optional(Type.Union([Jwks, Type.Null()])),
});
const UpdateIssuer = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 1024 })),
  thumbprints: Type.Optional(Thumbprints),
  maxExpiration: Type.Optional(MaxExpiration),
  jwks: Type.Optional(Type.Union([Jwks, Type.Null()])),
});
const PolicyDefinitionSchema = Type.Object({
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  tokenType: Type.Union(tokenTypes.map((t) => Type.Literal(t))),
  teamName: Type.Optional(Type.String({ maxLength: 1024 })),
  userLogin: Type.Optional(Type.String({ maxLength: 1024 })),
  runnerID: Type.Optional(Type.String({ maxLength: 1024 })),
  roleID: Type.Optional(Type.String({ maxLength: 1024 })),
  authorizedPermissions: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 }), Type.Null()])),
  rules: Type.Optional(Type.Union([Type.Record(Type.String({ maxLength: 1024 }), Type.String({ maxLength: 4096 }), { maxProperties: 64 }), Type.Null()])),
});
const UpdatePolicy = Type.Object({ policies: Type.Array(PolicyDefinitionSchema, { maxItems: 5000 }) });
const TokenExchange = Type.Object({
  grant_type: Type.Optional(Type.String()),
  audience: Type.Optional(Type.String()),
  subject_token: Type.Optional(Type.String()),
  subject_token_type: Type.Optional(Type.String()),
  requested_token_type: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  expiration: Type.Optional(Type.Union([Type.Integer({ minimum: -(2 ** 53 - 1), maximum: 2 ** 53 - 1 }), Type.String({ maxLength: 32 })])),
});

const OrgParams = Type.Object({ orgName: Type.String() });
const IssuerParams = Type.Object({ orgName: Type.String(), issuerId: Type.String() });
const PolicyParams = Type.Object({ orgName: Type.String(), policyId: Type.String() });

/**
 * OIDC issuers (`/api/orgs/{org}/oidc/issuers`, and the list at the seed's `/api/org/{org}/oidc/issuers`),
 * their authorization policies (`/api/orgs/{org}/auth/policies`), and the token exchange
 * (`POST /api/oauth/token`), which takes no access token: the ID token is the credential.
 */
export function registerOidcRoutes(app: App, services: Services): void {
  const issuers = services.oidcIssuers;

  app.post('/api/orgs/:orgName/oidc/issuers', { schema: { params: OrgParams, body: RegisterIssuer } }, async (request) =>
    issuers.register(request.caller, request.params.orgName, request.body as IssuerInput),
  );
  app.get('/api/orgs/:orgName/oidc/issuers', { schema: { params: OrgParams } }, async (request) => issuers.list(request.caller, request.params.orgName));
  app.get('/api/org/:orgName/oidc/issuers', { schema: { params: OrgParams } }, async (request) => issuers.list(request.caller, request.params.orgName));
  app.get('/api/orgs/:orgName/oidc/issuers/:issuerId', { schema: { params: IssuerParams } }, async (request) =>
    issuers.get(request.caller, request.params.orgName, request.params.issuerId),
  );
  app.patch('/api/orgs/:orgName/oidc/issuers/:issuerId', { schema: { params: IssuerParams, body: UpdateIssuer } }, async (request) =>
    issuers.update(request.caller, request.params.orgName, request.params.issuerId, request.body as IssuerInput),
  );
  app.delete('/api/orgs/:orgName/oidc/issuers/:issuerId', { schema: { params: IssuerParams } }, async (request, reply) => {
    await issuers.remove(request.caller, request.params.orgName, request.params.issuerId);
    return reply.status(204).send();
  });

  app.get('/api/orgs/:orgName/auth/policies/oidcissuers/:issuerId', { schema: { params: IssuerParams } }, async (request) =>
    issuers.getPolicy(request.caller, request.params.orgName, request.params.issuerId),
  );
  app.patch('/api/orgs/:orgName/auth/policies/:policyId', { schema: { params: PolicyParams, body: UpdatePolicy } }, async (request) =>
    issuers.updatePolicy(request.caller, request.params.orgName, request.params.policyId, request.body.policies as PolicyDefinition[]),
  );

  app.post('/api/oauth/token', { config: { auth: 'public', oauth: true }, schema: { body: TokenExchange } }, async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    return services.tokenExchange.exchange((request.body ?? {}) as TokenExchangeInput, request.ip);
  });
}
