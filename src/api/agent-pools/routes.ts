import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';

const pools = '/api/orgs/:orgName/agent-pools';
const OrgParams = Type.Object({ orgName: Type.String() });
const PoolParams = Type.Object({ orgName: Type.String(), poolId: Type.String({ maxLength: 64 }) });
const CreatePool = Type.Object({ name: Type.String({ maxLength: 1000 }), description: Type.Optional(Type.String({ maxLength: 10_000 })) });
const UpdatePool = Type.Object({ name: Type.Optional(Type.String({ maxLength: 1000 })), description: Type.Optional(Type.String({ maxLength: 10_000 })) });
const DeleteQuery = Type.Object({ force: Type.Optional(Type.Boolean()) });

/** Deployment runner pools of an organization. */
export function registerAgentPoolRoutes(app: App, services: Services): void {
  const agentPools = services.agentPools;
  app.get(pools, { schema: { params: OrgParams } }, async (request) => agentPools.list(request.caller, request.params.orgName));
  app.post(pools, { schema: { params: OrgParams, body: CreatePool } }, async (request) => agentPools.create(request.caller, request.params.orgName, request.body));
  app.get(`${pools}/:poolId`, { schema: { params: PoolParams } }, async (request) => agentPools.get(request.caller, request.params.orgName, request.params.poolId));
  app.patch(`${pools}/:poolId`, { schema: { params: PoolParams, body: UpdatePool } }, async (request) =>
    agentPools.update(request.caller, request.params.orgName, request.params.poolId, request.body),
  );
  app.delete(`${pools}/:poolId`, { schema: { params: PoolParams, querystring: DeleteQuery } }, async (request, reply) => {
    await agentPools.remove(request.caller, request.params.orgName, request.params.poolId, request.query.force === true);
    return reply.status(204).send();
  });
}
