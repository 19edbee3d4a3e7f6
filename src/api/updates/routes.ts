import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import { stackRef } from '../stacks/routes.js';

const UpdateParams = Type.Object({
  orgName: Type.String(),
  projectName: Type.String(),
  stackName: Type.String(),
  updateId: Type.String(),
});

export function registerUpdateRoutes(app: App, services: Services): void {
  // What the CLI polls after `stack import` until no continuation token comes back.
  app.get('/api/stacks/:orgName/:projectName/:stackName/update/:updateId', { schema: { params: UpdateParams } }, async (request) =>
    services.updates.results(request.caller, stackRef(request.params), request.params.updateId),
  );
}
