import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';

export function registerUserRoutes(app: App, services: Services): void {
  app.get('/api/user', async (request) => services.users.currentUser(request.caller));

  app.get('/api/user/organizations/default', async (request) => services.users.defaultOrganization(request.caller));
}
